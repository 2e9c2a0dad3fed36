"""Fake HTTP answers per endpoint, matched on method and path, answered in order (the last repeats)."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .._model import Json
from .outcome import HttpResponse, SentRequest, reason_phrase

Responder = Callable[[SentRequest], HttpResponse | Mapping[str, Json]]
Answer = HttpResponse | Mapping[str, Json] | Responder
Checked = HttpResponse | str | Responder  # an answer as registered: a response, a failure's text, a function


def response_from(value: HttpResponse | Mapping[str, Json]) -> HttpResponse | str:
    """`{"status": 200, "body": ..., "headers": {...}}` -> HttpResponse; a non-string body becomes JSON text.

    `{"error": "Read timed out"}` stands for no response at all: the request fails with that text,
    as a timeout or a refused connection does.
    """
    if isinstance(value, HttpResponse):
        return value
    if not isinstance(value, Mapping):
        raise ValueError(f'a fake response must be an object {{"status", "body", "headers"}}, got {_shown(value)}')
    if set(value) == {"error"}:
        return f"{value['error']}"
    unknown = set(value) - {"status", "body", "headers", "reason"}
    if unknown:
        raise ValueError(f"unknown keys in fake response: {', '.join(sorted(unknown))}")
    body = value.get("body", "")
    text = body if isinstance(body, str) else json.dumps(body)
    given = value.get("headers") or {}
    if not isinstance(given, Mapping):
        raise ValueError(f"fake response headers must be an object of names and values, got {_shown(given)}")
    headers = {str(k): str(v) for k, v in given.items()}
    if not isinstance(body, str):
        headers.setdefault("Content-Type", "application/json")
    status = value.get("status", 200)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"fake response status must be an HTTP status number, got {status!r}")
    return HttpResponse(status, text, headers, str(value.get("reason") or reason_phrase(status)))


def _shown(value: Json) -> str:
    text = json.dumps(value) if not isinstance(value, HttpResponse) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Rule:
    endpoint: str
    answers: tuple[Checked, ...]
    method: str | None = None
    path: str | None = None

    def matches(self, sent: SentRequest) -> bool:
        if self.endpoint != sent.endpoint:
            return False
        if self.method and self.method.upper() != sent.method:
            return False
        return self.path is None or path_matches(self.path, sent.path)

    @property
    def explicit(self) -> bool:
        """Whether the rule names a method or a path (not only an endpoint)."""
        return self.method is not None or self.path is not None

    @property
    def specificity(self) -> tuple[bool, int, bool]:
        """How specific the rule is; the highest matching rule answers (the later one on a tie).

        A rule with a path beats one without, and of two paths the one with more literal
        characters (other than `*`, `?`, `[`, `]`) wins, so `/api/xm/1/on-call` beats
        `/api/xm/1/on-call*`, which beats `/api/*`; then a rule with a method beats one without.
        """
        literal = len(re.sub(r"[*?\[\]]", "", self.path)) if self.path is not None else 0
        return self.path is not None, literal, self.method is not None


def path_matches(pattern: str, path: str) -> bool:
    """`pattern` (a glob) against the path plus query the script passed to `http.request`.

    `*` matches any characters (`/` and `?` included), `?` any one character. A pattern
    without `?` also matches the path with any query; a leading `/` is optional on either side.
    """
    if "?" not in pattern:
        path = path.split("?", 1)[0]
    if not pattern.startswith(("/", "*")):
        pattern = "/" + pattern
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase("/" + path.lstrip("/"), pattern)


@dataclass
class FakeServer:
    """The registered rules and, per run, how many times each has answered."""

    rules: list[Rule] = field(default_factory=list)

    def add(self, endpoint: str, answers: Sequence[Answer], method: str | None = None,
            path: str | None = None) -> None:
        if not answers:
            raise ValueError(f"no fake response given for endpoint {endpoint!r}")
        checked: list[Checked] = []  # HttpResponse, error text (no response) or a responder
        for index, answer in enumerate(answers, 1):
            try:
                checked.append(answer if callable(answer) else response_from(answer))
            except ValueError as exc:
                raise ValueError(f"answer {index}: {exc}" if len(answers) > 1 else str(exc)) from None
        self.rules.append(Rule(endpoint, tuple(checked), method, path))

    def session(self) -> FakeSession:
        return FakeSession(tuple(self.rules))


@dataclass
class FakeSession:
    """Answers for one run: the most specific, most recently added matching rule answers."""

    rules: tuple[Rule, ...]
    used: dict[int, int] = field(default_factory=dict)

    def answer(self, sent: SentRequest, *, explicit_only: bool = False) -> HttpResponse | str | None:
        """The answer of the most specific matching rule; with `explicit_only`, rules that name
        only the endpoint are passed over (a trigger to a form of this plan is an event, not an answer)."""
        candidates = [(r.specificity, i) for i, r in enumerate(self.rules)
                      if r.matches(sent) and (r.explicit or not explicit_only)]
        if not candidates:
            return None
        _, index = max(candidates)
        rule = self.rules[index]
        count = self.used.get(index, 0)
        self.used[index] = count + 1
        answer = rule.answers[min(count, len(rule.answers) - 1)]
        return response_from(answer(sent)) if callable(answer) else answer
