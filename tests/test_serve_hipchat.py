"""The HipChat plan end to end over HTTP: invite, event, respond, and the room notification it posts."""

from __future__ import annotations

import threading

import pytest
import requests
from flask import Flask, jsonify, request
from serve_helpers import ROOT, invitation

from xmplan._serve.testing import local_xmatters
from xmplan._web import BackgroundServer

TOKEN = "room-token-from-constant"


class Room:
    """A stand-in for HipChat's room notification API: records each post, answers `status`."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.posts: list[dict] = []
        self.lock = threading.Lock()
        app = Flask("room")

        @app.post("/v2/room/<room>/notification")
        def notify(room: str):
            with self.lock:
                self.posts.append({"room": room, "auth": request.headers.get("Authorization"),
                                   "json": request.get_json()})
            if self.status >= 300:
                return jsonify({"error": {"code": self.status, "message": "HipChat is down"}}), self.status
            return "", self.status

        self.app = app


@pytest.fixture
def room():
    room = Room()
    with BackgroundServer(room.app) as server:
        room.url = server.url
        yield room


def invite_and_find_event(xm):
    answer = requests.post(xm.trigger_url("Invite to Room"), json=invitation(), auth=xm.auth, timeout=10)
    assert answer.status_code == 202
    request_id = answer.json()["requestId"]
    assert xm.wait_idle()
    found = requests.get(f"{xm.url}/api/xm/1/events", auth=xm.auth, timeout=10,
                         params={"requestId": request_id, "embed": "recipients,properties"}).json()
    assert found["total"] == 1
    event = found["data"][0]
    assert [(r["targetName"], r["recipientType"]) for r in event["recipients"]["data"]] == [
        ("mmcbride", "PERSON"), ("Database Admins", "GROUP")]
    return event


def respond(xm, event, recipient, response, comment=None):
    answer = requests.post(f"{xm.url}/emulator/api/events/{event['id']}/responses", timeout=10,
                           json={"recipient": recipient, "response": response, "comment": comment})
    assert answer.status_code == 201, answer.text
    assert xm.wait_idle()
    return answer.json()


def activity(xm, integration):
    return requests.get(f"{xm.url}/emulator/api/activity", params={"integration": integration},
                        timeout=10).json()["data"]


def test_accept_with_a_comment_posts_the_escaped_notification(tmp_path, room, engine_name):
    with local_xmatters(ROOT, data=tmp_path, engine=engine_name, constants={"HipChat Token": TOKEN},
                        endpoints={"HipChat": room.url}) as xm:
        event = invite_and_find_event(xm)
        fired = respond(xm, event, "mmcbride", "Accept", "On my way <b>now</b> & then")
        assert len(fired["fired"]) == 1  # Post Response to Room (the plan has no ANNOTATION integration)
        [post] = room.posts
        assert post["room"] == "42" and post["auth"] == f"Bearer {TOKEN}"
        assert post["json"] == {
            "message": "<b>Mary McBride (mmcbride)</b> accepted the xMatters invitation to Ops &lt;war room&gt; "
                       f"(event {event['eventId']}).<br>Comment: <i>On my way &lt;b&gt;now&lt;/b&gt; &amp; then</i>",
            "message_format": "html", "color": "green", "notify": True}
        [run] = activity(xm, "Post Response to Room")
        assert run["ok"] and run["trigger"] == "RESPONSE" and run["event"] == event["id"]
        [call] = run["http"]
        assert call["headers"]["Authorization"] == "****" and call["response"]["status"] == 204
        assert TOKEN not in str(run)
        # The response is recorded; Accept stops notifying the rest of the group Mary was reached through.
        notes = {(n["person"], n["state"]) for n in xm.emulator.store.notifications(event["id"])}
        assert ("mmcbride", "RESPONDED") in notes and ("bsmith", "DELIVERED") in notes


def test_decline_without_comment(tmp_path, room, engine_name):
    with local_xmatters(ROOT, data=tmp_path, engine=engine_name, constants={"HipChat Token": TOKEN},
                        endpoints={"HipChat": room.url}) as xm:
        event = invite_and_find_event(xm)
        respond(xm, event, "bsmith", "decline")
        [post] = room.posts
        assert post["json"]["color"] == "red"
        assert post["json"]["message"] == ("<b>Bob Smith (bsmith)</b> declined the xMatters invitation to "
                                           f"Ops &lt;war room&gt; (event {event['eventId']}).")


def test_hipchat_answering_500_is_logged_and_does_not_fail_the_run(tmp_path, room, engine_name):
    room.status = 500
    with local_xmatters(ROOT, data=tmp_path, engine=engine_name, constants={"HipChat Token": TOKEN},
                        endpoints={"HipChat": room.url}) as xm:
        event = invite_and_find_event(xm)
        respond(xm, event, "mmcbride", "Accept")
        assert len(room.posts) == 1
        [run] = activity(xm, "Post Response to Room")
        assert run["ok"]
        [line] = run["console"]
        assert line["level"] == "error"
        assert "HipChat had a server error (HTTP 500: HipChat is down)" in line["text"]


def test_responses_that_cannot_be_taken(tmp_path, room, engine_name):
    with local_xmatters(ROOT, data=tmp_path, engine=engine_name, constants={"HipChat Token": TOKEN},
                        endpoints={"HipChat": room.url}) as xm:
        event = invite_and_find_event(xm)
        url = f"{xm.url}/emulator/api/events/{event['id']}/responses"
        cases = [({"recipient": "jdoe", "response": "Accept"}, 404),  # not notified
                 ({"recipient": "mmcbride", "response": "Maybe"}, 400),
                 ({"recipient": "mmcbride"}, 400),
                 ({"recipient": "mmcbride", "response": "Accept", "comment": 5}, 400)]
        for body, status in cases:
            answer = requests.post(url, json=body, timeout=10)
            assert answer.status_code == status, body
            assert answer.json()["code"] == status
        assert requests.post(url, data="recipient=mmcbride", timeout=10).status_code == 415
        assert requests.post(f"{xm.url}/emulator/api/events/nope/responses", json={
            "recipient": "mmcbride", "response": "Accept"}, timeout=10).status_code == 404
        terminated = requests.post(f"{xm.url}/api/xm/1/events", json={"id": event["id"], "status": "TERMINATED"},
                                   auth=xm.auth, timeout=10)
        assert terminated.status_code == 200 and terminated.json()["status"] == "TERMINATED"
        late = requests.post(url, json={"recipient": "mmcbride", "response": "Accept"}, timeout=10)
        assert late.status_code == 409
        assert room.posts == []
