"""An outcome as a readable activity log, in the order things happened, with credentials masked."""

from __future__ import annotations

import json

from .._errors import printable, shorten
from .masking import NO_SECRETS, Masker
from .outcome import ConsoleLine, Event, HttpCall, Outcome, Rejected, Step

MAX_VALUE = 300  # a one-line value (properties, recipients, a flow block's inputs), cut past this
MAX_BODY = 4000  # characters of an HTTP body in the text log; --format json has all of it
BODY_INDENT = " " * 8


def activity_log(outcome: Outcome) -> str:
    mask = outcome.masker
    lines = [f"Integration {json.dumps(outcome.integration)}"]
    for step in outcome.steps:
        lines += [f"  {line}" if line else "" for line in _step(step, mask)]  # a body's blank line stays blank
    lines += [f"NOTE {note}" for note in outcome.notes]
    if outcome.error is not None:
        kind = "TIMEOUT" if outcome.error.timeout else "FAILED"
        lines.append(f"{kind} {mask.text(str(outcome.error))}")
    else:
        counts = [_count(len(outcome.events), "event"), _count(len(outcome.http), "HTTP request"),
                  _count(len(outcome.console), "console line")]
        if outcome.rejected:
            counts.append(_count(len(outcome.rejected), "rejected trigger"))
        lines.append(f"COMPLETED {', '.join(counts)}")
    return "\n".join(lines) + "\n"


def _step(step: Step, mask: Masker = NO_SECRETS) -> list[str]:
    if isinstance(step, ConsoleLine):
        # one message, however many lines: its later lines are a block below it, as bodies are,
        # so the log shows as many console lines as the count at the end says
        first, *more = mask.text(step.text).splitlines() or [""]
        block = [f"{BODY_INDENT}{_line(line)}" if line else "" for line in more]
        return [f"console.{step.level}: {_line(first)}", *block]
    if isinstance(step, Event):
        recipients = json.dumps(list(step.recipients)) if step.recipients else "(form defaults)"
        lines = [f"{step.via} -> event {step.event_id} created on form {json.dumps(step.form)}",
                 f"    properties: {_short(mask.text(json.dumps(step.properties, ensure_ascii=False)))}",
                 f"    recipients: {_short(mask.text(recipients))}"]
        return lines + [f"    note: {note}" for note in step.notes]
    if isinstance(step, Rejected):
        return [mask.text(f"{step.via} -> {step.status} {step.body.get('reason', '')}: {step.body.get('message', '')}")]
    return _http(step, mask)


def _http(call: HttpCall, mask: Masker) -> list[str]:
    where = "real" if call.real else "xMatters trigger API, emulated" if call.emulated else "fake"
    head = f"HTTP {call.method} {mask.text(call.url)} (endpoint {json.dumps(call.endpoint)})"
    if call.response is None:
        lines = [f"{head} -> no response: {mask.text(call.error or '')}"]
    else:
        reason = f" {call.response.reason}" if call.response.reason else ""
        lines = [f"{head} -> {call.response.status}{reason} ({where})"]
    if call.body:
        lines += _body("sent", mask.text(call.body))
    if call.response is not None and call.response.body:
        lines += _body("got", mask.text(call.response.body))
    return lines


def _body(label: str, text: str) -> list[str]:
    """A body as it was sent: one line after the label, or more below it as an indented block.

    Spaces and tabs are kept (a final newline is not shown); other control characters are escaped
    (`\\x1b`), so a body cannot move the cursor or forge a log line. Past MAX_BODY
    characters the rest is counted, not shown.
    """
    shown, rest = text[:MAX_BODY], len(text) - MAX_BODY
    lines = [_line(line) for line in shown.removesuffix("\n").split("\n")]
    if rest > 0:
        lines.append(f"... ({rest} more characters; --format json shows the whole body)")
    if len(lines) == 1:
        return [f"    {label}: {lines[0]}"]
    return [f"    {label}:"] + [f"{BODY_INDENT}{line}" if line else "" for line in lines]


def _line(text: str) -> str:
    """One line of a body or console message: control characters escaped, tabs kept."""
    return "\t".join(printable(part) for part in text.split("\t"))


def _short(text: str) -> str:
    """A one-line value, its whitespace as it is, cut at MAX_VALUE characters."""
    return shorten(_line(text), MAX_VALUE)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
