"""What `create_app` needs: the plans, the directory, where state lives, overrides, limits, clock and seams."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .._model import Plan
from .._runtime.api import Request
from .._runtime.outcome import Outcome
from .directory import INTEGRATION_USER, Directory

if TYPE_CHECKING:
    from .plans import Integration, ServedPlan
    from .store import Store


class FlowRunner(Protocol):
    """Runs a Flow Designer integration (a canvas, no script) instead of `Runtime.run`, which runs it
    through xmplan._flows by default: for tests that fake a whole flow."""

    def __call__(self, plan: ServedPlan, integration: Integration, request: Request) -> Outcome: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServeConfig:
    plans: tuple[Plan, ...]
    directory: Directory
    data: Path = Path(".xmplan-serve")
    store: Store | None = None  # default: SQLite in `data`
    clock: Callable[[], datetime] = utc_now
    integration_user: str = INTEGRATION_USER  # who URL (apiKey) authentication and the xMatters endpoint act as
    endpoints: Mapping[str, str] = field(default_factory=dict)  # endpoint name -> base URL (--endpoint)
    constants: Mapping[str, str] = field(default_factory=dict)  # --constant
    engine: str | None = None
    time_limit: float = 10.0
    workers: int = 2
    max_body: int = 1024 * 1024  # bytes; larger inbound bodies get 413
    rate_limit: int = 600  # inbound requests per integration per `rate_window` seconds; more get 429
    rate_window: float = 10.0
    flow_runner: FlowRunner | None = None
    secret_key: str | None = None  # signs the console's CSRF tokens; random per start by default
    run_scripts: bool = True  # False: accept and store requests but leave them queued (tests of recovery)
    run_host: bool = False  # True: the run queue runs in a child process (runhost.py), as in `xmplan serve`
