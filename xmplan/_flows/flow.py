"""Run a flow: its trigger (an HTTP trigger step or event activity), then the canvas block by block."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._errors import InputError, Location, RunError
from .._model import Json
from .._runtime import callbacks
from .._runtime.host import Host
from .._runtime.outcome import Failure, Step
from . import steps as step_module
from .blocks import FlowContext, StopFlow, run_block
from .canvas import Canvas, Edge, trigger_block
from .mappings import Scope
from .outcome import BlockRun, FlowOutcome

if TYPE_CHECKING:
    from .._runtime.api import Request, Runtime

MAX_BLOCK_RUNS = 200  # a canvas that loops runs blocks again; this many block runs end the run
EVENT_TRIGGERS = ("RESPONSE", "STATUS", "DELIVERYSTATUS", "ANNOTATION", "ESCALATION")


def is_flow(record: Json) -> bool:
    """An integration whose work is a flow: made by Flow Designer (no script of its own)."""
    return isinstance(record, dict) and not isinstance(record.get("script"), str) and (
        record.get("createdBy") == "FLOW" or "integrationScriptStepUuid" in record)


def run_flow(runtime: Runtime, record: Json, request: Request,
             step_outputs: Mapping[str, Mapping[str, Json]] | None = None) -> FlowOutcome:
    """Run the flow `record` (an integration of the plan) triggers, on this request or callback."""
    name = str(record.get("name", ""))
    where = runtime.plan.origin or "plan"
    found = trigger_block(runtime.plan, str(record.get("id")))
    if found is None:
        raise RunError.at(where, f"integration {name!r} is a flow trigger, but no canvas of the plan shows it")
    canvas, start = found
    steps = {s.id: s for s in step_module.plan_steps(runtime.plan)}
    session = runtime.fakes.session()
    host = Host(runtime._setup({}, request), session)
    scope = Scope(runtime.constants, trigger_aliases=frozenset(a for a in (canvas.form, record.get("form")) if a))
    ctx = FlowContext(runtime, canvas, scope, session, host, steps, dict(step_outputs or {}))
    first, notes = _trigger(ctx, record, start, request)
    if first is None:
        return FlowOutcome(name, (), None, canvas=canvas.entry, notes=tuple(notes), masker=runtime.masker())
    runs = [first]
    stopped = _follow(ctx, start, runs, notes) if first.error is None else None
    everything: list[Step] = [s for run in runs for s in run.steps]
    failed = next((run for run in runs if run.error and run.error != stopped), None)
    error = Failure(f"block {failed.block!r}: {failed.error}", Location(canvas.entry)) if failed else None
    return FlowOutcome(name, tuple(everything), error, canvas=canvas.entry, flow=tuple(runs), notes=tuple(notes),
                       masker=runtime.masker(),
                       stopped=stopped)


def _trigger(ctx: FlowContext, record: Json, start: str, request: Request) -> tuple[BlockRun | None, list[str]]:
    """The trigger block's run: the HTTP trigger step, or the event activity's objects as outputs."""
    label = ctx.canvas.label(start)
    notes: list[str] = []
    trigger = str(record.get("triggeredBy") or "")
    if record.get("type") == "OUTBOUND_WEBHOOK":
        body = request.body
        if isinstance(body, str):
            try:
                body = json.loads(body) if body.strip() else {}
            except ValueError:
                raise InputError.at("request body", "a flow's event activity (callback) is not JSON") from None
        _, objects = callbacks.both_styles(body, trigger)
        choice = record.get("responseChoice")
        said = (objects.get("response") or {}).get("response")
        if trigger == "RESPONSE" and choice and said is not None and said != choice:
            notes.append(f"the callback's response {said!r} is not this trigger's response {choice!r}: "
                         "xMatters does not run this flow for it")
            return None, notes
        ctx.scope.trigger = objects
        ctx.scope.outputs[start] = objects
        return BlockRun(label, start, "INTEGRATION", trigger, {}, objects), notes
    step_id = str(record.get("integrationScriptStepUuid") or "")
    step = ctx.steps.get(step_id)
    if step is None:
        if step_id in ctx.step_outputs or label in ctx.step_outputs:
            outputs = dict(ctx.step_outputs.get(label) or ctx.step_outputs.get(step_id) or {})
            ctx.scope.outputs[start] = outputs
            return BlockRun(label, start, "INTEGRATION", step_id, {}, outputs,
                            notes=("built-in HTTP trigger: outputs from the given fake",)), notes
        message = (f"HTTP trigger step {step_id} is xMatters' own; give its outputs with --step-output "
                   f"\"{label}=FILE\"" if step_id else "this HTTP trigger names no trigger step")
        return BlockRun(label, start, "INTEGRATION", step_id, {}, {}, error=message), notes
    outcome = step_module.run_step(ctx.runtime, step, {}, request=request, session=ctx.session)
    outputs = dict(outcome.outputs or {})
    ctx.scope.outputs[start] = outputs
    return (BlockRun(label, start, "INTEGRATION", step.name, {"request": request.body_text[:2000]}, outputs,
                     outcome.steps, str(outcome.error) if outcome.error else None), notes)


def _follow(ctx: FlowContext, start: str, runs: list[BlockRun], notes: list[str]) -> str | None:
    """Follow edges from `start`; returns why the run stopped early, if it did.

    A block runs once all paths that can still reach it have (MERGE waits; other blocks too, which
    only matters where paths join): a path is settled when it arrived or its source can no longer run.
    """
    canvas = ctx.canvas
    arrivals: dict[str, list[Edge]] = {}
    _fire(canvas, start, ["output"], arrivals)
    count = 0
    while arrivals:
        block_id = _ready(canvas, arrivals)
        arrived = arrivals.pop(block_id)
        if count >= MAX_BLOCK_RUNS:
            notes.append(f"stopped after {MAX_BLOCK_RUNS} block runs: the canvas loops")
            return f"block runs capped at {MAX_BLOCK_RUNS}"
        count += 1
        try:
            run, ports = run_block(ctx, block_id, arrived)
        except StopFlow as stop:
            runs.append(BlockRun(canvas.label(block_id), block_id, "SCRIPT_STEP",
                                 str(canvas.blocks[block_id].get("step") or ""), ctx.calls[-1]["inputs"], {},
                                 error=str(stop)))
            return str(stop)
        runs.append(run)
        _fire(canvas, block_id, ports, arrivals)
    return None


def _fire(canvas: Canvas, block_id: str, ports: list[str], arrivals: dict[str, list[Edge]]) -> None:
    for edge in canvas.leaving(block_id, ports):
        if edge.to_block in canvas.blocks:
            arrivals.setdefault(edge.to_block, []).append(edge)


def _ready(canvas: Canvas, arrivals: dict[str, list[Edge]]) -> str:
    """The first block (in arrival order) no other pending block can still send a path to."""
    pending = list(arrivals)
    for block_id in pending:
        others = canvas.reachable(b for b in pending if b != block_id) | {b for b in pending if b != block_id}
        waiting = [e for e in canvas.entering(block_id) if e not in arrivals[block_id] and e.from_block in others]
        if not waiting:
            return block_id
    return pending[0]  # paths that wait on each other (a loop): the oldest goes first
