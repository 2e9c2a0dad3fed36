"""JWT from HipChat on every page and call: HS256 signed with the installation's secret, found by `iss`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from flask import Request

from .store import Installation, Store

# HipChat's clock and ours may differ a little; ac-flask allows 10 s.
LEEWAY = 10.0


class Unauthorized(Exception):
    """No token, or one that does not prove it comes from an installation's HipChat; answered with 401."""


@dataclass(frozen=True)
class Context:
    """Who is calling: the installation (`iss`), the HipChat user (`sub`) and the room, if any."""

    installation: Installation
    user_id: str | None
    room_id: int | None
    token: str
    claims: dict[str, Any]


def token_from(request: Request) -> str | None:
    """`?signed_request=`, a form field of that name, or `Authorization: JWT <token>` (or `JWT token=<token>`)."""
    header = request.headers.get("Authorization", "")
    if header[:4].lower() == "jwt ":
        value = header[4:].strip()
        return value[6:] if value.startswith("token=") else value
    return request.args.get("signed_request") or request.form.get("signed_request") or None


def verify(token: str | None, store: Store, clock: Callable[[], float]) -> Context:
    """The caller's context, or Unauthorized with a reason (the reason is logged, never the token)."""
    if not token:
        raise Unauthorized("no JWT (signed_request or Authorization: JWT) on the request")
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"not a JWT ({exc})") from None
    # Only HS256: "none" carries no signature, and an RS256 token "verified" with the HMAC secret as a
    # public key is the classic algorithm confusion. PyJWT refuses both when told the one algorithm.
    if header.get("alg") != "HS256":
        raise Unauthorized(f"JWT algorithm {header.get('alg')!r} is not HS256")
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise Unauthorized("JWT has no iss")
    inst = store.get_installation(issuer)
    if inst is None:
        raise Unauthorized(f"JWT iss {issuer!r} is not an installation of this add-on")
    try:
        claims = jwt.decode(token, inst.oauth_secret, algorithms=["HS256"], leeway=LEEWAY,
                            # exp is checked below against the injected clock, not PyJWT's system clock
                            # HipChat versions differ on whether sub (the user id) is a number or a string;
                            # PyJWT >= 2.10 refuses numbers, so sub is read as given and turned into text below.
                            options={"require": ["exp", "iss"], "verify_exp": False, "verify_iat": False,
                                     "verify_sub": False, "verify_jti": False},
                            issuer=issuer)
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"JWT refused ({exc})") from None
    exp = claims["exp"]
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise Unauthorized("JWT exp is not a number")
    if exp + LEEWAY < clock():
        raise Unauthorized("JWT has expired")
    context = claims.get("context")
    room = context.get("room_id") if isinstance(context, dict) else None
    room_id = int(room) if isinstance(room, (int, str)) and str(room).isdigit() else None
    if inst.room_id is not None and room_id is not None and room_id != inst.room_id:
        raise Unauthorized(f"JWT names room {room_id}, but this installation is for room {inst.room_id}")
    sub = claims.get("sub")
    return Context(inst, str(sub) if sub is not None else None, room_id, token, claims)
