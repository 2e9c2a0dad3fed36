"""The web console: server-rendered pages of plans, events and activity, with CSRF-checked forms.

Every state-changing request is a POST carrying the page's CSRF token (an HMAC of a per-start
secret, which a page of another site cannot read), and a browser's Origin, when sent, must be
this server. Pages may not be framed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response as BaseResponse

from ..._model import Json
from ..core import ApiError
from ..web import emulator

blueprint = Blueprint("console", __name__)


def csrf_token() -> str:
    key = current_app.extensions.get("xmplan.console_key")
    if key is None:
        configured = emulator().config.secret_key
        key = current_app.extensions.setdefault("xmplan.console_key",
                                                (configured or secrets.token_hex(32)).encode())
    return hmac.new(key, b"xmplan console csrf", hashlib.sha256).hexdigest()


@blueprint.app_context_processor
def _globals() -> dict[str, Json]:
    return {"csrf_token": csrf_token, "xm": emulator()}


@blueprint.before_request
def _check_csrf() -> None:
    if request.method != "POST":
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") != request.host_url.rstrip("/"):
        abort(403, "This form was sent from another site.")
    given = request.form.get("csrf_token", "")
    if not hmac.compare_digest(given.encode(), csrf_token().encode()):
        abort(403, "The form's CSRF token is missing or wrong: reload the page and try again.")


@blueprint.after_request
def _no_framing(answer: Response) -> Response:
    answer.headers.setdefault("X-Frame-Options", "DENY")
    answer.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; "
                                                         "frame-ancestors 'none'; form-action 'self'")
    return answer


@blueprint.get("/")
def home() -> str:
    return render_template("home.html")


@blueprint.get("/console/events")
def events() -> str:
    _, rows = emulator().store.events(limit=200)
    return render_template("events.html", events=rows)


@blueprint.get("/console/events/<key>")
def event(key: str) -> str:
    xm = emulator()
    found = xm.store.event(key)
    if found is None:
        abort(404, f"No event {key!r}.")
    form = xm.forms.get(found["form_uuid"])
    notifications = xm.store.notifications(found["id"])
    people: dict[str, list[Json]] = {}
    for n in notifications:
        people.setdefault(n["person"], []).append(n)
    return render_template("event.html", event=found, form=form[1] if form else None, people=people,
                           recipients=xm.store.recipients(found["id"]),
                           annotations=xm.store.annotations(found["id"]),
                           runs=[{**r, "integration_name": xm.integrations[r["integration"]][1].name}
                                 for r in xm.store.requests_for(found["id"]) if r["integration"] in xm.integrations],
                           message=request.args.get("message"))


@blueprint.post("/console/events/<key>/respond")
def respond(key: str) -> BaseResponse:
    xm = emulator()
    try:
        done = xm.respond(key, request.form.get("recipient", ""), request.form.get("response", ""),
                          request.form.get("comment") or None)
        message = f"{done['recipient']} responded {done['response']}; {len(done['fired'])} outbound run(s) fired."
    except ApiError as exc:
        message = f"Not recorded: {exc.message}"
    return redirect(url_for("console.event", key=key, message=message), 303)


@blueprint.post("/console/events/<key>/status")
def status(key: str) -> BaseResponse:
    xm = emulator()
    user = xm.config.integration_user
    try:
        changed = xm.change_status(key, request.form.get("status", ""), user)
        message = f"Event {changed['event_id']} is {changed['status']}."
    except ApiError as exc:
        message = f"Not changed: {exc.message}"
    return redirect(url_for("console.event", key=key, message=message), 303)


@blueprint.get("/console/activity")
def activity() -> str:
    xm = emulator()
    request_id = request.args.get("requestId") or None
    integration = request.args.get("integration") or None
    records = xm.store.activity(request_id=request_id, integration=integration, limit=200)
    stored = xm.store.request(request_id) if request_id else None
    return render_template("activity.html", records=records, request_id=request_id, integration=integration,
                           stored=stored)


@blueprint.post("/console/send/<integration_id>")
def send(integration_id: str) -> BaseResponse:
    """The console's test request to an inbound integration, sent as the Integration User."""
    xm = emulator()
    found = xm.integrations.get(integration_id)
    if found is None or found[1].type != "INBOUND_WEBHOOK":
        abort(404, "No such inbound integration.")
    content_type = request.form.get("content_type") or "application/json"
    request_id = xm.accept(found[1], method="POST", headers={"Content-Type": content_type}, parameters={},
                           body=request.form.get("body", ""), remote=request.remote_addr or "",
                           user=xm.config.integration_user)
    return redirect(url_for("console.activity", requestId=request_id), 303)
