"""An outcome as a readable activity log, in the order things happened, with credentials masked."""

from __future__ import annotations

import json

from .._errors import shorten
from .masking import NO_SECRETS, Masker
from .outcome import ConsoleLine, Event, HttpCall, Outcome, Rejected, Step

MAX_BODY = 300


def activity_log(outcome: Outcome) -> str:
    mask = outcome.masker
    lines = [f"Integration {json.dumps(outcome.integration)}"]
    for step in outcome.steps:
        lines += [f"  {line}" for line in _step(step, mask)]
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
        return [f"console.{step.level}: {line}" for line in mask.text(step.text).splitlines() or [""]]
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
        lines.append(f"    sent: {_short(mask.text(call.body))}")
    if call.response is not None and call.response.body:
        lines.append(f"    got: {_short(mask.text(call.response.body))}")
    return lines


def _short(text: str) -> str:
    return shorten(" ".join(text.split()), MAX_BODY)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
