"""Run one canvas block: a custom or built-in step, a switch, a merge, Create Event / Create Alert."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._errors import RunError
from .._model import Json, Plan
from .._runtime.fakes import FakeSession
from .._runtime.forms import MULTI_SELECT
from .._runtime.host import Host
from . import steps as step_module
from .canvas import DEFAULT_PORTS, Canvas, Edge
from .conditions import condition_port
from .mappings import Scope, resolve
from .outcome import BlockRun

if TYPE_CHECKING:
    from .._runtime.api import Runtime



class StopFlow(Exception):
    """The run cannot go on past this block (a built-in step without a fake): not a crash."""


@dataclass
class FlowContext:
    """Everything the blocks of one flow run share."""

    runtime: Runtime
    canvas: Canvas
    scope: Scope
    session: FakeSession
    host: Host  # records the events Create Event blocks make
    steps: Mapping[str, step_module.Step]
    step_outputs: Mapping[str, Mapping[str, Json]]  # built-in step fakes by block label or step id
    calls: list[dict[str, Json]] = field(default_factory=list)  # built-in step calls, as recorded

    @property
    def plan(self) -> Plan:
        return self.runtime.plan


def is_builtin(step_id: object) -> bool:
    """xMatters' own steps have name-based (version 5) uuids; a plan's own objects are version 4."""
    return isinstance(step_id, str) and len(step_id) == 36 and step_id[14] == "5"


def _mapped(block: Json, scope: Scope, key: str) -> tuple[dict[str, str], list[str]]:
    values: dict[str, str] = {}
    notes: list[str] = []
    for mapping in block.get("inputMappings") or []:
        if isinstance(mapping, dict) and mapping.get(key) is not None:
            text, missing = resolve(str(mapping.get("mapping") or ""), scope)
            values[str(mapping[key])] = text
            notes += missing
    return values, notes


def run_block(ctx: FlowContext, block_id: str, arrived: list[Edge]) -> tuple[BlockRun, list[str]]:
    """(what the block did, the ports the flow leaves it by)."""
    block = ctx.canvas.blocks[block_id]
    kind = str(block.get("stepType"))
    label = ctx.canvas.label(block_id)
    if kind == "SCRIPT_STEP":
        return _script_step(ctx, block_id, block, label)
    if kind == "SWITCH":
        return _switch(ctx, block_id, block, label)
    if kind == "MERGE":
        return _merge(ctx, block_id, block, label, arrived)
    if kind in ("CREATE_EVENT", "CREATE_ALERT"):
        return _create_event(ctx, block_id, block, label, kind)
    # INTEGRATION and RESPONSES blocks only start flows; reached by an edge they pass the flow on.
    return BlockRun(label, block_id, kind, "", {}, {}, notes=(f"a {kind} block passes the flow on",)), ["output"]


def _script_step(ctx: FlowContext, block_id: str, block: Json, label: str) -> tuple[BlockRun, list[str]]:
    step_id = str(block.get("step") or "")
    if block.get("conditionPaths"):  # the built-in Condition step: its paths are in the canvas
        port, name, notes = condition_port(block, ctx.scope)
        return (BlockRun(label, block_id, "CONDITION", step_id, {}, {}, port=name, notes=tuple(notes)),
                [port] if port else list(DEFAULT_PORTS))
    by_id, notes = _mapped(block, ctx.scope, "stepInput")
    step = ctx.steps.get(step_id)
    if step is None:
        if not is_builtin(step_id):
            return BlockRun(label, block_id, "SCRIPT_STEP", step_id, by_id, {},
                            error=f"block {label!r} runs step {step_id}, which is not in the plan"), []
        return _builtin(ctx, block_id, label, step_id, by_id, notes)
    names = {i.id: i.name for i in step.inputs}
    unknown = [i for i in by_id if i not in names]
    notes += [f"input id {i} is no input of step {step.name!r} (ignored)" for i in unknown]
    given = {names[i]: v for i, v in by_id.items() if i in names}
    try:
        inputs = step_module.resolve_inputs(step, given, ctx.canvas.entry, strict=False)
    except RunError as exc:
        return BlockRun(label, block_id, "SCRIPT_STEP", step.name, given, {},
                        error=exc.problems[0].message, notes=tuple(notes)), []
    endpoint = block.get("endpoint") or None
    outcome = step_module.run_step(ctx.runtime, step, inputs, endpoint=endpoint, session=ctx.session)
    outputs = dict(outcome.outputs or {})
    ctx.scope.outputs[block_id] = outputs
    error = str(outcome.error) if outcome.error else None
    return (BlockRun(label, block_id, "SCRIPT_STEP", step.name, inputs, outputs, outcome.steps, error,
                     notes=tuple(notes)), [] if error else ["output"])


def _builtin(ctx: FlowContext, block_id: str, label: str, step_id: str, inputs: dict[str, str],
             notes: list[str]) -> tuple[BlockRun, list[str]]:
    """A built-in xMatters step: its code is not in the export, so its outputs come from a fake."""
    fake = ctx.step_outputs.get(label, ctx.step_outputs.get(step_id))
    ctx.calls.append({"block": label, "step": step_id, "inputs": inputs})
    if fake is None:
        raise StopFlow(f"block {label!r} runs xMatters' built-in step {step_id}, whose code is not in the export: "
                       f"give its outputs with --step-output \"{label}=FILE\" (a JSON object of output names "
                       "and values)")
    outputs = dict(fake)
    ctx.scope.outputs[block_id] = outputs
    notes.append("built-in step: outputs from the given fake; inputs are shown by input id")
    return BlockRun(label, block_id, "SCRIPT_STEP", step_id, inputs, outputs, notes=tuple(notes)), ["output"]


def _switch(ctx: FlowContext, block_id: str, block: Json, label: str) -> tuple[BlockRun, list[str]]:
    mappings = [m for m in block.get("inputMappings") or [] if isinstance(m, dict)]
    value, notes = resolve(str(mappings[0].get("mapping") or ""), ctx.scope) if mappings else ("", [])
    for case in block.get("switchCases") or []:
        if isinstance(case, dict) and str(case.get("caseValue")) == value:
            return (BlockRun(label, block_id, "SWITCH", "", {"value": value}, {}, port=str(case.get("caseValue")),
                             notes=tuple(notes)), [str(case.get("caseId"))])
    return BlockRun(label, block_id, "SWITCH", "", {"value": value}, {}, port="default",
                    notes=tuple(notes)), list(DEFAULT_PORTS)


def _merge(ctx: FlowContext, block_id: str, block: Json, label: str,
           arrived: list[Edge]) -> tuple[BlockRun, list[str]]:
    """Each output takes the value mapped for the path that arrived (the last one, when several did)."""
    outputs: dict[str, str] = {}
    notes: list[str] = []
    names = {str(o.get("outputId")): str(o.get("name")) for o in block.get("mergeOutputs") or []
             if isinstance(o, dict)}
    ports = [edge.to_port for edge in arrived]
    for port in ports:
        for mapping in block.get("inputMappings") or []:
            if isinstance(mapping, dict) and mapping.get("inputPort") == port:
                name = names.get(str(mapping.get("outputId")), str(mapping.get("outputId")))
                outputs[name], missing = resolve(str(mapping.get("mapping") or ""), ctx.scope)
                notes += missing
    if len(set(ports)) > 1:
        notes.append(f"{len(set(ports))} paths arrived; outputs are the last one's")
    ctx.scope.outputs[block_id] = outputs
    came = {ctx.canvas.label(edge.from_block): None for edge in arrived}
    return (BlockRun(label, block_id, "MERGE", "", {"from": ", ".join(came)}, outputs, notes=tuple(notes)),
            ["output"])


def _recipients(text: str) -> list[Json]:
    """A `recipients` mapping: a JSON list of recipients, or target names separated by commas."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [r if isinstance(r, dict) else {"id": str(r)} for r in parsed]
    return [{"id": name.strip()} for name in stripped.split(",") if name.strip()]


def _create_event(ctx: FlowContext, block_id: str, block: Json, label: str,
                  kind: str) -> tuple[BlockRun, list[str]]:
    by_key, notes = _mapped(block, ctx.scope, "sectionItemKey")
    alert_inputs, alert_notes = _mapped(block, ctx.scope, "builtInInputId")
    notes += alert_notes
    definitions = {p.get("uuid"): p for p in ctx.plan.properties if isinstance(p, dict)}
    properties: dict[str, Json] = {}
    posted: dict[str, Json] = {"properties": properties}
    for key, text in by_key.items():
        if key == "recipients":
            if text.strip():
                posted["recipients"] = _recipients(text)
        elif key == "incident":
            notes.append("the 'incident' field is not modelled (ignored)")
        elif key not in definitions:
            notes.append(f"field {key} is no property of the plan (ignored)")
        elif text != "":  # an empty field is left unset
            definition = definitions[key]
            multiple = definition.get("baseType") == MULTI_SELECT
            properties[str(definition.get("name"))] = [v.strip() for v in text.split(",")] if multiple else text
    for text in alert_inputs.values():  # Create Alert names its inputs by built-in ids: find the recipients
        if "recipients" not in posted and text.strip().startswith("[{") and '"id"' in text:
            posted["recipients"] = _recipients(text)
    on_form = block.get("step") if kind == "CREATE_EVENT" else None
    form_uuid = str(on_form or ctx.canvas.form or "")
    form = ctx.runtime.forms.get(form_uuid) if kind == "CREATE_EVENT" else None
    before = len(ctx.host.steps)
    status, body = ctx.host._create_event(posted, form, form_uuid, f"{kind} block")
    made = tuple(ctx.host.steps[before:])
    inputs: dict[str, Json] = dict(posted) if kind == "CREATE_EVENT" else {**posted, "builtInInputs": alert_inputs}
    name = form.name if form else form_uuid
    if status >= 300:
        return (BlockRun(label, block_id, kind, name, inputs, {}, made, error=f"{status}: {body.get('message')}",
                         notes=tuple(notes)), [])
    outputs: dict[str, Json] = {"event.id": body["id"], "event.eventId": body["eventId"], "event.status": "ACTIVE",
                                "event.properties": properties, "recipients": by_key.get("recipients", "")}
    if kind == "CREATE_ALERT":
        outputs.update({"alert.alertId": body["id"], "alert.id": body["id"]})
    ctx.scope.outputs[block_id] = outputs
    return BlockRun(label, block_id, kind, name, inputs, outputs, made, notes=tuple(notes)), ["output"]
