"""form.post checks the posted trigger against the bound form and answers 4xx like xMatters."""

from __future__ import annotations

import pytest
from runtime_plans import make_plan, runtime

from xmplan._runtime.forms import bound_form, trigger_problems

FORM = bound_form(make_plan({}), "0f0f0f0f-0000-4000-8000-000000000001")

VALID = [
    {"properties": {"Summary": "x", "Severity": "High", "Tags": ["db", "web"], "Count": 3, "Urgent": True}},
    {"properties": {"Count": "3", "Urgent": "false", "Location": ["USA", "Boston"]},
     "recipients": [{"targetName": "ops", "devices": ["Work Email"]}], "conferences": [{"name": None}]},
    {"properties": {"Location": [{"category": "Country", "value": "USA"}]},
     "recipients": [{"id": "bsmith|Work Email", "recipientType": "DEVICE"}], "expirationInMinutes": 30},
    {},
]
INVALID = [
    ({"properties": {"Nope": "x"}}, "has no property named 'Nope'"),
    ({"properties": {"Severity": ["High"]}}, "Property 'Severity': expected a string"),
    ({"properties": {"Severity": "Medium"}}, "'Medium' is not one of the list values"),
    ({"properties": {"Tags": [1]}}, "expected a list of strings"),
    ({"properties": {"Count": "many"}}, "Property 'Count': expected a Number"),
    ({"properties": {"Urgent": "yes"}}, "Property 'Urgent': expected a Boolean"),
    ({"properties": {"Summary": {"a": 1}}}, "expected Text"),
    ({"properties": "x"}, "'properties' must be an object"),
    ({"recipients": "ops"}, "'recipients' must be a list"),
    ({"recipients": ["ops"]}, "recipients[0]: expected an object"),
    ({"recipients": [{"name": "ops"}]}, "recipients[0]: a recipient needs an 'id'"),
    ({"recipients": [{"id": "ops", "recipientType": "TEAM"}]}, "unknown recipientType \"TEAM\""),
    ({"recipients": [{"targetName": "ops"}], "responseOptions": []}, "mixes the old and new trigger formats"),
    ({"recipients": [{"id": "ops"}, {"targetName": "dba"}]}, "mixes the old and new trigger formats"),
    ({"properties": {"Location": ["USA"]}, "conference": {"type": "BRIDGE"}}, "mixes the old and new"),
    ("text", "must be a JSON object"),
]


@pytest.mark.parametrize("posted", VALID)
def test_valid_triggers(posted):
    assert trigger_problems(FORM, posted) == []


@pytest.mark.parametrize("posted, message", INVALID)
def test_invalid_triggers(posted, message):
    problems = trigger_problems(FORM, posted)
    assert any(message in p for p in problems), problems


def test_script_gets_a_400_error_body_and_no_event(engine_name):
    script = ("var r = form.post({properties: {Severity: 'Medium'}, recipients: [{id: 'ops'}]});\n"
              "var body = JSON.parse(r.body);\n"
              "console.log(r.statusCode + ' ' + body.code + ' ' + body.reason + ': ' + body.message);")
    outcome = runtime(make_plan({"Test": script}), engine_name).run("Test")
    assert outcome.events == ()
    [rejected] = outcome.rejected
    assert rejected.status == 400
    assert outcome.lines == ["400 400 Bad Request: " + rejected.body["message"]]
    assert "'Medium' is not one of the list values" in rejected.body["message"]


def test_integration_without_a_form_cannot_post(engine_name):
    outcome = runtime(make_plan({"Test": "console.log(String(form.post(trigger).statusCode));"}, form=None),
                      engine_name).run("Test")
    assert outcome.lines == ["400"] and outcome.events == ()


def test_form_missing_from_plan_records_with_a_note(engine_name):
    plan = make_plan({"Test": "form.post({properties: {Anything: 1}});"}, form="11111111-2222-4333-8444-555555555555")
    [event] = runtime(plan, engine_name).run("Test").events
    assert "not in this plan" in event.notes[0]


def test_rest_trigger_through_the_xmatters_endpoint_creates_an_event(engine_name):
    # What the generated CREATE_EVENT_SIMPLE script does.
    script = ("var req = http.request({method: 'POST', endpoint: 'xMatters', "
              "path: '/api/xm/1/plans/p/forms/0f0f0f0f-0000-4000-8000-000000000001/triggers', "
              "headers: {'Content-Type': 'application/json'}});\n"
              "var payload = JSON.parse(request.body);\npayload.requestId = request.requestId;\n"
              "var resp = req.write(payload);\n"
              "if (resp.statusCode >= 300) { throw 'Failed: ' + resp.body; }\n"
              "console.log(resp.statusCode + ' ' + typeof JSON.parse(resp.body).requestId);")
    outcome = runtime(make_plan({"Test": script}), engine_name).run(
        "Test", body={"properties": {"Summary": "s"}, "recipients": [{"targetName": "ops"}]})
    assert outcome.ok, outcome.error
    assert outcome.lines == ["202 string"]
    [event] = outcome.events
    assert event.properties == {"Summary": "s"} and event.recipients == ({"targetName": "ops"},)
    assert outcome.http[0].json["requestId"]
