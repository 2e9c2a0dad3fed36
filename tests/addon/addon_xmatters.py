"""The xMatters the add-on's acceptance tests talk to, over HTTP only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class XMatters:
    """A running xMatters: where it is, the integration user, the Invite to Room URL and what it received."""

    url: str
    user: str
    password: str
    invite_url: str
    events: Callable[[], list[dict[str, Any]]]  # events created on Invite to Room: {"recipients": [...], ...}
    stop: Callable[[], None]
