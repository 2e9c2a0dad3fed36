"""`xmplan serve`'s REST API and inbound triggers: every test through the Flask test client and
again over HTTP to a real server on 127.0.0.1 (the same app, as moto's server mode)."""

from __future__ import annotations

import json

import pytest
from serve_helpers import basic, client_of, flagship_app, invitation, settle, trigger_path

from xmplan._serve.app import emulator_of


@pytest.fixture
def app(tmp_path):
    app = flagship_app(tmp_path, constants={"HipChat Token": "t0k"}, endpoints={"HipChat": "http://127.0.0.1:9"})
    yield app
    app.extensions["xmplan.runs"].stop()


@pytest.fixture(params=["client", "server"])
def mode(request):
    return request.param


@pytest.fixture
def client(app, mode):
    with client_of(app, mode) as found:
        yield found


def invite(app, client, **changes):
    answer = client.post(trigger_path(app), json=invitation(**changes), headers=basic())
    assert answer.status_code == 202, answer.json
    settle(app)
    return answer.json["requestId"]


def test_people_search_and_lookup(client):
    found = client.get("/api/xm/1/people?search=MARY", headers=basic()).json
    assert found["count"] == found["total"] == 1
    mary = found["data"][0]
    assert (mary["targetName"], mary["firstName"], mary["lastName"], mary["recipientType"]) == (
        "mmcbride", "Mary", "McBride", "PERSON")
    assert client.get("/api/xm/1/people?search=mmcbride@EXAMPLE", headers=basic()).json["total"] == 1
    by_name = client.get("/api/xm/1/people/mmcbride?embed=devices,roles", headers=basic()).json
    assert by_name["id"] == mary["id"]
    assert [d["name"] for d in by_name["devices"]["data"]] == ["Work Email", "Mobile Phone"]
    assert client.get(f"/api/xm/1/people/{mary['id']}", headers=basic()).json["targetName"] == "mmcbride"
    missing = client.get("/api/xm/1/people/nobody", headers=basic())
    assert missing.status_code == 404
    assert missing.json["code"] == 404 and missing.json["reason"] == "Not Found" and "nobody" in missing.json["message"]
    assert client.get("/api/xm/1/people?embed=shifts", headers=basic()).status_code == 400


def test_paging_envelope(client):
    first = client.get("/api/xm/1/people?limit=2", headers=basic()).json
    assert (first["count"], first["total"]) == (2, 4)
    assert first["links"]["next"] == "/api/xm/1/people?offset=2&limit=2"
    second = client.get(first["links"]["next"], headers=basic()).json
    assert second["count"] == 2 and "next" not in second["links"]
    assert second["links"]["previous"] == "/api/xm/1/people?offset=0&limit=2"
    names = {p["targetName"] for p in first["data"] + second["data"]}
    assert names == {"integration", "mmcbride", "bsmith", "jdoe"}
    for bad in ("limit=0", "limit=1001", "offset=-1", "limit=x"):
        assert client.get(f"/api/xm/1/people?{bad}", headers=basic()).status_code == 400


def test_groups_and_members(client):
    found = client.get("/api/xm/1/groups?search=database", headers=basic()).json
    assert [g["targetName"] for g in found["data"]] == ["Database Admins"]
    group = client.get("/api/xm/1/groups/Database%20Admins", headers=basic()).json
    assert group["recipientType"] == "GROUP" and group["id"] == found["data"][0]["id"]
    members = client.get(f"/api/xm/1/groups/{group['id']}/members", headers=basic()).json
    assert [m["member"]["targetName"] for m in members["data"]] == ["mmcbride", "bsmith"]
    assert {m["group"]["targetName"] for m in members["data"]} == {"Database Admins"}
    assert client.get("/api/xm/1/groups/Nope", headers=basic()).status_code == 404
    assert client.get("/api/xm/1/groups/Nope/members", headers=basic()).status_code == 404


def test_rest_api_needs_basic_auth_of_a_directory_user(client):
    for headers in ({}, basic(password="wrong"), basic(user="mmcbride"), {"Authorization": "Basic !!!"},
                    {"Authorization": "Bearer x"}):
        answer = client.get("/api/xm/1/people", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.json["code"] == 401 and answer.json["reason"] == "Unauthorized"


def test_what_is_not_modelled_is_a_404_saying_so(client):
    for method, path in (("GET", "/api/xm/1/on-call?groups=x"), ("POST", "/api/xm/1/people"),
                         ("DELETE", "/api/xm/1/events/1"), ("GET", "/api/xm/1/audits")):
        answer = client.open(path, method=method, headers=basic())
        assert answer.status_code in (404, 405), path
        if answer.status_code == 404:
            assert "not modelled" in answer.json["message"]


def test_invite_creates_an_event_found_by_request_id(app, client):
    request_id = invite(app, client)
    found = client.get(f"/api/xm/1/events?requestId={request_id}&embed=properties,recipients",
                       headers=basic()).json
    assert found["total"] == 1
    event = found["data"][0]
    assert event["status"] == "ACTIVE" and event["requestId"] == request_id
    assert event["form"]["name"] == "Invite to Room" and event["submitter"]["targetName"] == "integration"
    assert event["properties"]["Room Name#en"] == "Ops <war room>"
    assert [(r["targetName"], r["recipientType"]) for r in event["recipients"]["data"]] == [
        ("mmcbride", "PERSON"), ("Database Admins", "GROUP")]
    by_number = client.get(f"/api/xm/1/events/{event['eventId']}", headers=basic()).json
    assert by_number["id"] == event["id"] and "properties" not in by_number
    # Mary is in the group too, and is notified once: on each of her two devices; Bob on his two.
    notified = emulator_of(app).store.notifications(event["id"])
    assert sorted((n["person"], n["device"]) for n in notified) == [
        ("bsmith", "Mobile Phone"), ("bsmith", "Work Email"), ("mmcbride", "Mobile Phone"), ("mmcbride", "Work Email")]
    assert all(n["delivery"] == "Delivered" for n in notified)
    assert client.get("/api/xm/1/events/999", headers=basic()).status_code == 404


def test_event_filters(app, client):
    invite(app, client)
    invite(app, client, room={"id": 7, "name": "Dev", "link": "https://hipchat.example.com/r/7"})
    def total(query):
        return client.get(f"/api/xm/1/events?{query}", headers=basic()).json["total"]
    assert total("") == 2
    assert total("status=ACTIVE") == 2 and total("status=TERMINATED") == 0
    assert total("propertyName=Room%20Name%23en&propertyValue=dev") == 1
    assert total("propertyName=Room%20Name&propertyValue=war&propertyValueOperator=CONTAINS") == 1
    assert total("propertyName=Room%20ID%23en&propertyValue=7") == 1
    assert client.get("/api/xm/1/events?status=OPEN", headers=basic()).status_code == 400
    assert client.get("/api/xm/1/events?propertyName=x&propertyValueOperator=LIKE",
                      headers=basic()).status_code == 400


def test_unknown_recipients_are_recorded_with_a_note(app, client):
    request_id = invite(app, client, recipients=[{"id": "ghost", "type": "PERSON"}, {"id": "jdoe", "type": "PERSON"}])
    event = client.get(f"/api/xm/1/events?requestId={request_id}&embed=recipients", headers=basic()).json["data"][0]
    ghost, jane = event["recipients"]["data"]
    assert ghost["targetName"] == "ghost" and "no person named 'ghost'" in ghost["note"]
    assert jane["targetName"] == "jdoe" and "note" not in jane


def test_inbound_errors(app, client):
    path = trigger_path(app)
    assert client.post(path, json=invitation()).status_code == 401
    assert client.post(path, json=invitation(), headers=basic(password="no")).status_code == 401
    unknown = client.post("/api/integration/1/functions/00000000-0000-0000-0000-000000000000/triggers",
                          json={}, headers=basic())
    assert unknown.status_code == 404 and unknown.json["reason"] == "Not Found"
    outbound = client.post(trigger_path(app, "Post Response to Room"), json={}, headers=basic())
    assert outbound.status_code == 404
    wrong_method = client.get(path, headers=basic())
    assert wrong_method.status_code == 405 and wrong_method.json["code"] == 405


def test_body_over_the_limit_is_413(tmp_path, mode):
    app = flagship_app(tmp_path, max_body=1000)
    with client_of(app, mode) as client:
        answer = client.post(trigger_path(app), data="x" * 1001, headers=basic())
    assert answer.status_code == 413
    assert answer.json == {"code": 413, "reason": "Request Entity Too Large",
                           "message": "The request body is larger than the limit of 1000 bytes."}
    assert emulator_of(app).store.counts() == {}


def test_over_the_rate_is_429_and_not_queued(tmp_path, mode):
    app = flagship_app(tmp_path, rate_limit=2, rate_window=60, run_scripts=False)
    with client_of(app, mode) as client:
        statuses = [client.post(trigger_path(app), json=invitation(), headers=basic()).status_code for _ in range(4)]
        assert statuses == [202, 202, 429, 429]
        assert client.post(trigger_path(app), json={}, headers=basic()).json["code"] == 429
    assert emulator_of(app).store.counts() == {"queued": 2}


def test_malformed_body_is_accepted_and_its_failure_recorded(app, client):
    # xMatters answers 202 before the script reads the body; the script's verdict is in the activity.
    answer = client.post(trigger_path(app), data="{not json", headers={**basic(), "Content-Type": "application/json"})
    assert answer.status_code == 202
    settle(app)
    [record] = client.get(f"/emulator/api/activity?requestId={answer.json['requestId']}").json["data"]
    assert record["ok"] and record["events"] == []
    assert "the body is not JSON" in record["console"][0]["text"]


def test_form_triggers_create_events(app, client):
    form = next(iter(emulator_of(app).forms))
    trigger = {"properties": {"Room ID": "1", "Room Name": "R", "Room Link": "https://h/r", "Message": "m",
                              "Invited By": "x"}, "recipients": [{"id": "jdoe", "recipientType": "PERSON"}]}
    for path in (f"/api/xm/1/forms/{form}/triggers", f"/api/xm/1/plans/any-plan/forms/{form}/triggers",
                 f"/reapi/2015-04-01/forms/{form}/triggers"):
        answer = client.post(path, json=trigger, headers=basic())
        assert answer.status_code == 202
        events = client.get(f"/api/xm/1/events?requestId={answer.json['requestId']}", headers=basic()).json
        assert events["total"] == 1
    # A property the form lacks is taken, not kept (issue #9.3, as the runtime's form.post does).
    extra = client.post(f"/api/xm/1/forms/{form}/triggers", json={**trigger, "properties": {
        **trigger["properties"], "Nope": 1}}, headers=basic())
    assert extra.status_code == 202
    [made] = client.get(f"/api/xm/1/events?requestId={extra.json['requestId']}&embed=properties",
                        headers=basic()).json["data"]
    assert "Nope" not in json.dumps(made["properties"]) and "Room Name" in json.dumps(made["properties"])
    bad = client.post(f"/api/xm/1/forms/{form}/triggers", json={"properties": {"Room ID": {"a": 1}}}, headers=basic())
    assert bad.status_code == 400 and "Property 'Room ID': expected Text" in bad.json["message"]
    assert client.post("/api/xm/1/forms/nope/triggers", json=trigger, headers=basic()).status_code == 404
    assert client.post(f"/api/xm/1/forms/{form}/triggers", data="x", headers=basic()).status_code == 415
    assert client.post(f"/api/xm/1/forms/{form}/triggers", data="{x", headers={
        **basic(), "Content-Type": "application/json"}).status_code == 400
