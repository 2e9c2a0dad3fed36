"""The room pages: messages, the + menu of add-on actions, authorization on first use, dialogs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for

from .api import room_json, user_json
from .context import signed_request, state, with_signed_request
from .model import SCOPE_NAMES, Installation, Room
from .sanitize import text_to_html

rooms = Blueprint("hipchat_rooms", __name__)

# HipChat's ADG dialog sizes (hipchat.md §1.4 dialog.options.size).
DIALOG_SIZES = {"small": ("400px", "300px"), "medium": ("600px", "400px"), "large": ("800px", "600px"),
                "xlarge": ("968px", "700px")}


def _room(room_id: int) -> Room:
    found = state().room(room_id)
    if found is None:
        abort(404)
    return found


def input_actions(room_id: int) -> list[dict[str, str]]:
    """The + menu: every `hipchat.input.action` of the add-ons installed here, by weight then name."""
    found = []
    for inst in state().installations(room_id):
        for action in inst.capabilities.get("action") or []:
            if isinstance(action, dict) and action.get("location") == "hipchat.input.action":
                name = (action.get("name") or {}).get("value", action.get("key", ""))
                found.append((int(action.get("weight", 100)), str(name), inst.oauth_id, str(action.get("key"))))
    return [{"weight": str(w), "name": n, "oauth_id": o, "key": k} for w, n, o, k in sorted(found)]


@rooms.get("/")
def lobby() -> Any:
    first = state().rooms()[0]
    return redirect(url_for(".room_page", room_id=first.id))


@rooms.get("/chat/room/<int:room_id>")
def room_page(room_id: int) -> str:
    room = _room(room_id)
    user = state().current_user
    return render_template("room.html", room=room, rooms=state().rooms(), actions=input_actions(room.id),
                           messages=state().messages(room.id), user=user,
                           bridge={"user": user_json(user), "room": room_json(room)})


@rooms.get("/chat/room/<int:room_id>/messages")
def messages(room_id: int) -> str:
    return render_template("messages.html", messages=state().messages(_room(room_id).id))


@rooms.post("/chat/room/<int:room_id>/messages")
def say(room_id: int) -> Any:
    text = request.form.get("message", "").strip()
    if text:
        state().post(_room(room_id).id, state().current_user.name, text_to_html(text[:10000]), None)
    return "", 204


def _dialog_for(inst: Installation, action_key: str) -> dict[str, Any] | None:
    caps = inst.capabilities
    action = next((a for a in caps.get("action") or [] if isinstance(a, dict) and a.get("key") == action_key), None)
    if action is None:
        return None
    target = action.get("target")
    key = target.get("key") if isinstance(target, dict) else target
    return next((d for d in caps.get("dialog") or [] if isinstance(d, dict) and d.get("key") == key), None)


@rooms.post("/chat/room/<int:room_id>/actions/<oauth_id>/<action_key>")
def open_action(room_id: int, oauth_id: str, action_key: str) -> Any:
    """What pressing an action does: ask for authorization first, else the dialog to open."""
    room, user = _room(room_id), state().current_user
    inst = state().installation(oauth_id)
    if inst is None or not inst.confirmed or not inst.covers(room.id):
        return jsonify({"error": "This integration is not installed in this room"}), 404
    if not state().is_authorized(inst.oauth_id, room.id, user.id):
        return jsonify({"authorize": {"name": inst.name, "description": inst.descriptor.get("description", ""),
                                      "scopes": [SCOPE_NAMES[s] for s in inst.scopes]}})
    dialog = _dialog_for(inst, action_key)
    if dialog is None:
        return jsonify({"error": "This action opens something other than a dialog (not emulated)"}), 400
    options = dict(dialog.get("options") or {})
    size = options.get("size", "medium")
    width, height = DIALOG_SIZES.get(size, DIALOG_SIZES["medium"]) if isinstance(size, str) else (
        size.get("width", "600px"), size.get("height", "400px"))
    url = str(dialog["url"])
    if dialog.get("authentication", "jwt") == "jwt":
        url = with_signed_request(url, signed_request(inst, user.id, room.id))
    secondary = options.get("secondaryActions")
    return jsonify({"dialog": {
        "key": dialog["key"], "title": (dialog.get("title") or {}).get("value", ""), "url": url,
        "width": width, "height": height, "style": options.get("style", "normal"),
        "hint": (options.get("hint") or {}).get("value", ""),
        "primary": options.get("primaryAction"),
        # "If not specified, a default 'Close' button will be rendered" (hipchat.md §1.4).
        "secondary": secondary if isinstance(secondary, list) else [{"name": {"value": "Close"}, "key": None}],
    }})


@rooms.post("/chat/room/<int:room_id>/authorize/<oauth_id>")
def grant(room_id: int, oauth_id: str) -> Any:
    room = _room(room_id)
    inst = state().installation(oauth_id)
    if inst is None or not inst.covers(room.id):
        return jsonify({"error": "This integration is not installed in this room"}), 404
    state().authorize(inst.oauth_id, room.id, state().current_user.id)
    return jsonify({"ok": True})


@rooms.post("/chat/room/<int:room_id>/token/<oauth_id>")
def token(room_id: int, oauth_id: str) -> Any:
    """`HipChat.auth.withToken` in a dialog: a fresh JWT with the same claims HipChat gave the page."""
    room = _room(room_id)
    inst = state().installation(oauth_id)
    if inst is None or not inst.covers(room.id):
        return jsonify({"error": "The integration is no longer installed"}), 404
    return jsonify({"token": signed_request(inst, state().current_user.id, room.id)})
