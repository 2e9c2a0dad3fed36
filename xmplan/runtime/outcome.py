"""What one local run of an integration did: events, HTTP calls, console lines and the error."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Union

Json = Any


@dataclass(frozen=True)
class Event:
    """An event created through `form.post` (or a trigger call to the built-in xMatters endpoint)."""

    id: str
    event_id: int
    form: str
    properties: Mapping[str, Json]
    recipients: tuple[Json, ...] | None
    trigger: Mapping[str, Json]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """A `form.post` that xMatters would refuse: the status and error body the script got back."""

    status: int
    body: Mapping[str, Json]
    trigger: Json


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: str
    headers: Mapping[str, str]
    reason: str = ""


_SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"}
_SECRET_QUERY = re.compile(r"([?&](?:[^=&#]*(?:token|key|secret|password|passwd|auth)[^=&#]*)=)[^&#]*", re.IGNORECASE)
MASK = "****"


def mask_url(url: str) -> str:
    """The URL with the values of credential-like query parameters (`auth_token=...`) masked."""
    return _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, url)


def _masked(call: dict[str, Json]) -> dict[str, Json]:
    headers = {k: MASK if k.lower() in _SECRET_HEADERS else v for k, v in call["headers"].items()}
    return {**call, "headers": headers, "url": mask_url(call["url"])}


@dataclass(frozen=True)
class SentRequest:
    """What a script sent, as a fake responder function sees it."""

    endpoint: str
    method: str
    path: str
    url: str
    headers: Mapping[str, str]
    body: str | None

    @property
    def json(self) -> Json:
        """The body sent, parsed as JSON."""
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class HttpCall(SentRequest):
    """One `request.write()`: what was sent and what came back (`error` when nothing did)."""

    response: HttpResponse | None
    error: str | None = None
    real: bool = False


@dataclass(frozen=True)
class ConsoleLine:
    level: str
    text: str


@dataclass(frozen=True)
class Failure:
    """The error that ended the run: a syntax error, an uncaught throw or a timeout."""

    message: str
    file: str
    line: int | None = None
    column: int | None = None
    timeout: bool = False

    def __str__(self) -> str:
        place = ":".join(str(part) for part in (self.file, self.line, self.column) if part is not None)
        return f"{place}: {self.message}"


Step = Union[Event, Rejected, HttpCall, ConsoleLine]


@dataclass(frozen=True)
class Outcome:
    """Everything a run recorded, in order (`steps`), with one view per kind."""

    integration: str
    steps: tuple[Step, ...]
    error: Failure | None = None
    outputs: Mapping[str, str] | None = None  # a Flow Designer step's `output[...]` (None: not a step run)
    notes: tuple[str, ...] = ()  # what the steps leave out: output past the run's limit

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(s for s in self.steps if isinstance(s, Event))

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        return tuple(s for s in self.steps if isinstance(s, Rejected))

    @property
    def http(self) -> tuple[HttpCall, ...]:
        return tuple(s for s in self.steps if isinstance(s, HttpCall))

    @property
    def console(self) -> tuple[ConsoleLine, ...]:
        return tuple(s for s in self.steps if isinstance(s, ConsoleLine))

    @property
    def lines(self) -> list[str]:
        """The console texts, for quick assertions."""
        return [line.text for line in self.console]

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Json]:
        """The outcome as JSON, for printing: credentials in request headers and URLs are masked."""
        shown = {"outputs": dict(self.outputs)} if self.outputs is not None else {}
        return {
            "integration": self.integration,
            **shown,
            "events": [asdict(e) for e in self.events],
            "rejected": [asdict(r) for r in self.rejected],
            "http": [_masked(asdict(h)) for h in self.http],
            "console": [asdict(c) for c in self.console],
            "error": asdict(self.error) if self.error else None,
            "notes": list(self.notes),
        }
