"""HipChat's side through the Connect protocol only: capabilities, add-on tokens (cached), room and user API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .store import Installation

Clock = Callable[[], float]
TIMEOUT = 10.0
# Tokens are renewed a little before HipChat says they expire, as ac-flask does (20 s).
EARLY = 20.0


class ConnectError(Exception):
    """HipChat could not be reached or answered something unusable; the message is for people."""


class InstallationGone(ConnectError):
    """HipChat's token endpoint refused the installation's credentials: it was removed without telling us."""


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float
    group_id: int | None
    group_name: str | None


def get_json(session: requests.Session, url: str, what: str, **kwargs: Any) -> Any:
    try:
        response = session.get(url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise ConnectError(f"could not reach HipChat for {what} ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise ConnectError(f"HipChat answered HTTP {response.status_code} for {what}")
    try:
        return response.json()
    except ValueError:
        raise ConnectError(f"HipChat's answer for {what} is not JSON") from None


def request_token(session: requests.Session, token_url: str, oauth_id: str, secret: str,
                  scopes: tuple[str, ...], now: float) -> Token:
    """`client_credentials` grant with Basic `oauthId:oauthSecret` (hipchat.md §2.5)."""
    try:
        response = session.post(token_url, auth=(oauth_id, secret), timeout=TIMEOUT,
                                data={"grant_type": "client_credentials", "scope": " ".join(scopes)})
    except requests.RequestException as exc:
        raise ConnectError(f"could not reach HipChat's token endpoint ({type(exc).__name__})") from None
    if response.status_code == 401:
        raise InstallationGone(f"HipChat refused the credentials of installation {oauth_id}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise ConnectError(f"HipChat's token endpoint answered HTTP {response.status_code} without a token")
    expires_in = body.get("expires_in")
    lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else 3600.0
    group_id = body.get("group_id")
    return Token(body["access_token"], now + lifetime, group_id if isinstance(group_id, int) else None,
                 body.get("group_name") if isinstance(body.get("group_name"), str) else None)


class TokenCache:
    """Add-on tokens per (oauthId, scopes), kept until shortly before `expires_in` runs out."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._tokens: dict[tuple[str, frozenset[str]], Token] = {}
        self._lock = threading.Lock()

    def get(self, session: requests.Session, inst: Installation, scopes: tuple[str, ...]) -> str:
        key = (inst.oauth_id, frozenset(scopes))
        with self._lock:
            token = self._tokens.get(key)
        if token and token.expires_at - EARLY > self.clock():
            return token.access_token
        token = request_token(session, inst.token_url, inst.oauth_id, inst.oauth_secret, scopes, self.clock())
        with self._lock:
            self._tokens[key] = token
        return token.access_token

    def forget(self, oauth_id: str) -> None:
        with self._lock:
            for key in [k for k in self._tokens if k[0] == oauth_id]:
                del self._tokens[key]


class HipChatApi:
    """The REST v2 calls of one installation, at the API URL its capabilities document names."""

    def __init__(self, session: requests.Session, tokens: TokenCache, inst: Installation) -> None:
        self.session = session
        self.tokens = tokens
        self.inst = inst

    def _url(self, path: str) -> str:
        return self.inst.api_url.rstrip("/") + "/" + path

    def _auth(self, scope: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.tokens.get(self.session, self.inst, (scope,))}

    def _get(self, path: str, what: str, scope: str) -> Any:
        try:
            return get_json(self.session, self._url(path), what, headers=self._auth(scope))
        except ConnectError as exc:
            if "HTTP 401" not in str(exc):
                raise
        # HipChat may drop a token before it expires (a re-install, a restart): fetch a new one, once.
        self.tokens.forget(self.inst.oauth_id)
        return get_json(self.session, self._url(path), what, headers=self._auth(scope))

    def room(self, room_id: int | str) -> dict[str, Any]:
        # view_group also covers rooms (hipchat.md §3), and the user lookup needs it anyway.
        data = self._get(f"room/{quote(str(room_id), safe='')}", "the room", "view_group")
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise ConnectError("HipChat's room answer has no name")
        return data

    def user(self, user_id: int | str) -> dict[str, Any]:
        data = self._get(f"user/{quote(str(user_id), safe='')}", "the user", "view_group")
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise ConnectError("HipChat's user answer has no name")
        return data

    def notify(self, room_id: int | str, html: str, color: str = "green") -> None:
        """Post a room notification; a failure here is not worth failing an invitation that was sent."""
        try:
            self.session.post(self._url(f"room/{quote(str(room_id), safe='')}/notification"),
                              json={"message": html, "message_format": "html", "color": color, "notify": False},
                              headers=self._auth("send_notification"), timeout=TIMEOUT)
        except InstallationGone:
            raise
        except (requests.RequestException, ConnectError):
            pass
