"""`xmplan run --respond "ENDPOINT [METHOD] [PATH]=FILE"`: read the option, register its fake answers."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._errors import InputError, UsageError
from .options import check_names

if TYPE_CHECKING:
    from .._runtime.api import Runtime

SYNTAX = "ENDPOINT [METHOD] [PATH]=FILE"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
HELP = ("fake answers for an endpoint's requests, only those of METHOD and PATH when given (PATH: a glob over "
        'the path and query, e.g. "xMatters GET /api/xm/1/on-call*=oncall.json"); FILE holds '
        '{"status", "body", "headers"} or a list of them, given in order. The option can be repeated; '
        "the most specific match answers (docs/runtime.md)")


@dataclass(frozen=True)
class RespondOption:
    given: str  # the option as typed
    spec: str  # ENDPOINT [METHOD] [PATH]
    filename: str


@dataclass(frozen=True)
class Fake:
    endpoint: str
    method: str | None
    path: str | None


def parse(options: Sequence[str]) -> list[RespondOption]:
    """Each option split at its last `=` (a PATH may hold `=` in its query); a UsageError when malformed."""
    parsed = []
    for given in options:
        spec, sep, filename = given.rpartition("=")
        if not sep or not spec.strip() or not filename.strip():
            raise UsageError(f"--respond expects {SYNTAX}, got {given!r}")
        parsed.append(RespondOption(given, spec.strip(), filename.strip()))
    return parsed


def resolve(option: RespondOption, endpoints: Collection[str]) -> Fake:
    """The endpoint (the longest plan endpoint name the option starts with: names may hold spaces),
    then an optional METHOD, then an optional PATH starting with `/` or `*`."""
    spec = option.spec
    endpoint = max((name for name in endpoints if spec == name or spec.startswith(name + " ")), key=len, default=None)
    if endpoint is None:  # not a plan endpoint: the words before a METHOD or a PATH name it, for the error
        words = spec.split(" ")
        cut = next((i for i, w in enumerate(words) if i and (w.upper() in METHODS or w.startswith(("/", "*")))),
                   len(words))
        endpoint = " ".join(words[:cut])
    rest = spec[len(endpoint):].strip()
    method = None
    head, _, tail = rest.partition(" ")
    if head.upper() in METHODS:
        method, rest = head.upper(), tail.strip()
    if rest and not rest.startswith(("/", "*")):
        raise UsageError(f"--respond {option.given!r}: {rest.split(' ')[0]!r} is neither a METHOD "
                         f"({', '.join(METHODS)}) nor a PATH (which starts with / or *); expected {SYNTAX}")
    return Fake(endpoint, method, rest or None)


def register(runtime: Runtime, options: Sequence[RespondOption]) -> None:
    """Register every option's answers on `runtime`, in order (a later fake wins a tie)."""
    from .._runtime.inputs import read_json_file

    for option in options:
        fake = resolve(option, runtime.endpoints)
        check_names([fake.endpoint], "--respond", list(runtime.endpoints), "endpoint")  # as --real-http does
        answers = read_json_file(option.filename)
        try:
            runtime.respond(fake.endpoint, *(answers if isinstance(answers, list) else [answers]),
                            method=fake.method, path=fake.path)
        except InputError as exc:  # the answers' shape: told at their file
            raise InputError.at(option.filename, exc.problems[0].message) from None
