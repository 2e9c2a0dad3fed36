"""The admin pages: install an add-on from its descriptor URL, approve its scopes, configure, uninstall."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from .context import app_state, base_url, signed_request, state, with_signed_request
from .install import InstallError, fetch_descriptor, install, uninstall
from .model import SCOPE_DESCRIPTIONS, SCOPE_NAMES

admin = Blueprint("hipchat_admin", __name__)


def _room_choice() -> int | None:
    value = request.form.get("room", "")
    if not value:
        return None
    room = state().room(value)
    if room is None:
        abort(400, "no such room")
    return room.id


@admin.get("/admin/integrations")
def integrations() -> str:
    installs = state().installations()
    return render_template("admin.html", installs=installs, rooms=state().rooms(), scope_names=SCOPE_NAMES,
                           room_names={r.id: r.name for r in state().rooms()})


@admin.post("/admin/integrations/review")
def review() -> Any:
    url = request.form.get("url", "").strip()
    room_id = _room_choice()
    try:
        found = fetch_descriptor(app_state().http, url, app_state().config.timeout)
    except InstallError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".integrations"))
    room = state().room(room_id) if room_id is not None else None
    scopes = [(s, SCOPE_NAMES[s], SCOPE_DESCRIPTIONS[s]) for s in found.scopes]
    return render_template("review.html", review=found, scopes=scopes, room=room)


@admin.post("/admin/integrations/install")
def do_install() -> Any:
    url = request.form.get("url", "").strip()
    room_id = _room_choice()
    config = app_state().config
    try:
        found = fetch_descriptor(app_state().http, url, config.timeout)
        inst = install(state(), app_state().http, found, room_id, base_url(), config.timeout)
    except InstallError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".integrations"))
    flash(f"{inst.name} was installed.", "ok")
    return redirect(url_for(".integrations"))


@admin.post("/admin/integrations/<oauth_id>/uninstall")
def do_uninstall(oauth_id: str) -> Any:
    try:
        flash(uninstall(state(), app_state().http, oauth_id, app_state().config.timeout), "ok")
    except InstallError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".integrations"))


@admin.get("/admin/integrations/<oauth_id>/configure")
def configure(oauth_id: str) -> Any:
    inst = state().installation(oauth_id)
    if inst is None or not inst.confirmed:
        flash("That integration is not installed.", "error")
        return redirect(url_for(".integrations"))
    page = inst.capabilities.get("configurable")
    if not isinstance(page, dict) or not isinstance(page.get("url"), str):
        flash(f"{inst.name} has no configuration page.", "error")
        return redirect(url_for(".integrations"))
    url = page["url"]
    if page.get("authentication", "jwt") == "jwt":
        url = with_signed_request(url, signed_request(inst, state().current_user.id, inst.room_id))
    return render_template("configure.html", inst=inst, frame_url=url, user=state().current_user)


@admin.post("/admin/integrations/<oauth_id>/token")
def config_token(oauth_id: str) -> Any:
    """`HipChat.auth.withToken` on a configuration page: a fresh JWT of the same shape."""
    inst = state().installation(oauth_id)
    if inst is None:
        return jsonify({"error": "The integration is no longer installed"}), 404
    return jsonify({"token": signed_request(inst, state().current_user.id, inst.room_id)})


@admin.post("/admin/rooms/<int:room_id>/tokens")
def room_token(room_id: int) -> Any:
    """Room → Tokens: a room notification token, shown once (for the plan's "HipChat Token" constant)."""
    room = state().room(room_id)
    if room is None:
        abort(404)
    label = request.form.get("label", "").strip() or "xMatters"
    token = state().issue_room_token(room.id, label[:50])
    return render_template("token.html", room=room, token=token)
