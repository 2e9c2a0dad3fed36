"""`POST /api/integration/1/functions/{id}/triggers`: authenticate, limit, store, answer 202 {requestId}."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque

from flask import Blueprint, Response, current_app, jsonify, request

from ..core import ApiError
from ..plans import INBOUND, Integration
from ..web import basic_user, emulator

blueprint = Blueprint("inbound", __name__)
# Never handed to the script or stored: credentials travel in these.
_SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization"}
_SECRET_PARAMETERS = {"apikey"}


class RateLimit:
    """At most `count` requests per integration in any `window` seconds."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, count: int, window: float) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - window:
                seen.popleft()
            if len(seen) >= count:
                return False
            seen.append(now)
            return True


@blueprint.route("/api/integration/1/functions/<integration_id>/triggers",
                 methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def trigger(integration_id: str) -> Response:
    started = time.perf_counter()
    xm = emulator()
    found = xm.integrations.get(integration_id)
    if found is None or found[1].type != INBOUND:
        raise ApiError(404, f"No inbound integration with id {integration_id!r} in the plans being served.")
    integration = found[1]
    user = _authenticate(integration)
    if request.method != "POST":
        raise ApiError(405, "Inbound integrations are triggered with POST.")
    limits: RateLimit = current_app.extensions.setdefault("xmplan.rate", RateLimit())
    if not limits.allow(integration.id, xm.config.rate_limit, xm.config.rate_window):
        raise ApiError(429, f"More than {xm.config.rate_limit} requests in {xm.config.rate_window:g} seconds "
                            "to this integration; this one was rejected and will not be queued.")
    body = request.get_data(as_text=True)  # over MAX_CONTENT_LENGTH: 413
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _SECRET_HEADERS}
    parameters = {k: v for k, v in request.args.items() if k.lower() not in _SECRET_PARAMETERS}
    storing = time.perf_counter()
    request_id = xm.accept(integration, method=request.method, headers=headers, parameters=parameters,
                           body=body, remote=request.remote_addr or "", user=user)
    stored = time.perf_counter()
    answer = jsonify({"requestId": request_id})
    answer.status_code = 202
    # How long the emulator took (authenticate, store, answer), apart from the network and queueing,
    # and of that how long storing took (waiting for the database included).
    answer.headers["Server-Timing"] = (f"app;dur={(time.perf_counter() - started) * 1000:.2f}, "
                                       f"store;dur={(stored - storing) * 1000:.2f}")
    return answer


def _authenticate(integration: Integration) -> str:
    """The targetName the request acts as, by the integration's authentication; 401 otherwise."""
    xm = emulator()
    if integration.auth in ("BASIC", "ANY"):
        person = basic_user()
        if person is not None:
            return person.target_name
    if integration.auth in ("URL", "ANY"):
        given = request.args.get("apiKey", "")
        if given and hmac.compare_digest(given.encode(), xm.api_keys[integration.id].encode()):
            return xm.config.integration_user
    how = {"BASIC": "Basic authentication with a directory user's targetName and password",
           "URL": "the integration's URL with its apiKey parameter",
           "ANY": "Basic authentication or the integration's apiKey"}[integration.auth]
    raise ApiError(401, f"Authentication failed: the integration {integration.name!r} takes {how}.")
