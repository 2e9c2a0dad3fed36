"""What stands for a secret: names, placeholders that are not one, webhook URLs and header values that are."""

from __future__ import annotations

import math
import re
from collections import Counter

from ._lazy_re import lazy

SECRET_NAME = re.compile(r"token|password|passwd|secret|api[ _-]?key|credential", re.IGNORECASE)
# Headers whose value is a credential (Rally's `Cookie: ZSESSIONID=...`, `Authorization: Bearer ...`).
SECRET_HEADER = lazy(r"^(authorization|proxy-authorization|cookie|x-?api-?key|api-?key|apikey|x-auth-token"
                           r"|x-access-token|private-token|x-[\w-]*-(?:token|key|api-key))$", re.IGNORECASE)

# Text that stands in for a secret the admin fills in: <your token>, [INSERT API KEY HERE],
# TOKEN_GOES_HERE, token here, changeme, ${TOKEN}, XXXXXXXX, "THE ENCRYPTED PASSWORD AS CREATED BY ...".
_PLACEHOLDER = lazy(
    r"^(?:<[^<>]*>|\[[^\[\]]*\]|\{\{?[^{}]*\}\}?|\$\{[^{}]*\}|%[\w ]+%|(.)\1{3,})$"
    r"|change[ _-]?me|goes[ _-]?here|(?:^|[\s_-])here$|\binsert\b|\breplace\b|\byour[ _-]|^your|placeholder"
    r"|^(?:example|sample|dummy|test|todo|tbd|none|null|n/?a|secret|password|token|api[ _-]?(?:key|token))$"
    r"|^[A-Za-z]+(?: +[A-Za-z.,]+){2,}$",  # words and spaces, as in a sentence: an instruction
    re.IGNORECASE)
# What a credential header's value may start with before the secret itself.
_SCHEME = lazy(r"^\s*(?:(?:basic|bearer|token|api[_-]?key|splunk|ar-jwt|sso-key|ssws|key)\s+|[\w-]+=)", re.IGNORECASE)

_URL = lazy(r"https?://[^\s'\"<>`]+", re.IGNORECASE)
# Webhook URLs whose path is the secret: whoever has the URL can post.
_WEBHOOKS = (
    ("a Slack webhook", lazy(r"^hooks\.slack\.com/(?:services|workflows|triggers)/[\w/-]{16,}", re.I)),
    ("a Microsoft Teams webhook", lazy(r"^[\w.-]*webhook\.office\.com/webhookb2/\S{16,}", re.I)),
    ("a Microsoft Teams webhook", lazy(r"^outlook\.office(?:365)?\.com/webhook/\S{16,}", re.I)),
    ("a Discord webhook", lazy(r"^(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w-]{16,}", re.I)),
)
_QUERY_SECRET = lazy(r"[?&](sig|signature|token|access_token|api_?key|apikey|key|secret|client_secret|code"
                           r"|password|auth)=([^&#\s]+)", re.IGNORECASE)
_TOKEN = lazy(r"[^\s'\"<>`]+")  # a run of text a URL could be (one pass: no backtracking over slashes)
_UUID = lazy(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_SEGMENT = lazy(r"^[A-Za-z0-9_-]{24,}$")


def is_secret_name(name: object) -> bool:
    """A constant's name that says it holds a secret (`HipChat Token`, `API key`, `db password`)."""
    return isinstance(name, str) and SECRET_NAME.search(name) is not None


def is_placeholder(value: str) -> bool:
    """Text that only stands where a secret goes (`TOKEN_GOES_HERE`, `<your token>`, `changeme`)."""
    text = value.strip()
    if not text:  # blank, as a secret travels: the usual case compiles neither pattern
        return True
    text = _SCHEME.sub("", text, count=1).strip()
    return not text or _PLACEHOLDER.search(text) is not None


def secret_in_url(text: str) -> str | None:
    """What kind of secret URL `text` holds ("a Slack webhook URL", "a URL with a secret `sig=` value"), or None.

    The answer never repeats the secret: it goes into messages.
    """
    for match in _URL.finditer(text):
        rest = match.group(0).split("://", 1)[1]
        for kind, pattern in _WEBHOOKS:
            if pattern.search(rest) and not is_placeholder(rest.rstrip("/").split("/")[-1]):
                return kind + " URL"
        path = rest.split("?", 1)[0].split("#", 1)[0]
        if any(_SEGMENT.match(part) and not _UUID.match(part) and _random(part) for part in path.split("/")[1:]):
            return "a URL with a long random path segment"
    # A relative URL counts too: constants hold `/api/integration/1/functions/<id>/triggers?apiKey=...`.
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if "/" not in token.split("?", 1)[0] or "?" not in token:
            continue
        for name, value in _QUERY_SECRET.findall(token):
            if len(value) >= 8 and not is_placeholder(value) and _random(value):
                return f"a URL with a secret `{name}=` value"
    return None


def _random(text: str) -> bool:
    """Mixed letters and digits with the spread of characters of a generated key (not a word or an id)."""
    if not (re.search(r"\d", text) and re.search(r"[A-Za-z]", text)):
        return False
    counts = Counter(text)
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return entropy >= 3.5
