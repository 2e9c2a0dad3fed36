"""The app factory: `create_app(config)` gives the Flask app of one local xMatters (WSGI, e.g. for waitress)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .._runtime.outcome import reason_phrase
from .config import ServeConfig
from .core import SELF_PREFIX, ApiError, Emulator
from .runhost import RunHost
from .runner import RunQueue
from .store import StoreUnavailable
from .web import SELF_USER, error

StartResponse = Callable[..., Any]


def create_app(config: ServeConfig, *, start: bool = True) -> Flask:
    """The app; with `start`, its run queue starts (and picks up requests an earlier server left). With
    `config.run_host`, start it once the emulator's URL is set (`runs_of(app).start()`)."""
    from .routes import console, control, inbound, rest

    app = Flask("xmplan._serve", template_folder="pages")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    app.json.sort_keys = False  # type: ignore[attr-defined]  # xMatters' field order, not alphabetical
    emulator = Emulator(config)
    runs: RunQueue | RunHost = RunHost(emulator) if config.run_host else RunQueue(emulator, config.workers)
    app.extensions["xmplan"] = emulator
    app.extensions["xmplan.runs"] = runs
    for module in (inbound, rest, control, console):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(rest.deprecated)
    _errors(app)
    app.wsgi_app = _SelfCalls(app.wsgi_app, emulator)  # type: ignore[method-assign]
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    if start and config.run_scripts:
        runs.start()
    return app


def emulator_of(app: Flask) -> Emulator:
    found: Emulator = app.extensions["xmplan"]
    return found


def runs_of(app: Flask) -> RunQueue | RunHost:
    found: RunQueue | RunHost = app.extensions["xmplan.runs"]
    return found


def _errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        return error(exc.status, exc.message)

    @app.errorhandler(StoreUnavailable)
    def unavailable(exc: StoreUnavailable) -> Response:
        # Nothing was stored, so nothing was accepted: the caller may retry.
        return error(503, f"The emulator's database cannot take the request now ({exc}); retry later.",
                     {"Retry-After": "1"})

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> Response:
        limit = app.config["MAX_CONTENT_LENGTH"]
        return error(413, f"The request body is larger than the limit of {limit} bytes.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | tuple[str, int]:
        status = exc.code or 500
        if request.path == "/" or request.path.startswith("/console/"):
            return render_template("error.html", status=status, reason=reason_phrase(status),
                                   message=exc.description or ""), status
        return error(status, exc.description or "")


class _SelfCalls:
    """Scripts reach this emulator through their `xMatters` endpoint at `/emulator/self/<key>/...`:
    the prefix is removed and the call acts as the integration user."""

    def __init__(self, app: Callable[..., Iterable[bytes]], emulator: Emulator) -> None:
        self.app = app
        self.prefix = f"{SELF_PREFIX}{emulator.self_secret}"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(SELF_PREFIX):
            if not path.startswith(self.prefix + "/"):
                start_response("404 Not Found", [("Content-Type", "application/json")])
                return [b'{"code": 404, "reason": "Not Found", "message": "Unknown path key."}']
            environ["PATH_INFO"] = path[len(self.prefix):]
            environ[SELF_USER] = True
        else:
            environ.pop(SELF_USER, None)
        return self.app(environ, start_response)
