"""HipChat REST API v2 as the add-on and the plan use it: capabilities, tokens, rooms, users, notifications."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Response, jsonify, request

from .context import base_url, state
from .model import SCOPE_DESCRIPTIONS, SCOPE_NAMES, Room, Token, User
from .sanitize import sanitise_html, text_to_html

api = Blueprint("hipchat_api", __name__)

NOTIFICATION_COLOURS = ("yellow", "green", "red", "purple", "gray", "random")
MAX_MESSAGE = 10000
MAX_FROM = 64


def error(code: int, message: str) -> tuple[Response, int]:
    """HipChat's error body: `{"error": {"code", "message", "type"}}`."""
    kinds = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}
    return jsonify({"error": {"code": code, "message": message, "type": kinds.get(code, "Error")}}), code


@api.get("/v2/capabilities")
def capabilities() -> Response:
    base = base_url()
    return jsonify({
        "name": "HipChat stand-in (test double)",
        "description": "A local test double of HipChat Server's Connect API, for tests and demos; not HipChat",
        "key": "hipchat",
        "vendor": {"name": "xmplan", "url": "https://github.com/"},
        "links": {"self": f"{base}/v2/capabilities", "api": f"{base}/v2", "homepage": base, "subdomain": base},
        "connect_server_api_version": 1,
        "capabilities": {
            "oauth2Provider": {"authorizationUrl": f"{base}/users/authorize", "tokenUrl": f"{base}/v2/oauth/token"},
            "hipchatApiProvider": {
                "url": f"{base}/v2/",
                "availableScopes": {k: {"id": k, "name": SCOPE_NAMES[k], "description": SCOPE_DESCRIPTIONS[k]}
                                    for k in SCOPE_NAMES},
            },
        },
    })


def _basic_credentials() -> tuple[str, str] | None:
    kind, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


@api.post("/v2/oauth/token")
def token() -> Any:
    credentials = _basic_credentials()
    inst = state().installation(credentials[0]) if credentials else None
    if inst is None or credentials is None or credentials[1] != inst.secret:
        return error(401, "Invalid OAuth client credentials")
    grant = request.form.get("grant_type", "")
    if grant != "client_credentials":
        return error(400, f"Unsupported grant_type {grant!r}: the stand-in issues add-on tokens (client_credentials)")
    asked = tuple(dict.fromkeys(request.form.get("scope", "").split())) or inst.scopes
    extra = [s for s in asked if s not in inst.scopes]
    if extra:
        return error(400, f"Invalid scope {' '.join(extra)}: the add-on was installed with {' '.join(inst.scopes)}")
    issued = state().issue_token(inst, asked)
    return jsonify({"access_token": issued.access_token, "token_type": "bearer", "scope": " ".join(asked),
                    "expires_in": int((issued.expires_at or 0) - state().clock()),
                    "group_id": state().group_id, "group_name": state().group_name})


def bearer(*any_of: str) -> Token | tuple[Response, int]:
    """The request's token if it carries one of `any_of`, else HipChat's 401 or 403."""
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip() if kind.lower() == "bearer" else request.args.get("auth_token", "")
    found = state().token(value) if value else None
    if found is None:
        return error(401, "Invalid OAuth session")
    if not set(any_of) & set(found.scopes):
        return error(403, f"This endpoint requires one of these scopes: {', '.join(any_of)}")
    return found


def room_json(room: Room) -> dict[str, Any]:
    base = base_url()
    return {"id": room.id, "name": room.name, "topic": room.topic, "privacy": room.privacy, "is_archived": False,
            "owner": user_json(state().user(room.owner)) if state().user(room.owner) else None,
            "links": {"self": f"{base}/v2/room/{room.id}", "web": f"{base}/chat/room/{room.id}",
                      "participants": f"{base}/v2/room/{room.id}/participant"}}


def user_json(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "mention_name": user.mention_name, "email": user.email,
            "title": user.title, "timezone": user.timezone,
            "links": {"self": f"{base_url()}/v2/user/{user.id}"}}


@api.get("/v2/room")
def rooms() -> Any:
    found = bearer("view_group")
    if not isinstance(found, Token):
        return found
    items = [room_json(r) for r in state().rooms()]
    return jsonify({"items": items, "startIndex": 0, "maxResults": 100, "links": {"self": f"{base_url()}/v2/room"}})


@api.get("/v2/room/<key>")
def room(key: str) -> Any:
    found = bearer("view_room", "view_group")
    if not isinstance(found, Token):
        return found
    target = state().room(key)
    if target is None or (found.room_id is not None and found.room_id != target.id):
        return error(404, f"Room not found: {key}")
    return jsonify(room_json(target))


@api.get("/v2/room/<key>/participant")
def participants(key: str) -> Any:
    found = bearer("view_room", "view_group")
    if not isinstance(found, Token):
        return found
    target = state().room(key)
    if target is None:
        return error(404, f"Room not found: {key}")
    items = [user_json(state().user(uid)) for uid in target.participants]
    return jsonify({"items": items, "startIndex": 0, "maxResults": 100})


@api.get("/v2/user/<key>")
def user(key: str) -> Any:
    found = bearer("view_group")
    if not isinstance(found, Token):
        return found
    person = state().user(key)
    if person is None:
        return error(404, f"User not found: {key}")
    return jsonify(user_json(person))


@api.post("/v2/room/<key>/notification")
def notification(key: str) -> Any:
    found = bearer("send_notification")
    if not isinstance(found, Token):
        return found
    target = state().room(key)
    if target is None:
        return error(404, f"Room not found: {key}")
    if found.room_id is not None and found.room_id != target.id:
        return error(403, "This room notification token belongs to another room")
    inst = state().installation(found.oauth_id) if found.oauth_id else None
    if inst is not None and not inst.covers(target.id):
        return error(403, "The add-on is not installed in this room")
    body = request.get_json(silent=True)
    problem = notification_problem(body)
    if problem:
        return error(400, problem)
    assert isinstance(body, dict)
    if request.args.get("auth_test") == "true":
        return Response(status=202)
    message = str(body["message"])
    html = sanitise_html(message) if body.get("message_format", "html") == "html" else text_to_html(message)
    if inst is not None:
        consumer = inst.capabilities.get("hipchatApiConsumer") or {}
        sender = str(consumer.get("fromName") or inst.name)
    else:
        sender = found.label or "Notification"
    state().post(target.id, sender, html, str(body.get("color", "yellow")), bool(body.get("notify", False)),
                 str(body.get("from", "")))
    return Response(status=204)


def notification_problem(body: object) -> str:
    """Why HipChat would refuse this notification body, or ''."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object (Content-Type: application/json)"
    message = body.get("message")
    if not isinstance(message, str) or not 1 <= len(message) <= MAX_MESSAGE:
        return f"message is required and must be 1 to {MAX_MESSAGE} characters"
    if body.get("message_format", "html") not in ("html", "text"):
        return "message_format must be html or text"
    if body.get("color", "yellow") not in NOTIFICATION_COLOURS:
        return f"color must be one of {', '.join(NOTIFICATION_COLOURS)}"
    if not isinstance(body.get("notify", False), bool):
        return "notify must be true or false"
    if not isinstance(body.get("from", ""), str) or len(body.get("from", "")) > MAX_FROM:
        return f"from must be a string of at most {MAX_FROM} characters"
    return ""
