"""The HipChat stand-in's app factory: a local test double of HipChat Server's Connect side."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request, send_from_directory

from .admin import admin
from .api import api
from .context import EXTENSION, AppState, StandinConfig, app_state
from .model import Standin
from .rooms import rooms

STATIC = Path(__file__).parent / "static"


def create_app(config: StandinConfig | None = None) -> Flask:
    """A stand-in with its own in-memory state (see `standin_of`)."""
    config = config or StandinConfig()
    app = Flask(__name__, static_folder=None, template_folder="templates")
    app.secret_key = secrets.token_bytes(32)
    app.extensions[EXTENSION] = AppState(config, Standin(config.directory, config.clock), config.http())
    app.register_blueprint(api)
    app.register_blueprint(admin)
    app.register_blueprint(rooms)

    @app.before_request
    def check_csrf() -> None:
        # The pages' own forms and fetches carry the token; the REST API uses bearer tokens instead.
        if request.method == "POST" and not request.path.startswith("/v2/"):
            sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
            if not secrets.compare_digest(sent, app_state().csrf):
                abort(403, "missing or wrong CSRF token")

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        return {"csrf": app_state().csrf, "state_user_name": app_state().standin.current_user.name}

    @app.get("/atlassian-connect/<name>")
    def connect_js(name: str) -> Response:
        """all.js (the add-on side of the postMessage bridge) and all.css, as HipChat served them."""
        if name not in ("all.js", "all-debug.js", "all.css"):
            abort(404)
        response = send_from_directory(STATIC, "all.css" if name == "all.css" else "all.js", max_age=0)
        # Add-on pages on other origins load these, as they did from HipChat.
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @app.get("/static/<name>")
    def static_file(name: str) -> Response:
        return send_from_directory(STATIC, name, max_age=0)

    return app


def standin_of(app: Flask) -> Standin:
    """The state of a stand-in made by `create_app`: rooms, installations, tokens, messages."""
    found: AppState = app.extensions[EXTENSION]
    return found.standin
