"""A flow outcome (or a step run's) as an activity log, block by block."""

from __future__ import annotations

import json

from .._runtime.activity import _count, _short, _step, activity_log
from .._runtime.outcome import Outcome
from .outcome import BlockRun, FlowOutcome


def step_log(outcome: Outcome) -> str:
    """A step run: the integration-style log, then the outputs it wrote."""
    text = activity_log(outcome).replace("Integration ", "Step ", 1)
    lines = [f"  output[{json.dumps(k)}] = {_short(outcome.masker.text(json.dumps(v, ensure_ascii=False)))}"
             for k, v in (outcome.outputs or {}).items()]
    head, _, last = text.rstrip("\n").rpartition("\n")
    return "\n".join([head, *lines, last]) + "\n"


def flow_log(outcome: FlowOutcome) -> str:
    lines = [f"Flow {json.dumps(outcome.integration)} ({outcome.canvas})"]
    for number, run in enumerate(outcome.flow, 1):
        lines += _block(number, run)
    lines += [f"note: {note}" for note in outcome.notes]
    if outcome.stopped:
        lines.append(f"STOPPED {outcome.stopped}")
    elif outcome.error is not None:
        lines.append(f"FAILED {outcome.error.message}")
    else:
        lines.append(f"COMPLETED {_count(len(outcome.flow), 'block')}, {_count(len(outcome.events), 'event')}, "
                     f"{_count(len(outcome.http), 'HTTP request')}")
    # Every line masked with the run's secrets: block inputs show what `${constants.Token}` read.
    return "\n".join(outcome.masker.text(line) for line in lines) + "\n"


def _block(number: int, run: BlockRun) -> list[str]:
    what = f" ({run.step})" if run.step and run.step != run.block else ""
    lines = [f"[{number}] {run.kind} {json.dumps(run.block)}{what}"]
    for name, value in run.inputs.items():
        lines.append(f"    in  {name} = {_short(json.dumps(value, ensure_ascii=False))}")
    for step in run.steps:
        lines += [f"    {line}" if line else "" for line in _step(step)]
    if run.port is not None:
        lines.append(f"    -> path {json.dumps(run.port)}")
    for name, value in run.outputs.items():
        lines.append(f"    out {name} = {_short(json.dumps(value, ensure_ascii=False))}")
    lines += [f"    note: {note}" for note in run.notes]
    if run.error:
        lines.append(f"    ERROR {run.error}")
    return lines
