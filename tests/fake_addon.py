"""A minimal Connect add-on for testing the HipChat stand-in on its own (the real one is xmplan._hipchat.addon)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from flask import Flask, jsonify, request

DIALOG_PAGE = """<!doctype html><html><head><script src="{hipchat}/atlassian-connect/all.js"></script></head>
<body><h1>Fake dialog</h1><p id="who">?</p><p id="room">?</p><p id="token">?</p><p id="clicked">none</p>
<script>
HipChat.user.getCurrentUser(function (err, user) {{ document.getElementById('who').textContent = user.name; }});
HipChat.room.getRoomDetails(function (err, room) {{ document.getElementById('room').textContent = room.name; }});
HipChat.dialog.updatePrimaryAction({{enabled: false}});
HipChat.auth.withToken(function (err, token) {{
  fetch('/claims', {{headers: {{Authorization: 'JWT ' + token}}}}).then(function (r) {{ return r.text(); }})
    .then(function (t) {{ document.getElementById('token').textContent = t;
                          HipChat.dialog.updatePrimaryAction({{enabled: true, name: 'Post it'}}); }});
}});
HipChat.register({{"dialog-button-click": function (event, closeDialog) {{
  document.getElementById('clicked').textContent = event.action;
  if (event.action === 'fake.send') {{
    HipChat.auth.withToken(function (err, token) {{
      fetch('/post', {{method: 'POST', headers: {{Authorization: 'JWT ' + token}}}})
        .then(function () {{ closeDialog(true); }});
    }});
  }} else {{ closeDialog(false); }}
}}}});
</script></body></html>"""


@dataclass
class FakeAddon:
    """What the fake add-on saw: install callbacks, DELETEs, and the claims of the JWTs it got."""

    base: str = ""
    installs: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    refuse_install: bool = False


def descriptor(base: str, scopes: list[str]) -> dict[str, Any]:
    return {
        "key": "test.fake", "name": "Fake", "description": "A fake add-on", "links": {"self": f"{base}/d.json"},
        "capabilities": {
            "installable": {"callbackUrl": f"{base}/installable"},
            "hipchatApiConsumer": {"scopes": scopes, "fromName": "Fake bot"},
            "configurable": {"url": f"{base}/configure"},
            "dialog": [{"key": "fake.dialog", "title": {"value": "Fake Dialog"}, "url": f"{base}/dialog",
                        "options": {"primaryAction": {"name": {"value": "Send"}, "key": "fake.send"},
                                    "secondaryActions": [{"name": {"value": "Cancel"}, "key": "fake.cancel"}],
                                    "size": {"width": "420px", "height": "260px"}}}],
            "action": [{"key": "fake.action", "name": {"value": "Open Fake"}, "location": "hipchat.input.action",
                        "target": "fake.dialog"}],
        },
    }


def create_fake_addon(seen: FakeAddon, scopes: list[str] | None = None) -> Flask:
    app = Flask(__name__)
    wanted = scopes or ["send_notification", "view_room"]

    def verify() -> dict[str, Any]:
        token = request.args.get("signed_request") or request.headers.get("Authorization", "")[4:]
        oauth_id = jwt.decode(token, options={"verify_signature": False})["iss"]
        claims: dict[str, Any] = jwt.decode(token, seen.installs[oauth_id]["oauthSecret"], algorithms=["HS256"])
        seen.claims.append(claims)
        return claims

    def api_token(oauth_id: str, scope: str) -> tuple[str, str]:
        inst = seen.installs[oauth_id]
        caps = requests.get(inst["capabilitiesUrl"], timeout=5).json()
        answer = requests.post(caps["capabilities"]["oauth2Provider"]["tokenUrl"], timeout=5,
                               auth=(oauth_id, inst["oauthSecret"]),
                               data={"grant_type": "client_credentials", "scope": scope})
        answer.raise_for_status()
        return caps["capabilities"]["hipchatApiProvider"]["url"], answer.json()["access_token"]

    @app.get("/d.json")
    def get_descriptor() -> Any:
        return jsonify(descriptor(seen.base, wanted))

    @app.post("/installable")
    def installable() -> Any:
        if seen.refuse_install:
            return "no thanks", 500
        body = request.get_json()
        caps = requests.get(body["capabilitiesUrl"], timeout=5).json()
        assert caps["links"]["self"] == body["capabilitiesUrl"]
        seen.installs[body["oauthId"]] = body
        api_token(body["oauthId"], "send_notification")  # proves the credentials, as real add-ons do
        return "", 201

    @app.delete("/installable/<oauth_id>")
    def uninstall(oauth_id: str) -> Any:
        seen.deleted.append(oauth_id)
        seen.installs.pop(oauth_id, None)
        return "", 204

    @app.get("/configure")
    def configure() -> Any:
        claims = verify()
        return f"<!doctype html><h1>Fake configuration</h1><p id='iss'>{claims['iss']}</p>"

    @app.get("/dialog")
    def dialog() -> Any:
        claims = verify()
        inst = seen.installs[claims["iss"]]
        hipchat = inst["capabilitiesUrl"].rsplit("/v2/", 1)[0]
        return DIALOG_PAGE.format(hipchat=hipchat)

    @app.get("/claims")
    def claims_route() -> Any:
        claims = verify()
        return f"{claims['sub']} {claims['context'].get('room_id')}"

    @app.post("/post")
    def post() -> Any:
        claims = verify()
        api, token = api_token(claims["iss"], "send_notification")
        room = claims["context"]["room_id"]
        answer = requests.post(f"{api}room/{room}/notification", timeout=5,
                               headers={"Authorization": f"Bearer {token}"},
                               json={"message": "Posted by <b>Fake</b> <script>alert(1)</script>", "color": "purple"})
        return "", answer.status_code

    return app
