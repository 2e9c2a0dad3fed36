"""Mask credentials in every text a run's outcome shows: URLs, paths, headers, messages, console lines.

One function, `Masker.text`, in time linear in the text (the regular expressions cannot backtrack
past the next delimiter), covers:
- the password of URL userinfo (`https://user:****@host`);
- the values of query parameters whose whole name is a credential (`token`, `api_key`,
  `X-Amz-Signature`...), never a name that merely contains one (`author`, `sortKey`);
- the values of the run's secrets: constants named like secrets (the names `validate` warns
  about) and the tokens `http.authenticate` hands out, when 4 characters or longer.
Header values are masked by name (`Masker.headers`): any name holding token, key, secret,
password, auth, cookie, session, signature or credential.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from .._secrets import is_secret_name

MASK = "****"
MIN_SECRET = 4  # shorter values would mask ordinary text everywhere
SECRET_PARAMETERS = frozenset({
    "token", "access_token", "refresh_token", "id_token", "auth", "auth_token", "authtoken", "oauth_token",
    "key", "api_key", "apikey", "app_key", "appkey", "private_token", "password", "passwd", "pwd", "pass",
    "secret", "client_secret", "signature", "sig", "session", "sessionid", "session_id", "jwt", "credentials",
    "x_amz_signature", "x_amz_credential", "x_amz_security_token", "x_goog_signature", "x_goog_credential",
})
_SECRET_ENDINGS = ("_token", "_secret", "_password", "_passwd", "_signature", "_apikey", "_api_key")
_SECRET_HEADER_WORDS = ("token", "key", "secret", "password", "passwd", "auth", "cookie", "session", "signature",
                        "credential")
# A parameter starts after `?`, `&` or `;`; its name stops at the next delimiter, so each match
# attempt looks no further than the next parameter.
_PARAMETER = re.compile(r"(?<=[?&;])([^=&;?#\s]+)=([^&;#\s]*)")
_AUTHORITY_END = re.compile(r"[\s/?#]")


def secret_parameter(name: str) -> bool:
    """A query parameter name that carries a credential, by whole name (case and `-`/`_` aside)."""
    key = unquote(name).lower().replace("-", "_")
    return key in SECRET_PARAMETERS or key.endswith(_SECRET_ENDINGS)


def secret_header(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_HEADER_WORDS)


class Masker:
    """Masks the credentials of one run (its secret values) and every credential-shaped text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    @classmethod
    def for_constants(cls, constants: Mapping[str, str], tokens: Iterable[str] = ()) -> Masker:
        """The values of constants named like secrets, and the given tokens."""
        return cls([value for name, value in constants.items() if is_secret_name(name)] + list(tokens))

    def text(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        if "://" in text:
            text = _mask_userinfo(text)
        if "=" in text:
            text = _PARAMETER.sub(_mask_parameter, text)
        return text

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: MASK if secret_header(name) else self.text(value) for name, value in headers.items()}


def _mask_parameter(match: re.Match[str]) -> str:
    name, value = match.group(1), match.group(2)
    return f"{name}={MASK}" if value and secret_parameter(name) else match.group(0)


def _mask_userinfo(text: str) -> str:
    """`scheme://user:password@host` -> `scheme://user:****@host`, for every URL in `text`."""
    parts = []
    done = 0
    start = text.find("://")
    while start != -1:
        begin = start + 3
        end_match = _AUTHORITY_END.search(text, begin)
        end = end_match.start() if end_match else len(text)
        authority = text[begin:end]
        at = authority.rfind("@")
        colon = authority.find(":", 0, at) if at > 0 else -1
        if colon != -1 and colon + 1 < at:
            parts.append(text[done:begin + colon + 1])
            parts.append(MASK)
            done = begin + at
        start = text.find("://", begin)
    parts.append(text[done:])
    return "".join(parts)


NO_SECRETS = Masker()


def mask_url(url: str) -> str:
    """A URL with its credentials masked (no run's secrets known)."""
    return NO_SECRETS.text(url)
