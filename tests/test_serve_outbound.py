"""Outbound integrations fired by the emulator: which fire, and the payloads they get in both styles."""

from __future__ import annotations

import json

import pytest
from serve_helpers import basic, settle

from xmplan._model import Entry, Plan
from xmplan._serve.app import create_app, emulator_of
from xmplan._serve.testing import config_for

FORM = "0f0f0f0f-0000-4000-8000-0000000000aa"
PROPERTIES = [{"baseType": 3, "name": "Ticket"}, {"baseType": 3, "name": "Secret Note"}]
RESPONSES = [{"textResponse": "Accept", "action": "STOP_NOTIFYING_USER", "contribution": "POSITIVE",
              "isAllowComments": True},
             {"textResponse": "Resolve", "action": "END", "contribution": "POSITIVE", "isAllowComments": True},
             {"textResponse": "Quiet", "action": "RECORD_RESPONSE", "contribution": "NONE", "isAllowComments": False}]
# Each outbound script logs what it got: the legacy body and the objects.
LOG = """console.log(JSON.stringify({body: JSON.parse(request.body),
  objects: {event: typeof event === 'undefined' ? null : event,
            respondedTo: typeof respondedTo === 'undefined' ? null : respondedTo,
            response: typeof response === 'undefined' ? null : response,
            statusChanged: typeof statusChanged === 'undefined' ? null : statusChanged,
            notification: typeof notification === 'undefined' ? null : notification,
            annotation: typeof annotation === 'undefined' ? null : annotation}}));"""
OUTBOUND = [("On Accept", "RESPONSE", "Accept"), ("On Any Response", "RESPONSE", None), ("On Status", "STATUS", None),
            ("On Delivery", "DELIVERYSTATUS", None), ("On Comment", "ANNOTATION", None)]


def plan() -> Plan:
    form = {"name": "Ticket Alert", "uuid": FORM, "responses": RESPONSES, "layoutSections": [
        {"sectionType": 1, "sectionItems": [{"propertyName": "Ticket", "isIncludeInCallbacks": True},
                                            {"propertyName": "Secret Note", "isIncludeInCallbacks": False}]}]}
    integrations = [{"id": "00000000-0000-4000-8000-00000000000a", "name": "Inbound", "type": "INBOUND_WEBHOOK",
                     "action": "CREATE_EVENT", "form": FORM, "authType": "BASIC",
                     "script": "trigger.properties = JSON.parse(request.body).properties;\n"
                               "trigger.recipients = JSON.parse(request.body).recipients;\nform.post(trigger);"}]
    for index, (name, trigger, choice) in enumerate(OUTBOUND):
        record = {"id": f"00000000-0000-4000-8000-00000000010{index}", "name": name, "type": "OUTBOUND_WEBHOOK",
                  "action": "RUN_SCRIPT", "triggeredBy": trigger, "form": FORM, "script": LOG}
        if choice:
            record["responseChoice"] = choice
        integrations.append(record)
    document = {"integrations": integrations, "endpoints": [], "constants": []}
    entries = (Entry("engine.json", {"name": "Outbound test"}), Entry("properties/properties.json", PROPERTIES),
               Entry("forms/TicketAlert/1.json", form), Entry("integrations/integrations.json", document),
               Entry("integrations/sharedfunctions.json", []))
    return Plan(entries, origin="outbound-test")


@pytest.fixture
def app(tmp_path, engine_name):
    app = create_app(config_for([plan()], tmp_path, engine=engine_name))
    yield app
    app.extensions["xmplan.runs"].stop()


def runs(client, integration):
    found = client.get(f"/emulator/api/activity?integration={integration}").json["data"]
    for record in found:
        assert record["ok"], record["error"]
    return [json.loads(r["console"][0]["text"]) for r in reversed(found)]


def new_event(app, client):
    answer = client.post("/api/integration/1/functions/00000000-0000-4000-8000-00000000000a/triggers",
                         headers=basic(), json={"properties": {"Ticket": "T-1", "Secret Note": "do not send"},
                                                "recipients": [{"id": "Database Admins", "recipientType": "GROUP"}]})
    assert answer.status_code == 202
    settle(app)
    return client.get(f"/api/xm/1/events?requestId={answer.json['requestId']}", headers=basic()).json["data"][0]


def test_delivery_status_fires_per_notification(app):
    client = app.test_client()
    event = new_event(app, client)
    delivered = runs(client, "On Delivery")
    assert len(delivered) == 4  # Mary and Bob, two devices each
    first = delivered[0]
    assert first["body"]["eventIdentifier"] == event["eventId"]
    assert first["body"]["eventProperties"] == [{"Ticket": "T-1"}]  # only "Include in Outbound Integrations"
    assert first["body"]["deliveryStatus"] == "Delivered"
    assert {(d["body"]["recipient"], d["body"]["device"]) for d in delivered} == {
        ("mmcbride", "Work Email"), ("mmcbride", "Mobile Phone"), ("bsmith", "Work Email"), ("bsmith", "Mobile Phone")}
    assert first["objects"]["event"]["properties"] == {"Ticket": "T-1"}
    assert first["objects"]["notification"]["deliveryStatus"] == "Delivered"


def test_response_fires_the_bound_and_the_unbound_integrations_in_both_styles(app):
    client = app.test_client()
    event = new_event(app, client)
    answer = client.post(f"/emulator/api/events/{event['id']}/responses",
                         json={"recipient": "mmcbride", "response": "accept", "comment": "on it"})
    assert answer.status_code == 201 and answer.json["response"] == "Accept"
    settle(app)
    [bound], [unbound] = runs(client, "On Accept"), runs(client, "On Any Response")
    assert bound == unbound
    body, objects = bound["body"], bound["objects"]
    assert body["eventIdentifier"] == event["eventId"] and body["eventProperties"] == [{"Ticket": "T-1"}]
    assert (body["recipient"], body["response"], body["annotation"], body["device"]) == (
        "mmcbride", "Accept", "on it", "Work Email")
    assert len(body["date"]) == len("2019-05-09 21:38:11.868") and body["date"][10] == " "
    assert objects["event"] == {"id": event["id"], "eventId": event["eventId"], "status": "ACTIVE",
                                "priority": "MEDIUM", "properties": {"Ticket": "T-1"}}
    assert objects["respondedTo"]["by"] == {"id": objects["respondedTo"]["by"]["id"], "targetName": "mmcbride",
                                            "firstName": "Mary", "lastName": "McBride", "recipientType": "PERSON"}
    assert objects["response"] == {"response": "Accept", "deviceName": "Work Email", "comment": "on it"}
    [comment] = runs(client, "On Comment")  # a response's comment is an annotation too
    assert comment["body"]["comment"] == "on it" and comment["objects"]["annotation"]["response"] == {
        "response": "Accept"}
    assert runs(client, "On Status") == []


def test_a_response_bound_elsewhere_does_not_fire_and_null_comment_is_the_string_null(app):
    client = app.test_client()
    event = new_event(app, client)
    assert client.post(f"/emulator/api/events/{event['id']}/responses",
                       json={"recipient": "bsmith", "response": "Quiet"}).status_code == 201
    settle(app)
    assert runs(client, "On Accept") == []
    [any_response] = runs(client, "On Any Response")
    assert any_response["body"]["response"] == "Quiet" and any_response["body"]["annotation"] == "null"
    refused = client.post(f"/emulator/api/events/{event['id']}/responses",
                          json={"recipient": "bsmith", "response": "Quiet", "comment": "x"})
    assert refused.status_code == 400 and "does not allow comments" in refused.json["message"]


def test_end_response_terminates_and_fires_status(app):
    client = app.test_client()
    event = new_event(app, client)
    client.post(f"/emulator/api/events/{event['id']}/responses", json={"recipient": "bsmith", "response": "Resolve"})
    settle(app)
    [status] = runs(client, "On Status")
    assert status["body"]["status"] == "terminated" and status["body"]["username"] == "bsmith"
    assert status["objects"]["event"]["status"] == "TERMINATED"
    assert status["objects"]["statusChanged"]["by"]["targetName"] == "bsmith"
    assert client.get(f"/api/xm/1/events/{event['id']}", headers=basic()).json["status"] == "TERMINATED"
    states = {n["state"] for n in emulator_of(app).store.notifications(event["id"]) if n["person"] == "mmcbride"}
    assert states == {"STOPPED"}


def test_rest_status_changes_and_annotations_fire_their_integrations(app):
    client = app.test_client()
    event = new_event(app, client)
    for status, expected in (("SUSPENDED", "suspended"), ("ACTIVE", "active"), ("TERMINATED", "terminated")):
        changed = client.post("/api/xm/1/events", json={"id": event["id"], "status": status}, headers=basic())
        assert changed.status_code == 200 and changed.json["status"] == status
        settle(app)
        assert runs(client, "On Status")[-1]["body"]["status"] == expected
    assert client.post("/api/xm/1/events", json={"id": event["id"], "status": "ACTIVE"},
                       headers=basic()).status_code == 409
    assert client.post("/api/xm/1/events", json={"id": event["id"], "status": "DONE"},
                       headers=basic()).status_code == 400
    assert client.post("/api/xm/1/events", json={"status": "ACTIVE"}, headers=basic()).status_code == 400
    assert client.post("/api/xm/1/events", json={"id": "nope", "status": "ACTIVE"}, headers=basic()).status_code == 404
    made = client.post(f"/api/xm/1/events/{event['eventId']}/annotations", json={"comment": "looking"},
                       headers=basic())
    assert made.status_code == 201 and made.json["author"]["targetName"] == "integration"
    assert client.post(f"/api/xm/1/events/{event['id']}/annotations", json={"comment": " "},
                       headers=basic()).status_code == 400
    listed = client.get(f"/api/xm/1/events/{event['id']}/annotations", headers=basic()).json
    assert [a["comment"] for a in listed["data"]] == ["looking"]
    settle(app)
    [comment] = runs(client, "On Comment")
    assert comment["body"]["comment"] == "looking" and comment["body"]["author"]["targetName"] == "integration"


def test_control_api_lookups(app):
    client = app.test_client()
    listed = client.get("/emulator/api/integrations").json["data"]
    inbound = next(i for i in listed if i["name"] == "Inbound")
    assert inbound["authentication"] == "BASIC" and inbound["url"].endswith(
        "/api/integration/1/functions/00000000-0000-4000-8000-00000000000a/triggers")
    assert client.get("/emulator/api/requests/nope").status_code == 404
    assert client.get("/emulator/api/activity?integration=Nope").status_code == 404
    assert client.get("/emulator/api/activity?limit=x").status_code == 400
