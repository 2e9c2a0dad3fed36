"""What every view needs: the stand-in's state and config, its base URL, and signed_request JWTs."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from flask import current_app, request

from .model import Clock, Directory, Installation, Standin

EXTENSION = "xmplan._hipchat.standin"
# HipChat's JWTs lived about an hour (hipchat.md §2.6).
JWT_LIFETIME = 3600


@dataclass(frozen=True)
class StandinConfig:
    """How to build a stand-in. `base_url` None: taken from each request (the `${host}` convention)."""

    directory: Directory = field(default_factory=Directory)
    clock: Clock = time.time
    base_url: str | None = None
    # The stand-in calls add-ons (descriptor, install callback, uninstall) through this.
    http: Callable[[], requests.Session] = requests.Session
    timeout: float = 10.0


@dataclass
class AppState:
    config: StandinConfig
    standin: Standin
    http: requests.Session
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))


def app_state() -> AppState:
    found: AppState = current_app.extensions[EXTENSION]
    return found


def state() -> Standin:
    return app_state().standin


def base_url() -> str:
    configured = app_state().config.base_url
    return (configured or request.host_url).rstrip("/")


def signed_request(inst: Installation, user_id: int, room_id: int | None) -> str:
    """The JWT HipChat put on every page it opened for an add-on (hipchat.md §2.6)."""
    now = int(state().clock())
    user = state().user(user_id)
    context: dict[str, Any] = {"user_tz": user.timezone if user else "UTC"}
    if room_id is not None:
        context["room_id"] = room_id
    claims = {"iss": inst.oauth_id, "sub": str(user_id), "iat": now, "exp": now + JWT_LIFETIME,
              "jti": secrets.token_urlsafe(15)[:20], "context": context}
    return jwt.encode(claims, inst.secret, algorithm="HS256")


def with_signed_request(url: str, token: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}signed_request={token}"
