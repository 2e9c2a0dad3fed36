"""The configuration page: xMatters host, user and password; Test Authentication; then the Invite to Room URL."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request

from . import csrf
from .current import addon, context, jwt_required
from .store import Settings
from .xmatters import XMatters, XMattersError, base_url, check_invite_url

bp = Blueprint("configure", __name__)
log = logging.getLogger("xmplan.hipchat.addon")


def page(settings: Settings | None, status: int = 200, *, error: str = "", notice: str = "",
         host: str | None = None, username: str | None = None, invite_url: str | None = None) -> tuple[str, int]:
    state, ctx = addon(), context()
    has_password = state.store.password(ctx.installation.oauth_id) is not None if settings else False
    html = render_template(
        "configure.html",
        all_js=f"{ctx.installation.web_url}/atlassian-connect/all.js",
        signed_request=ctx.token,
        csrf_token=csrf.issue(state.store.vault, ctx.installation.oauth_id, ctx.user_id, state.config.clock()),
        host=host if host is not None else (settings.xmatters_url if settings else ""),
        username=username if username is not None else (settings.username if settings else ""),
        has_password=has_password,
        verified=bool(settings and settings.verified),
        invite_url=invite_url if invite_url is not None else ((settings.invite_url if settings else None) or ""),
        configured=bool(settings and settings.configured),
        error=error, notice=notice)
    return html, status


@bp.get("/configure")
@jwt_required
def show() -> tuple[str, int]:
    return page(addon().store.get_settings(context().installation.oauth_id))


@bp.post("/configure")
@jwt_required
def submit() -> tuple[str, int]:
    state, ctx = addon(), context()
    oauth_id = ctx.installation.oauth_id
    settings = state.store.get_settings(oauth_id)
    now = state.config.clock()
    if not csrf.valid(state.store.vault, request.form.get("csrf_token"), oauth_id, ctx.user_id, now):
        return page(settings, 403, error="This form has expired or did not come from this page. "
                                         "Reload the configuration page and try again.")
    host_text, username = request.form.get("host", ""), request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        url = base_url(host_text)
    except XMattersError as exc:
        return page(settings, 400, error=str(exc), host=host_text, username=username)
    if request.form.get("action") == "save":
        return save(settings, url, username, password, request.form.get("invite_url", ""))
    if not username:
        return page(settings, 400, error="Enter the integration user's name.", host=url, username=username)
    if not password and settings and (settings.xmatters_url, settings.username) == (url, username):
        password = state.store.password(oauth_id) or ""  # the stored one, never shown: "a password is set"
    if not password:
        return page(settings, 400, error="Enter the integration user's password.", host=url, username=username)
    try:
        name = XMatters(state.session, url, username, password).check()
    except XMattersError as exc:
        log.info("Test Authentication for %s on %s failed: %s", oauth_id, url, exc)
        return page(settings, 200, error=str(exc), host=url, username=username)
    state.store.put_credentials(oauth_id, url, username, password, now)
    log.info("Test Authentication for %s on %s succeeded as %s", oauth_id, url, username)
    return page(state.store.get_settings(oauth_id),
                notice=f"Signed in to xMatters as {name} ({username}). Now paste the Invite to Room URL.")


def save(settings: Settings | None, url: str, username: str, password: str, invite_text: str) -> tuple[str, int]:
    state, ctx = addon(), context()
    if settings is None or not settings.verified:
        return page(settings, 400, error="Test Authentication first.", host=url, username=username)
    if (settings.xmatters_url, settings.username) != (url, username) or password:
        return page(settings, 400, error="The host, user or password changed: click Test Authentication again "
                                         "before saving.", host=url, username=username, invite_url=invite_text)
    try:
        invite_url = check_invite_url(invite_text, settings.xmatters_url)
    except XMattersError as exc:
        return page(settings, 400, error=str(exc), invite_url=invite_text)
    state.store.put_invite_url(ctx.installation.oauth_id, invite_url, state.config.clock())
    log.info("settings saved for %s", ctx.installation.oauth_id)
    return page(state.store.get_settings(ctx.installation.oauth_id),
                notice="Settings saved. People in HipChat can now use + → xMatters Invite To Room.")
