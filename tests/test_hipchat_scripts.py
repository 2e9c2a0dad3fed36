"""The Invite to Room scripts, run through the local runtime: invitations in, responses out to HipChat."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from xmplan._runtime.api import Runtime, load_plan

ROOT = Path(__file__).parents[1]
SCHEMA = json.loads((ROOT / "xmplan" / "schemas" / "invite-payload.schema.json").read_text(encoding="utf-8"))
TOKEN = "hc-test-token-9f2b"
REJECTED = "Invite to Room: invitation rejected, no event created: "
NOT_POSTED = "Post Response to Room: response of "

ROOM = {"id": 4242, "name": "Ops War Room", "link": "https://hipchat.example.com/chat/room/4242"}
INVITER = {"name": "Jane Doe", "mentionName": "JaneDoe", "id": 17}


def invitation(**changes: object) -> dict:
    body = {"room": dict(ROOM), "recipients": [{"id": "mmcbride", "type": "PERSON"}],
            "message": "Database is down, please join", "invitedBy": dict(INVITER),
            "hipchatUrl": "https://hipchat.example.com"}
    for key, value in changes.items():
        if value is DROP:
            body.pop(key)
        else:
            body[key] = value
    return body


DROP = object()


@pytest.fixture(scope="module")
def plan():
    return load_plan(ROOT)


@pytest.fixture
def runtime(plan, engine_name: str) -> Runtime:
    runtime = Runtime(plan, engine=engine_name)
    runtime.constants["HipChat Token"] = TOKEN  # the admin fills it in after import
    return runtime


def invite(runtime: Runtime, body: object):
    return runtime.run("Invite to Room", body=body if isinstance(body, str) else json.dumps(body))


# --- inbound: invitations that create events -------------------------------------------------------------

@pytest.mark.parametrize(
    "recipients",
    [
        [{"id": "mmcbride", "type": "PERSON"}],
        [{"id": "Database Admins", "type": "GROUP"}],
        [{"id": "mmcbride", "type": "PERSON"}, {"id": "Database Admins", "type": "GROUP"},
         {"id": "bsmith", "type": "PERSON"}],
    ],
    ids=["person", "group", "several"],
)
def test_invitation_creates_one_event(runtime: Runtime, recipients: list) -> None:
    outcome = invite(runtime, invitation(recipients=recipients))
    assert outcome.ok and outcome.rejected == () and outcome.http == ()
    [event] = outcome.events
    assert event.form == "Invite to Room"
    assert list(event.recipients) == [{"id": r["id"], "recipientType": r["type"]} for r in recipients]
    assert event.properties == {"Room ID": "4242", "Room Name": "Ops War Room",
                                "Room Link": "https://hipchat.example.com/chat/room/4242",
                                "Message": "Database is down, please join", "Invited By": "Jane Doe (@JaneDoe)"}
    assert outcome.lines == [f'Invite to Room: event created for room "Ops War Room" with {len(recipients)} '
                             "recipient(s)"]


def test_minimal_invitation_and_string_room_id(runtime: Runtime) -> None:
    body = invitation(room={**ROOM, "id": "ops-war-room"}, invitedBy={"name": " Jane "},
                      hipchatUrl="https://HipChat.example.com/")
    [event] = invite(runtime, body).events
    assert (event.properties["Room ID"], event.properties["Invited By"]) == ("ops-war-room", "Jane")


def test_message_at_the_limit_is_accepted(runtime: Runtime) -> None:
    assert len(invite(runtime, invitation(message="x" * 2000)).events) == 1


# --- inbound: invitations that are refused -----------------------------------------------------------------

BAD_INVITATIONS = [
    ("missing recipients", invitation(recipients=DROP), "recipients is missing"),
    ("empty recipients", invitation(recipients=[]), "recipients is empty: name at least one xMatters user or group"),
    ("bad recipient type", invitation(recipients=[{"id": "ops", "type": "TEAM"}]),
     'recipients[0].type must be PERSON or GROUP, got "TEAM"'),
    ("recipient not an object", invitation(recipients=["mmcbride"]), "recipients[0] must be an object"),
    ("blank recipient id", invitation(recipients=[{"id": "  ", "type": "PERSON"}]), "recipients[0].id is empty"),
    ("recipient listed twice", invitation(recipients=[{"id": "a", "type": "PERSON"}, {"id": "a", "type": "PERSON"}]),
     'recipients[1] repeats "a" (PERSON)'),
    ("too many recipients", invitation(recipients=[{"id": f"u{n}", "type": "PERSON"} for n in range(21)]),
     "recipients has 21 entries; the limit is 20"),
    ("unknown top-level fields", invitation(priority="HIGH", callback="x"),
     'the body has unknown fields "callback", "priority"'),
    ("unknown room field", invitation(room={**ROOM, "topic": "x"}), 'room has unknown field "topic"'),
    ("oversized message", invitation(message="x" * 2001), "message is 2001 characters long; the limit is 2000"),
    ("blank message", invitation(message=" \n "), "message is empty"),
    ("message not a string", invitation(message=["hi"]), "message must be a string"),
    ("missing room", invitation(room=DROP), "room is missing"),
    ("room link not a URL", invitation(room={**ROOM, "link": "javascript:alert(1)"}),
     'room.link must be an http or https URL, got "javascript:alert(1)"'),
    ("negative room id", invitation(room={**ROOM, "id": -3}), "room.id must be a positive whole number"),
    ("missing inviter", invitation(invitedBy=DROP), "invitedBy is missing"),
    ("inviter without name", invitation(invitedBy={"mentionName": "x"}), "invitedBy.name is missing"),
    ("missing HipChat URL", invitation(hipchatUrl=DROP), "hipchatUrl is missing"),
]


@pytest.mark.parametrize(("body", "reason"), [case[1:] for case in BAD_INVITATIONS],
                         ids=[case[0] for case in BAD_INVITATIONS])
def test_bad_invitation_creates_no_event_and_logs_why(runtime: Runtime, body: dict, reason: str) -> None:
    outcome = invite(runtime, body)
    assert outcome.ok and outcome.events == () and outcome.rejected == ()
    [line] = outcome.console
    assert line.level == "error" and line.text.startswith(REJECTED) and reason in line.text, line.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "the body is not JSON ("),
        ("", "the request has no body"),
        ("[1, 2]", "the body must be a JSON object, got [1,2]"),
        ("null", "the body must be a JSON object, got "),  # js2py 0.74 parses "null" as undefined
        (json.dumps(invitation(message="x" * 70000)), "the body is "),
    ],
    ids=["not JSON", "empty", "array", "null", "oversized body"],
)
def test_unreadable_bodies_create_no_event(runtime: Runtime, body: str, reason: str) -> None:
    outcome = invite(runtime, body)
    assert outcome.ok and outcome.events == ()
    assert [line.level for line in outcome.console] == ["error"]
    assert outcome.lines[0].startswith(REJECTED + reason)


def test_every_problem_is_reported_in_one_line(runtime: Runtime) -> None:
    outcome = invite(runtime, invitation(recipients=[], message="", extra=1))
    [line] = outcome.lines
    assert line.count("; ") == 2


def test_invitation_from_another_hipchat_is_refused(runtime: Runtime) -> None:
    outcome = invite(runtime, invitation(hipchatUrl="https://evil.example.net"))
    assert outcome.events == ()
    assert 'hipchatUrl "https://evil.example.net" is not the HipChat this plan answers to' in outcome.lines[0]


# The published JSON Schema and the script agree on what a good invitation is.
SCHEMA_CASES = [case[1] for case in BAD_INVITATIONS if case[0] != "recipient listed twice"] + [
    invitation(), invitation(recipients=[{"id": "g", "type": "GROUP"}]), invitation(message="x" * 2000),
    invitation(room={**ROOM, "id": "name-of-room"}), invitation(invitedBy={"name": "Solo"}),
]


@pytest.mark.parametrize("body", SCHEMA_CASES)
def test_schema_and_script_agree(runtime: Runtime, body: dict) -> None:
    schema_ok = jsonschema.Draft7Validator(SCHEMA).is_valid(body)
    script_ok = len(invite(runtime, body).events) == 1
    assert schema_ok == script_ok


def test_payload_schema_is_a_valid_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)


# --- outbound: responses posted to the room ----------------------------------------------------------------

def callback(answer: str = "Accept", comment: str | None = None, recipient: str = "mmcbride",
             room_name: str = "Ops War Room", room_id: str = "4242") -> dict:
    """A response callback in the older request.body style (comment "null" when there is none)."""
    return {"eventIdentifier": 1000001, "date": "2020-09-16 18:02:44.000",
            "eventProperties": [{"Room ID": room_id}, {"Room Name": room_name},
                                {"Room Link": "https://hipchat.example.com/chat/room/4242"},
                                {"Invited By": "Jane Doe (@JaneDoe)"}],
            "recipient": recipient, "device": "Work Email", "response": answer,
            "annotation": comment if comment is not None else "null"}


def respond(runtime: Runtime, body: dict, *answers: dict):
    if answers:
        runtime.respond("HipChat", *answers)
    outcome = runtime.run("Post Response to Room", body=body)
    assert outcome.ok, outcome.error
    assert all(TOKEN not in line for line in outcome.lines)
    return outcome


@pytest.mark.parametrize(
    ("answer", "comment", "color", "html"),
    [
        ("Accept", None, "green", "<b>mmcbride</b> accepted the xMatters invitation to Ops War Room (event 1000001)."),
        ("Accept", "joining in 5", "green", "<b>mmcbride</b> accepted the xMatters invitation to Ops War Room "
                                            "(event 1000001).<br>Comment: <i>joining in 5</i>"),
        ("Decline", None, "red", "<b>mmcbride</b> declined the xMatters invitation to Ops War Room (event 1000001)."),
        ("Decline", "on a plane", "red", "<b>mmcbride</b> declined the xMatters invitation to Ops War Room "
                                         "(event 1000001).<br>Comment: <i>on a plane</i>"),
    ],
    ids=["accept", "accept-with-comment", "decline", "decline-with-comment"],
)
def test_response_is_posted_to_the_room(runtime: Runtime, answer: str, comment: str | None, color: str,
                                        html: str) -> None:
    outcome = respond(runtime, callback(answer, comment), {"status": 204})
    [call] = outcome.http
    assert (call.endpoint, call.method, call.url) == (
        "HipChat", "POST", "https://hipchat.example.com/v2/room/4242/notification")
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.headers["Content-Type"] == "application/json"
    assert call.json == {"message": html, "message_format": "html", "color": color, "notify": True}
    assert outcome.lines == ["Post Response to Room: posted to HipChat room 4242 (HTTP 204)"]


def test_object_style_payload_names_the_responder(runtime: Runtime) -> None:
    body = {"event": {"eventId": 1000002, "properties": {"Room ID": "4242", "Room Name": "Ops War Room"}},
            "respondedTo": {"at": "2020-09-16T18:02:44Z",
                            "by": {"targetName": "mmcbride", "firstName": "Mary", "lastName": "McBride"}},
            "response": {"response": "Accept", "comment": "on it"}}
    [call] = respond(runtime, body, {"status": 204}).http
    assert call.json["message"].startswith("<b>Mary McBride (mmcbride)</b> accepted")
    assert call.json["message"].endswith("<br>Comment: <i>on it</i>")


def test_html_in_user_text_is_escaped(runtime: Runtime) -> None:
    body = callback("Decline", comment="<script>alert('x')</script> & \"more\"", recipient="o'brien<b>",
                    room_name="R&D <Ops>")
    [call] = respond(runtime, body, {"status": 204}).http
    message = call.json["message"]
    assert message == ("<b>o&#39;brien&lt;b&gt;</b> declined the xMatters invitation to R&amp;D &lt;Ops&gt; "
                       "(event 1000001).<br>Comment: <i>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                       "&quot;more&quot;</i>")


def test_room_names_are_encoded_in_the_path(runtime: Runtime) -> None:
    [call] = respond(runtime, callback(room_id="Ops War/Room"), {"status": 204}).http
    assert call.url == "https://hipchat.example.com/v2/room/Ops%20War%2FRoom/notification"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"status": 401, "body": {"error": {"code": 401, "message": "Invalid OAuth session", "type": "Unauthorized"}}},
         'HipChat refused the token: check the "HipChat Token" constant (a token with the send_notification scope) '
         "(HTTP 401: Invalid OAuth session)"),
        ({"status": 404, "body": {"error": {"code": 404, "message": "Room not found"}}},
         "HipChat has no such room"),
        ({"status": 429, "body": "Too Many Requests", "headers": {"X-Ratelimit-Reset": "1600000000"}},
         "HipChat rate limit reached; the notification was not posted (HTTP 429)"),
        ({"status": 500, "body": "<html>oops</html>"}, "HipChat had a server error (HTTP 500)"),
        ({"status": 503, "body": {"error": {"message": "Maintenance\nwindow"}}},
         "HipChat had a server error (HTTP 503: Maintenance window)"),
    ],
    ids=["401", "404", "429", "500", "503"],
)
def test_hipchat_errors_are_logged_not_thrown(runtime: Runtime, answer: dict, reason: str) -> None:
    outcome = respond(runtime, callback(), answer)
    assert len(outcome.http) == 1
    [line] = outcome.console
    assert line.level == "error"
    assert line.text.startswith(f'{NOT_POSTED}"mmcbride" not posted to room "4242": ') and reason in line.text


def test_hipchat_timeout_is_logged_not_thrown(runtime: Runtime) -> None:
    outcome = respond(runtime, callback(), {"error": "Read timed out. (read timeout=10)"})
    [call] = outcome.http
    assert call.response is None and "timed out" in call.error
    [line] = outcome.console
    assert line.level == "error"
    assert line.text.startswith(f'{NOT_POSTED}"mmcbride" not posted to room "4242": could not reach HipChat (')
    assert "timed out" in line.text


def test_blank_token_skips_the_call(runtime: Runtime) -> None:
    runtime.constants["HipChat Token"] = "   "
    outcome = respond(runtime, callback())
    assert outcome.http == ()
    assert 'the "HipChat Token" constant is blank' in outcome.lines[0]


def test_event_without_room_posts_nothing(runtime: Runtime) -> None:
    body = callback()
    body["eventProperties"] = [{"Room Name": "x"}]
    outcome = respond(runtime, body)
    assert outcome.http == ()
    assert 'has no "Room ID" property' in outcome.lines[0]


def test_unreadable_callback_is_logged(runtime: Runtime) -> None:
    outcome = runtime.run("Post Response to Room", body="not json")
    assert outcome.ok and outcome.http == ()
    assert outcome.lines[0].startswith("Post Response to Room: could not read the response callback (")


@pytest.mark.parametrize("form", ["text", "json"])
def test_run_output_never_shows_the_token(tmp_path: Path, capsys, form: str) -> None:
    from xmplan._cli import main

    tree = tmp_path / "tree"
    for part in ("plan", "scripts"):
        shutil.copytree(ROOT / part, tree / part)
    integrations = tree / "plan/integrations/integrations.json.j2"
    text = integrations.read_text(encoding="utf-8")
    integrations.write_text(text.replace('"name": "HipChat Token",\n      "value": ""',
                                         f'"name": "HipChat Token",\n      "value": "{TOKEN}"'), encoding="utf-8")
    assert TOKEN in integrations.read_text(encoding="utf-8")
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"body": callback()}), encoding="utf-8")
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"status": 204, "body": ""}), encoding="utf-8")
    assert main(["run", str(tree), "Post Response to Room", "--request", str(request),
                 "--respond", f"HipChat={answer}", "--format", form]) == 0
    out = capsys.readouterr().out
    assert TOKEN not in out and "HipChat" in out
    if form == "json":
        (call,) = json.loads(out)["http"]
        assert call["headers"]["Authorization"] == "****"
