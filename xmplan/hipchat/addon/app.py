"""The add-on's app factory: descriptor, install, configuration page and invite dialog on one Flask app."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

import requests
from flask import Flask, Response, current_app, g, jsonify, request

from .connect import HipChatApi, InstallationGone, TokenCache
from .jwtauth import Context, Unauthorized, token_from, verify
from .store import Store

log = logging.getLogger("xmplan.hipchat.addon")
F = TypeVar("F", bound=Callable[..., Any])
MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class AddonConfig:
    """Everything the add-on needs from outside; storage, clock and HTTP are injected so tests control them."""

    descriptor: dict[str, Any]
    store: Store
    clock: Callable[[], float] = time.time
    http: Callable[[], requests.Session] = requests.Session
    # HipChat base URLs installs may come from (`--hipchat`); empty: any. Without it, anyone can make the
    # add-on fetch a capabilities URL of their choosing, so a production add-on should name its HipChat.
    hipchats: tuple[str, ...] = ()


@dataclass
class Addon:
    """Per-app state: the config plus the token cache."""

    config: AddonConfig
    tokens: TokenCache = field(init=False)
    session: requests.Session = field(init=False)  # one connection pool for every call to HipChat and xMatters

    def __post_init__(self) -> None:
        self.tokens = TokenCache(self.config.clock)
        self.session = self.config.http()

    @property
    def store(self) -> Store:
        return self.config.store

    def hipchat(self, ctx: Context) -> HipChatApi:
        return HipChatApi(self.session, self.tokens, ctx.installation)

    def uninstall(self, oauth_id: str, why: str) -> None:
        self.tokens.forget(oauth_id)
        if self.store.delete_installation(oauth_id):
            log.info("installation %s removed: %s", oauth_id, why)


def addon() -> Addon:
    return cast(Addon, current_app.extensions["xmplan_addon"])


def context() -> Context:
    return cast(Context, g.hipchat)


def jwt_required(view: F) -> F:
    """Only for requests that carry a valid JWT of an installation; `context()` is then the caller."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = addon()
        try:
            g.hipchat = verify(token_from(request), state.store, state.config.clock)
        except Unauthorized as exc:
            log.warning("401 on %s %s: %s", request.method, request.path, exc)
            return Response("This page opens only from HipChat (the request carries no valid JWT).\n", 401,
                            {"Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": "JWT"})
        return view(*args, **kwargs)

    return cast(F, wrapper)


def create_app(config: AddonConfig) -> Flask:
    from .configure import bp as configure_bp
    from .dialog import bp as dialog_bp
    from .install import bp as install_bp

    app = Flask(__name__)
    # Every body the add-on takes (install callback, forms, an invitation) is small; refuse big ones early.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["xmplan_addon"] = Addon(config)
    app.register_blueprint(install_bp)
    app.register_blueprint(configure_bp)
    app.register_blueprint(dialog_bp)

    @app.get("/atlassian-connect.json")
    def descriptor() -> Response:
        return jsonify(config.descriptor)

    @app.get("/")
    def home() -> Response:
        return Response("xMatters add-on for HipChat: install it from /atlassian-connect.json\n",
                        content_type="text/plain; charset=utf-8")

    @app.errorhandler(InstallationGone)
    def gone(exc: InstallationGone) -> tuple[Response, int]:
        # HipChat no longer knows the credentials: the add-on was removed without telling us (ac-flask does the same).
        ctx = g.get("hipchat")
        if ctx is not None:
            addon().uninstall(ctx.installation.oauth_id, str(exc))
        return jsonify(error="HipChat no longer knows this installation of the add-on; it has been removed. "
                             "Install it again from HipChat's integrations page."), 401

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
