"""Stand-ins for the add-on's tests: a small HipChat Connect server and helpers to install and sign JWTs."""

from __future__ import annotations

import base64
import itertools
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from flask import Flask, Response, jsonify, request

from xmplan._hipchat.addon.app import AddonConfig, create_app
from xmplan._hipchat.addon.cli import descriptor_for
from xmplan._hipchat.addon.crypto import Vault, load_key
from xmplan._hipchat.addon.store import Store
from xmplan._web import BackgroundServer

ADDON_URL = "http://127.0.0.1:8090"
FUNCTION = "/api/integration/1/functions/0b9c3a4e-6d1f-4c3e-9a1b-2f5e8d7c6b5a/triggers"


@dataclass
class HipChatState:
    """What the small Connect server knows and what it saw."""

    url: str = ""
    clients: dict[str, str] = field(default_factory=dict)  # oauthId -> secret
    self_link: str | None = None  # None: the real capabilities URL
    token_url: str | None = None  # None: this server's token endpoint
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    rooms: dict[int, dict[str, Any]] = field(default_factory=lambda: {
        4242: {"id": 4242, "name": "Ops <War> Room", "privacy": "public"}})
    users: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        "17": {"id": 17, "name": "Jane Doe", "mention_name": "JaneDoe"}})
    tokens: dict[str, tuple[str, set[str]]] = field(default_factory=dict)  # token -> (oauthId, scopes)
    expires_in: int = 3600


def hipchat_app(state: HipChatState) -> Flask:
    app = Flask("fake-hipchat")
    counter = itertools.count(1)

    @app.get("/v2/capabilities")
    def capabilities() -> Response:
        caps_url = f"{state.url}/v2/capabilities"
        return jsonify({
            "name": "HipChat", "key": "hipchat", "description": "stand-in",
            "links": {"self": state.self_link or caps_url, "api": f"{state.url}/v2", "homepage": state.url},
            "capabilities": {"oauth2Provider": {"tokenUrl": state.token_url or f"{state.url}/v2/oauth/token"},
                             "hipchatApiProvider": {"url": f"{state.url}/v2/"}},
        })

    @app.post("/v2/oauth/token")
    def token() -> tuple[Response, int]:
        auth = request.headers.get("Authorization", "")
        basic = base64.b64decode(auth[6:]).decode() if auth[:6] == "Basic " else ":"
        oauth_id, _, secret = basic.partition(":")
        state.token_requests.append({"oauthId": oauth_id, "form": dict(request.form)})
        if state.clients.get(oauth_id) != secret or not oauth_id:
            return jsonify(error="invalid_client"), 401
        value = f"tok-{next(counter)}"
        scopes = set(request.form.get("scope", "").split())
        state.tokens[value] = (oauth_id, scopes)
        return jsonify(access_token=value, token_type="bearer", expires_in=state.expires_in,
                       scope=" ".join(sorted(scopes)), group_id=99, group_name="Acme"), 200

    def bearer(scope: str) -> str | None:
        value = request.headers.get("Authorization", "").removeprefix("Bearer ")
        known = state.tokens.get(value)
        return known[0] if known and scope in known[1] else None

    @app.get("/v2/room/<int:room_id>")
    def room(room_id: int) -> tuple[Response, int]:
        if not bearer("view_group"):
            return jsonify(error={"code": 401, "message": "Invalid OAuth session"}), 401
        if room_id not in state.rooms:
            return jsonify(error={"code": 404}), 404
        return jsonify(state.rooms[room_id]), 200

    @app.get("/v2/user/<user_id>")
    def user(user_id: str) -> tuple[Response, int]:
        if not bearer("view_group"):
            return jsonify(error={"code": 401}), 401
        if user_id not in state.users:
            return jsonify(error={"code": 404}), 404
        return jsonify(state.users[user_id]), 200

    @app.get("/atlassian-connect/all.js")
    def all_js() -> Response:
        # Just enough of HipChat's bridge for the dialog: register() keeps the handlers, withToken() hands out
        # the JWT the test put in window.__hipchatToken (the real one asks HipChat for a fresh token).
        return Response("window.HipChat = {handlers: {}, register: function (h) { Object.assign(this.handlers, h); },"
                        " auth: {withToken: function (cb) { setTimeout(function () { cb(null, window.__hipchatToken);"
                        " }, 0); }}};", content_type="application/javascript")

    @app.post("/v2/room/<int:room_id>/notification")
    def notify(room_id: int) -> tuple[str, int]:
        if not bearer("send_notification"):
            return "", 401
        state.notifications.append({"room": room_id, **(request.get_json() or {})})
        return "", 204

    return app


class HipChat:
    """The server and its state, plus what a test needs to install the add-on and open its pages."""

    def __init__(self) -> None:
        self.state = HipChatState()
        self.server = BackgroundServer(hipchat_app(self.state))
        self.state.url = self.server.url
        self.url = self.server.url

    def new_client(self) -> tuple[str, str]:
        oauth_id, secret = str(uuid.uuid4()), uuid.uuid4().hex
        self.state.clients[oauth_id] = secret
        return oauth_id, secret

    def install_body(self, oauth_id: str, secret: str, room_id: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"capabilitiesUrl": f"{self.url}/v2/capabilities", "oauthId": oauth_id,
                                "oauthSecret": secret, "groupId": 99}
        if room_id is not None:
            body["roomId"] = room_id
        return body


def sign(oauth_id: str, secret: str, sub: str = "17", room_id: int | None = 4242, *, exp: float | None = None,
         algorithm: str = "HS256", now: float | None = None) -> str:
    """A JWT as HipChat signs it for pages and calls."""
    issued = time.time() if now is None else now
    claims: dict[str, Any] = {"iss": oauth_id, "sub": sub, "iat": int(issued), "jti": uuid.uuid4().hex[:20],
                              "exp": int(issued + 3600) if exp is None else int(exp),
                              "context": {"user_tz": "UTC", **({"room_id": room_id} if room_id else {})}}
    return jwt.encode(claims, secret, algorithm=algorithm)


def make_addon(tmp: Path, base_url: str = ADDON_URL, database: str | None = None, hipchats: tuple[str, ...] = (),
               **options: bool) -> tuple[Flask, Store]:
    vault = Vault(load_key(tmp / "data", environ={}))
    store = Store.open(database or f"sqlite:///{tmp / 'addon.sqlite3'}", vault)
    app = create_app(AddonConfig(descriptor=descriptor_for(base_url, {}, **options), store=store, hipchats=hipchats))
    return app, store


def hipchat_server() -> Iterator[HipChat]:
    hc = HipChat()
    with hc.server:
        yield hc


@dataclass
class XMattersState:
    """A fake xMatters for tests that do not need the emulator (JWT coverage): one user, one group."""

    user: str = "hipchat"
    password: str = "s3cret-pw"
    events: list[dict[str, Any]] = field(default_factory=list)
    extra_people: list[dict[str, Any]] = field(default_factory=list)
    forbidden: bool = False  # signed in, but no permission (HTTP 403)


def xmatters_app(state: XMattersState) -> Flask:
    app = Flask("fake-xmatters")
    people = [{"id": "p1", "targetName": "mmcbride", "firstName": "Mary", "lastName": "McBride",
               "recipientType": "PERSON"},
              {"id": "p2", "targetName": state.user, "firstName": "Integration", "lastName": "User",
               "recipientType": "PERSON"}, *state.extra_people]
    groups = [{"id": "g1", "targetName": "Database Admins", "recipientType": "GROUP"}]

    def authorized() -> bool:
        auth = request.authorization
        return bool(auth and auth.username == state.user and auth.password == state.password)

    @app.before_request
    def check() -> tuple[Response, int] | None:
        if not authorized():
            return jsonify(code=401, reason="Unauthorized"), 401
        return (jsonify(code=403, reason="Forbidden"), 403) if state.forbidden else None

    @app.get("/api/xm/1/people/<name>")
    def person(name: str) -> tuple[Response, int]:
        found = [p for p in people if p["targetName"] == name]
        return (jsonify(found[0]), 200) if found else (jsonify(code=404), 404)

    def search(items: list[dict[str, Any]]) -> Response:
        text = request.args.get("search", "").lower()
        hits = [i for i in items if any(text in str(v).lower() for v in i.values())]
        return jsonify(count=len(hits), total=len(hits), data=hits)

    @app.get("/api/xm/1/people")
    def search_people() -> Response:
        return search(people)

    @app.get("/api/xm/1/groups")
    def search_groups() -> Response:
        return search(groups)

    @app.post("/api/integration/1/functions/<fn>/triggers")
    def trigger(fn: str) -> tuple[Response, int]:
        posted = request.get_json()
        state.events.append({"recipients": [{"id": r["id"], "recipientType": r["type"]} for r in posted["recipients"]],
                             "payload": posted})
        return jsonify(requestId=str(uuid.uuid4())), 202

    return app
