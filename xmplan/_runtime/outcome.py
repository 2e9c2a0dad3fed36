"""What one local run of an integration did: events, HTTP calls, console lines and the error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

from .._errors import Location
from .._model import Json
from .masking import NO_SECRETS, Masker


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
    via: str = "form.post"  # or "REST trigger" (a POST to xMatters' trigger API), or a flow's block kind


@dataclass(frozen=True)
class Rejected:
    """A trigger xMatters would refuse: the status and error body the script got back."""

    status: int
    body: Mapping[str, Json]
    trigger: Json
    via: str = "form.post"


def reason_phrase(status: int) -> str:
    """The standard reason phrase of an HTTP status (`Not Found`), or "" for a number with none."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: str
    headers: Mapping[str, str]
    reason: str = ""


def _masked(call: dict[str, Json]) -> dict[str, Json]:
    """An HTTP call (asdict output) with credentials masked, no run's secrets known."""
    return dict(mask_json(call, NO_SECRETS))


def mask_json(value: Json, masker: Masker) -> Json:
    """`value` (asdict output) with every string masked and secret-named headers hidden; a loop,
    not recursion: a script's event may be nested hundreds deep."""
    root: list[Json] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        holder, key = stack.pop()
        item = holder[key]
        if isinstance(item, str):
            holder[key] = masker.text(item)
        elif isinstance(item, dict):
            if key == "headers" and all(isinstance(v, str) for v in item.values()):
                item = holder[key] = masker.headers(item)
            stack.extend((item, k) for k in item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
    return root[0]


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
    emulated: bool = False  # answered by xmplan's stand-in for xMatters' trigger API (an event was made)


@dataclass(frozen=True)
class ConsoleLine:
    level: str
    text: str


@dataclass(frozen=True)
class Failure:
    """The error that ended the run (a syntax error, an uncaught throw or a timeout) and where it happened."""

    message: str
    location: Location
    timeout: bool = False

    # The place's parts, as the JSON output, the activity log and the console pages show them.
    @property
    def file(self) -> str:
        return self.location.file

    @property
    def line(self) -> int | None:
        return self.location.line

    @property
    def column(self) -> int | None:
        return self.location.column

    def to_json(self) -> dict[str, Json]:
        return {"message": self.message, "file": self.file, "line": self.line, "column": self.column,
                "timeout": self.timeout}

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


Step = Event | Rejected | HttpCall | ConsoleLine


@dataclass(frozen=True)
class Outcome:
    """Everything a run recorded, in order (`steps`), with one view per kind."""

    integration: str
    steps: tuple[Step, ...]
    error: Failure | None = None
    outputs: Mapping[str, str] | None = None  # a Flow Designer step's `output[...]` (None: not a step run)
    notes: tuple[str, ...] = ()  # what the steps leave out: output past the run's limit
    masker: Masker = field(default=NO_SECRETS, repr=False, compare=False)  # the run's secrets, for printing

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
        """The outcome as JSON, for printing: credentials are masked everywhere (see `masking`)."""
        shown = {"outputs": dict(self.outputs)} if self.outputs is not None else {}
        data = {
            "integration": self.integration,
            **shown,
            "events": [asdict(e) for e in self.events],
            "rejected": [asdict(r) for r in self.rejected],
            "http": [asdict(h) for h in self.http],
            "console": [asdict(c) for c in self.console],
            "error": self.error.to_json() if self.error else None,
            "notes": list(self.notes),
        }
        return dict(mask_json(data, self.masker))
