"""Outbound callbacks: the old request.body JSON and the newer objects both reach the script."""

from __future__ import annotations

import pytest
from runtime_plans import make_plan, runtime

from xmplan._errors import XmplanError

LEGACY_SCRIPT = """\
var callback = JSON.parse(request.body);
var props = {};
for (var i = 0; i < callback.eventProperties.length; i++) {
  for (var k in callback.eventProperties[i]) { props[k] = callback.eventProperties[i][k]; }
}
if (callback.annotation == "null") { callback.annotation = null; }
console.log([callback.eventIdentifier, props['Incident ID'], callback.recipient, callback.response,
             String(callback.annotation)].join('|'));
"""
OBJECT_SCRIPT = """\
console.log([event.eventId, event.properties['Incident ID'], respondedTo.by.targetName, response.response,
             response.deviceName].join('|'));
"""
LEGACY = {
    "RESPONSE": {"eventIdentifier": 39637008, "date": "2019-05-09 21:38:11.868",
                 "eventProperties": [{"Incident ID": "INC123"}, {"channel": "ops"}],
                 "recipient": "msteele", "device": "Work Email", "response": "Acknowledge", "annotation": "null"},
    "STATUS": {"eventIdentifier": 39637008, "eventProperties": [{"Incident ID": "INC123"}],
               "status": "terminated_external", "username": "msteele"},
    "DELIVERYSTATUS": {"eventIdentifier": 39637008, "eventProperties": [{"Incident ID": "INC123"}],
                       "recipient": "msteele", "device": "Work Phone", "deliveryStatus": "Delivered"},
    "ANNOTATION": {"eventIdentifier": 39637008, "eventProperties": [{"Incident ID": "INC123"}],
                   "author": {"targetName": "msteele"}, "comment": "Looking"},
}
OBJECTS = {
    "RESPONSE": {"event": {"eventId": 39637008, "properties": {"Incident ID": "INC123"}},
                 "respondedTo": {"at": "2019-05-09T21:38:11Z", "by": {"targetName": "msteele"}},
                 "response": {"response": "Acknowledge", "deviceName": "Work Email"}},
}
# For each trigger: an expression over the newer objects and one over the old body, equal in both styles.
VIEWS = {
    "RESPONSE": ("response.response + respondedTo.by.targetName", "c.response + c.recipient"),
    "STATUS": ("event.status + statusChanged.by.targetName", "c.status + c.username"),
    "DELIVERYSTATUS": ("notification.deliveryStatus + notification.recipient.name", "c.deliveryStatus + c.device"),
    "ANNOTATION": ("annotation.comment + annotation.author.targetName", "c.comment + c.author.targetName"),
}


def run(engine_name, trigger, script, payload):
    plan = make_plan({"Out": script}, outbound={"Out": trigger})
    return runtime(plan, engine_name).run("Out", body=payload)


def test_legacy_body(engine_name):
    outcome = run(engine_name, "RESPONSE", LEGACY_SCRIPT, LEGACY["RESPONSE"])
    assert outcome.lines == ["39637008|INC123|msteele|Acknowledge|null"]


def test_object_style(engine_name):
    outcome = run(engine_name, "RESPONSE", OBJECT_SCRIPT, OBJECTS["RESPONSE"])
    assert outcome.lines == ["39637008|INC123|msteele|Acknowledge|Work Email"]


def test_object_style_payload_also_gives_the_legacy_body(engine_name):
    outcome = run(engine_name, "RESPONSE", LEGACY_SCRIPT, OBJECTS["RESPONSE"])
    assert outcome.lines == ["39637008|INC123|msteele|Acknowledge|null"]


@pytest.mark.parametrize("trigger", sorted(LEGACY))
def test_legacy_payload_also_gives_the_objects(engine_name, trigger):
    objects, legacy = VIEWS[trigger]
    script = f"var c = JSON.parse(request.body);\nconsole.log(String({objects}));\nconsole.log(String({legacy}));"
    outcome = run(engine_name, trigger, script, LEGACY[trigger])
    assert outcome.ok, outcome.error
    expected = {"RESPONSE": "Acknowledgemsteele", "STATUS": "TERMINATEDmsteele",
                "DELIVERYSTATUS": "DeliveredWork Phone", "ANNOTATION": "Lookingmsteele"}[trigger]
    legacy_expected = "terminated_externalmsteele" if trigger == "STATUS" else expected
    assert outcome.lines == [expected, legacy_expected]


def test_inbound_scripts_see_no_callback_objects(engine_name):
    outcome = runtime(make_plan({"In": "console.log(typeof event + typeof respondedTo);"}), engine_name).run("In")
    assert outcome.lines == ["undefinedundefined"]


def test_a_callback_body_that_is_not_json_is_a_clear_error(engine_name):
    with pytest.raises(XmplanError, match=r"^request body:1:2: error: an outbound integration's callback is not JSON"):
        run(engine_name, "RESPONSE", "console.log('never');", "{not json")
