"""xMatters over HTTP only: check credentials, look up people and groups, post the invitation; errors in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

TIMEOUT = 10.0
LOOKUP_LIMIT = 10
INVITE_PATH = re.compile(r"^/api/integration/1/functions/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                         r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/triggers$")
HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
NO_SUCH_HOST = ("Name or service not known", "nodename nor servname", "getaddrinfo failed",
                "Temporary failure in name resolution", "NameResolutionError", "No address associated")


class XMattersError(Exception):
    """xMatters could not be used; the message says why in words an administrator understands."""


@dataclass(frozen=True)
class Recipient:
    """A lookup result: `id` is what the invitation names (user id or group name)."""

    id: str
    name: str
    target_name: str
    type: str  # PERSON or GROUP

    def json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "targetName": self.target_name, "type": self.type}


def base_url(text: str) -> str:
    """`acme.xmatters.com` -> `https://acme.xmatters.com`; a base URL keeps its scheme and port."""
    text = text.strip().rstrip("/")
    if not text:
        raise XMattersError("Enter the xMatters host name, e.g. acme.xmatters.com.")
    if "://" not in text:
        if not HOST.match(text):
            raise XMattersError(f"{text!r} is not a host name: enter e.g. acme.xmatters.com.")
        return "https://" + text.lower()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise XMattersError(f"{text!r} is not an xMatters base URL: enter e.g. https://acme.xmatters.com.")
    if parts.query or parts.fragment or parts.username:
        raise XMattersError(f"{text!r} is not an xMatters base URL: leave out ?, # and user names.")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def check_invite_url(url: str, xmatters_url: str) -> str:
    """The Invite to Room URL, if it is an inbound integration URL on the configured xMatters."""
    url = url.strip()
    parts = urlsplit(url)
    if not url:
        raise XMattersError("Paste the URL of the inbound integration Invite to Room.")
    if f"{parts.scheme}://{parts.netloc.lower()}" != xmatters_url:
        raise XMattersError(f"The Invite to Room URL must be on {xmatters_url}, the xMatters tested above.")
    if not INVITE_PATH.match(parts.path) or parts.fragment:
        raise XMattersError("That is not an inbound integration URL: it looks like "
                            f"{xmatters_url}/api/integration/1/functions/<id>/triggers.")
    return url


def explain(exc: requests.RequestException, where: str) -> str:
    """A failed connection in words: no such host, refused, TLS, timeout."""
    text = repr(exc)
    if isinstance(exc, requests.Timeout):
        return f"{where} did not answer within {TIMEOUT:g} seconds."
    if isinstance(exc, requests.exceptions.SSLError):
        reason = "the certificate is not trusted" if "CERTIFICATE_VERIFY_FAILED" in text else "the handshake failed"
        return f"The secure (TLS) connection to {where} failed: {reason}. Check the host name and its certificate."
    if any(marker in text for marker in NO_SUCH_HOST):
        return f"There is no host {where}: the name does not resolve. Check the spelling."
    if "Connection refused" in text or "Errno 111" in text:
        return f"{where} refused the connection: nothing answers there. Check the host name and port."
    return f"Could not connect to {where} ({type(exc).__name__})."


def status_words(status: int, what: str, username: str) -> str:
    if status == 401:
        return f"xMatters refused the user name or password (HTTP 401) {what}. Check both, and that {username} " \
               "is a REST Web Service User."
    if status == 403:
        return f"The user {username} signed in but may not do this in xMatters (HTTP 403) {what}: give it the " \
               "REST Web Service User role and the plan's permissions."
    if status == 404:
        return f"xMatters has nothing at that address (HTTP 404) {what}."
    if status == 429:
        return f"xMatters is limiting requests (HTTP 429) {what}; try again in a minute."
    return f"xMatters answered HTTP {status} {what}."


class XMatters:
    """One xMatters, as the integration user sees it through the REST API."""

    def __init__(self, session: requests.Session, url: str, username: str, password: str) -> None:
        self.session = session
        self.url = url
        self.username = username
        self._auth = (username, password)
        self.host = urlsplit(url).netloc

    def _call(self, method: str, url: str, what: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, url, auth=self._auth, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise XMattersError(explain(exc, self.host)) from None
        if response.status_code >= 300:
            raise XMattersError(status_words(response.status_code, what, self.username))
        return response

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise XMattersError(f"{self.host} answered, but not like xMatters' REST API (no JSON).") from None

    def check(self) -> str:
        """Test Authentication: read the integration user itself; returns its display name."""
        response = self._call("GET", f"{self.url}/api/xm/1/people/{quote(self.username, safe='')}",
                              "when reading the integration user")
        person = self._json(response)
        if not isinstance(person, dict) or "targetName" not in person:
            raise XMattersError(f"{self.host} answered, but not like xMatters' REST API (no person).")
        return person_name(person)

    def search(self, text: str) -> list[Recipient]:
        """People and groups matching `text`, people first, as xMatters ranks them."""
        found: list[Recipient] = []
        for kind in ("people", "groups"):
            response = self._call("GET", f"{self.url}/api/xm/1/{kind}", f"when searching {kind}",
                                  params={"search": text, "limit": LOOKUP_LIMIT})
            body = self._json(response)
            items = body.get("data") if isinstance(body, dict) else None
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("targetName"), str):
                    found.append(recipient(item, "PERSON" if kind == "people" else "GROUP"))
        return found

    def invite(self, invite_url: str, payload: dict[str, Any]) -> str:
        """POST the invitation to the inbound integration; returns xMatters' request id."""
        response = self._call("POST", invite_url, "when sending the invitation", json=payload)
        body = self._json(response) if response.content else {}
        request_id = body.get("requestId") if isinstance(body, dict) else None
        return str(request_id) if request_id else "(xMatters gave no request id)"


def person_name(person: dict[str, Any]) -> str:
    names = [person.get("firstName"), person.get("lastName")]
    name = " ".join(n for n in names if isinstance(n, str) and n)
    return name or str(person.get("targetName"))


def recipient(item: dict[str, Any], kind: str) -> Recipient:
    target = str(item["targetName"])
    name = person_name(item) if kind == "PERSON" else target
    return Recipient(id=target, name=name, target_name=target, type=kind)
