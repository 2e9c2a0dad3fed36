"""Installing and uninstalling an add-on the way HipChat did: descriptor, scopes, install callback, DELETE."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from ..._model import Json
from .model import SCOPE_NAMES, Installation, Standin


class InstallError(Exception):
    """The add-on cannot be installed; the message is shown to the admin."""


@dataclass(frozen=True)
class Review:
    """What the admin approves: the add-on's name, description and the scopes it asks for."""

    url: str
    descriptor: dict[str, Json]
    scopes: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))

    @property
    def description(self) -> str:
        return str(self.descriptor.get("description", ""))


def fetch_descriptor(http: requests.Session, url: str, timeout: float) -> Review:
    """GET the descriptor and check what HipChat checked before it showed the approval screen."""
    if not url.startswith(("http://", "https://")):
        raise InstallError("The descriptor URL must start with http:// or https://")
    try:
        response = http.get(url, timeout=timeout)
    except requests.RequestException as exc:
        raise InstallError(f"Could not fetch the descriptor from {url} ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise InstallError(f"Fetching the descriptor from {url} gave HTTP {response.status_code}")
    try:
        descriptor = response.json()
    except ValueError:
        raise InstallError(f"The descriptor at {url} is not JSON") from None
    if not isinstance(descriptor, dict):
        raise InstallError("The descriptor is not a JSON object")
    missing = [k for k in ("key", "name", "description", "links") if k not in descriptor]
    if missing:
        raise InstallError(f"The descriptor lacks {', '.join(missing)}")
    caps = descriptor.get("capabilities") or {}
    installable = caps.get("installable") if isinstance(caps, dict) else None
    if not isinstance(installable, dict) or not isinstance(installable.get("callbackUrl"), str):
        raise InstallError("The descriptor has no capabilities.installable.callbackUrl: "
                           "the stand-in installs server-side add-ons only")
    consumer = caps.get("hipchatApiConsumer") or {}
    scopes = consumer.get("scopes", []) if isinstance(consumer, dict) else []
    unknown = [s for s in scopes if s not in SCOPE_NAMES]
    if not isinstance(scopes, list) or unknown:
        raise InstallError(f"The descriptor asks for unknown scopes: {', '.join(map(str, unknown))}")
    return Review(url, descriptor, tuple(scopes))


def install(standin: Standin, http: requests.Session, review: Review, room_id: int | None, base: str,
            timeout: float) -> Installation:
    """Create the OAuth client and POST it to the add-on's callbackUrl; only a 2xx keeps it."""
    installable = review.descriptor["capabilities"]["installable"]
    if room_id is None and installable.get("allowGlobal", True) is False:
        raise InstallError(f"{review.name} cannot be installed for the whole group (allowGlobal is false)")
    if room_id is not None and installable.get("allowRoom", True) is False:
        raise InstallError(f"{review.name} cannot be installed in a single room (allowRoom is false)")
    # The client exists before the callback: the add-on fetches a token while it handles it.
    inst = standin.add_installation(review.url, review.descriptor, review.scopes, room_id)
    body: dict[str, Json] = {"capabilitiesUrl": f"{base}/v2/capabilities", "oauthId": inst.oauth_id,
                             "oauthSecret": inst.secret, "groupId": standin.group_id}
    if room_id is not None:
        body["roomId"] = room_id
    try:
        response = http.post(installable["callbackUrl"], json=body, timeout=timeout)
    except requests.RequestException as exc:
        standin.remove_installation(inst.oauth_id)
        raise InstallError(f"The install callback could not be reached ({type(exc).__name__})") from None
    if not 200 <= response.status_code < 300:
        standin.remove_installation(inst.oauth_id)
        detail = " ".join(response.text.split())[:200]
        raise InstallError(f"The add-on refused the installation (HTTP {response.status_code}"
                           f"{': ' + detail if detail else ''})")
    standin.confirm_installation(inst.oauth_id)
    return inst


def uninstall(standin: Standin, http: requests.Session, oauth_id: str, timeout: float) -> str:
    """Remove the installation and tell the add-on: `DELETE {callbackUrl}/{oauthId}` (hipchat.md §2.4)."""
    inst = standin.remove_installation(oauth_id)
    if inst is None:
        raise InstallError("No such installation")
    url = str(inst.capabilities["installable"]["callbackUrl"]).rstrip("/") + "/" + oauth_id
    try:
        response = http.delete(url, timeout=timeout)
    except requests.RequestException as exc:
        # HipChat removed the client whether or not the add-on heard about it.
        return f"{inst.name} was uninstalled; the add-on could not be told ({type(exc).__name__})"
    return f"{inst.name} was uninstalled (the add-on answered HTTP {response.status_code})"
