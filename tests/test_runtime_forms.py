"""form.post checks the posted trigger against the bound form and answers 4xx like xMatters."""

from __future__ import annotations

import pytest
from runtime_plans import PROPERTIES, make_plan, runtime

from xmplan._model import Entry, Plan
from xmplan._runtime.activity import activity_log
from xmplan._runtime.forms import plan_forms, trigger_problems

FORM = plan_forms(make_plan({}))["0f0f0f0f-0000-4000-8000-000000000001"]

VALID = [
    {"properties": {"Summary": "x", "Severity": "High", "Tags": ["db", "web"], "Count": 3, "Urgent": True}},
    {"properties": {"Count": "3", "Urgent": "false", "Location": ["USA", "Boston"]},
     "recipients": [{"targetName": "ops", "devices": ["Work Email"]}], "conferences": [{"name": None}]},
    {"properties": {"Location": [{"category": "Country", "value": "USA"}]},
     "recipients": [{"id": "bsmith|Work Email", "recipientType": "DEVICE"}], "expirationInMinutes": 30},
    {},
]
INVALID = [
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


def test_properties_the_form_lacks_are_left_out_of_the_event_with_a_note(engine_name):
    # Issue #9.3: JIRA's "Engage with xMatters - Conference" posts properties.conferences (an old-format
    # trigger field), TeamCity and SignalFx post whole payloads as properties: xMatters takes them.
    script = ("trigger.properties = {Summary: 's', conferences: [{name: null}], projectName: 'p'};\n"
              "var r = form.post(trigger);\nconsole.log(r.statusCode + ' ' + JSON.parse(r.body).eventId);")
    outcome = runtime(make_plan({"Test": script}), engine_name).run("Test")
    assert outcome.ok and outcome.rejected == ()
    [event] = outcome.events
    assert outcome.lines == [f"200 {event.event_id}"]
    assert event.properties == {"Summary": "s"}
    assert event.trigger["properties"]["projectName"] == "p"
    field_note, other_note = [n for n in event.notes if "propert" in n]
    assert field_note.startswith("property 'conferences' posted inside 'properties': a trigger field")
    assert other_note == "property 'projectName' not on form 'Alert': left out of the event, as xMatters does"
    assert "form.post -> event" in activity_log(outcome) and "note: property 'projectName'" in activity_log(outcome)


def test_a_plan_property_missing_from_the_form_layout_is_named_as_such(engine_name):
    # HPSM's InboundIncidentTask posts 'Acknowledge', which is in properties.json but not on the form.
    plan = make_plan({"Test": "form.post({properties: {Summary: 'x', Acknowledge: true}});"})
    extra = [*PROPERTIES, {"baseType": 0, "name": "Acknowledge"}]
    plan = Plan(tuple(Entry(e.name, extra) if e.name == "properties/properties.json" else e for e in plan.entries),
                origin=plan.origin)
    [event] = runtime(plan, engine_name).run("Test").events
    assert event.properties == {"Summary": "x"}
    assert ("property 'Acknowledge' not on the layout of form 'Alert' (a property of the plan, but not of this "
            "form): left out of the event, as xMatters does") in event.notes


def test_a_wrong_value_is_still_refused_next_to_a_property_the_form_lacks():
    problems = trigger_problems(FORM, {"properties": {"Nope": "x", "Count": "many"}})
    assert problems == ["Property 'Count': expected a Number, got \"many\"."]
