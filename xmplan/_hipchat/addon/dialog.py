"""The invite dialog and its back end: recipient lookup through xMatters, and Send Invite."""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from ..descriptor import CANCEL_KEY, SEND_KEY
from .connect import ConnectError, InstallationGone
from .current import addon, context, jwt_required
from .payload import build_payload, message_limit, payload_problems, recipient_limit
from .xmatters import XMatters, XMattersError

bp = Blueprint("dialog", __name__)
log = logging.getLogger("xmplan.hipchat.addon")
MIN_QUERY = 2
NOT_CONFIGURED = ("This add-on is not configured yet: a HipChat administrator must open its configuration page "
                  "(HipChat administration → Integrations → xMatters → Configure), test the xMatters sign-in "
                  "and save the Invite to Room URL.")


def xmatters_client() -> tuple[XMatters | None, str | None]:
    """The configured xMatters and the Invite to Room URL, or (None, None) before configuration."""
    state, ctx = addon(), context()
    settings = state.store.get_settings(ctx.installation.oauth_id)
    password = state.store.password(ctx.installation.oauth_id) if settings else None
    if settings is None or not settings.configured or password is None:
        return None, None
    return XMatters(state.session, settings.xmatters_url, settings.username, password), settings.invite_url


@bp.get("/dialog/invite")
@jwt_required
def show() -> str:
    ctx = context()
    client, _ = xmatters_client()
    return render_template("dialog.html", all_js=f"{ctx.installation.web_url}/atlassian-connect/all.js",
                           signed_request=ctx.token, configured=client is not None, not_configured=NOT_CONFIGURED,
                           send_key=SEND_KEY, cancel_key=CANCEL_KEY, limit=message_limit(),
                           max_recipients=recipient_limit(), min_query=MIN_QUERY)


@bp.get("/dialog/invite/recipients")
@jwt_required
def recipients() -> tuple[Response, int]:
    client, _ = xmatters_client()
    if client is None:
        return jsonify(error=NOT_CONFIGURED), 409
    text = request.args.get("q", "").strip()
    if len(text) < MIN_QUERY:
        return jsonify(results=[]), 200
    try:
        found = client.search(text[:100])
    except XMattersError as exc:
        return jsonify(error=str(exc)), 502
    return jsonify(results=[r.json() for r in found]), 200


def picked(body: Any) -> tuple[list[dict[str, str]], str]:
    raw = body.get("recipients") if isinstance(body, dict) else None
    chosen = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item.get("type") in ("PERSON", "GROUP"):
            entry = {"id": item["id"], "type": str(item["type"])}
            if entry not in chosen:
                chosen.append(entry)
    message = body.get("message") if isinstance(body, dict) else None
    return chosen, message.strip() if isinstance(message, str) else ""


@bp.post("/dialog/invite/send")
@jwt_required
def send() -> tuple[Response, int]:
    state, ctx = addon(), context()
    client, invite_url = xmatters_client()
    if client is None or invite_url is None:
        return jsonify(error=NOT_CONFIGURED), 409
    chosen, message = picked(request.get_json(silent=True))
    if not chosen:
        return jsonify(error="Pick at least one xMatters user or group."), 400
    if not message:
        return jsonify(error="Describe why you invite them."), 400
    if len(message) > message_limit():
        return jsonify(error=f"The description is {len(message)} characters long; the limit is "
                             f"{message_limit()}."), 400
    room_id = ctx.room_id if ctx.room_id is not None else ctx.installation.room_id
    if room_id is None or ctx.user_id is None:
        return jsonify(error="HipChat did not say which room and user this is; open the dialog from a room."), 400
    hipchat = state.hipchat(ctx)
    try:
        room = hipchat.room(room_id)
        user = hipchat.user(ctx.user_id)
    except InstallationGone:
        raise  # answered by the app: the installation is removed
    except ConnectError as exc:
        return jsonify(error=f"Could not read the room or your user from HipChat: {exc}."), 502
    link = room_link(room, ctx.installation.web_url, room_id)
    payload = build_payload({"id": room.get("id", room_id), "name": room["name"]}, link, chosen, message, user,
                            ctx.installation.hipchat_url)
    problems = payload_problems(payload)
    if problems:
        return jsonify(error="The invitation is not valid: " + "; ".join(problems)), 400
    try:
        request_id = client.invite(invite_url, payload)
    except XMattersError as exc:
        log.info("invite from %s in room %s failed: %s", ctx.installation.oauth_id, room_id, exc)
        return jsonify(error=str(exc)), 502
    log.info("invite from %s in room %s sent: request %s, %d recipient(s)", ctx.installation.oauth_id, room_id,
             request_id, len(chosen))
    names = ", ".join(escape(r["id"]) for r in chosen)
    hipchat.notify(room_id, f"<b>{escape(str(user['name']))}</b> invited {names} through xMatters.")
    return jsonify(sent=True, requestId=request_id, recipients=len(chosen)), 200


def room_link(room: dict[str, Any], web_url: str, room_id: int | str) -> str:
    links = room.get("links")
    web = links.get("web") if isinstance(links, dict) else None
    return web if isinstance(web, str) and web.startswith(("http://", "https://")) else f"{web_url}/chat/room/{room_id}"
