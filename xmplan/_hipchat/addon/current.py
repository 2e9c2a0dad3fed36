"""The add-on of the current request: its config and state, the caller's JWT context, `jwt_required`.

The blueprints (install, configure, dialog) import these from here and the app factory imports
the blueprints, so neither imports the other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

import requests
from flask import Response, current_app, g, request

from .connect import HipChatApi, TokenCache
from .jwtauth import Context, Unauthorized, token_from, verify
from .store import Store

log = logging.getLogger("xmplan.hipchat.addon")
F = TypeVar("F", bound=Callable[..., Any])


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
