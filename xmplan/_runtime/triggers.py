"""Which HTTP requests of a script are calls of xMatters' trigger API (events on a form, not fake answers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from .outcome import SentRequest

XMATTERS = "xMatters"  # the built-in endpoint: the script's own xMatters deployment
# POST /api/xm/1/forms/{id}/triggers, /api/xm/1/plans/{plan}/forms/{id}/triggers (what generated
# CREATE_EVENT_SIMPLE scripts call) and the deprecated /reapi/2015-04-01/forms/{id}/triggers (Shift Gaps).
TRIGGER_PATH = re.compile(r"^/?(?:api/xm/1/(?:plans/[^/]+/)?forms|reapi/[^/]+/forms)/([^/?]+)/triggers(?:\?.*)?$")


def is_xmatters_host(url: str) -> bool:
    """Whether `url` is on an xMatters deployment (`https://<company>.<region>.xmatters.com`)."""
    host = (urlsplit(url).hostname or "") if "//" in url else ""
    return host == "xmatters.com" or host.endswith(".xmatters.com")


def trigger_form(sent: SentRequest, endpoints: Mapping[str, str]) -> str | None:
    """The form id of a POST to the trigger API through the `xMatters` endpoint or another endpoint
    whose base URL is an xMatters host (`endpoints`: name -> base URL); None for any other request."""
    matched = TRIGGER_PATH.match(sent.path) if sent.method == "POST" else None
    if matched is None:
        return None
    if sent.endpoint != XMATTERS and not is_xmatters_host(endpoints.get(sent.endpoint, "")):
        return None
    return matched.group(1)
