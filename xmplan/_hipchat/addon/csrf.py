"""CSRF tokens for the add-on's forms: signed, bound to the installation and user, short-lived, no cookie.

Pages live in HipChat's iframe, where third-party cookies are often blocked, so the token is stateless.
"""

from __future__ import annotations

import hmac

from .crypto import Vault

MAX_AGE = 2 * 3600.0


def issue(vault: Vault, oauth_id: str, user: str | None, now: float) -> str:
    issued = str(int(now))
    return f"{issued}.{vault.sign(f'{oauth_id}|{user}|{issued}')}"


def valid(vault: Vault, token: str | None, oauth_id: str, user: str | None, now: float) -> bool:
    issued, _, signature = (token or "").partition(".")
    if not issued.isdigit() or not signature:
        return False
    expected = vault.sign(f"{oauth_id}|{user}|{issued}")
    return hmac.compare_digest(signature, expected) and 0 <= now - int(issued) <= MAX_AGE
