"""Check a plan's Flow Designer wiring: step inputs and outputs, block mappings, edges, ports, triggers.

xMatters imports plans whose wiring dangles (a step input renamed after a block mapped it, an
output no longer written) and runs them, reading an empty value, so these are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .._errors import Problem
from .._lazy_re import lazy
from .._locate import Locator
from .._model import INTEGRATIONS, SCRIPT_STEPS, Plan, objects

if TYPE_CHECKING:  # the canvas model and the mappings load only for a plan with flows (see check_wiring)
    from .._flows.canvas import Canvas

Json = Any
Report = Callable[[str, str, str, str], Problem]
_UUID = lazy(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TRIGGER_OBJECTS = ("event", "respondedTo", "response", "statusChanged", "deliveryStatusUpdated", "notification",
                   "annotation", "escalation")
EVENT_OUTPUTS = ("event", "recipients")


def _uses(name: str) -> re.Pattern[str]:
    """`input['X']`, `input["X"]` and `input.X` (not `x.input`, not a declared `var input`)."""
    return lazy(r"(?<![\w$.])" + name + r"""(?:\s*\[\s*(['"])((?:(?!\1)[^\\\n])*)\1\s*\]|\.([A-Za-z_$][\w$]*))""")


_INPUT, _OUTPUT = _uses("input"), _uses("output")
_OWN = lazy(r"\b(?:var|let|const|function)\s+(input|output)\b|function\s*\w*\s*\(([^)]*)\)")


def check_wiring(plan: Plan, locator: Locator) -> Iterator[Problem]:
    def report(entry: str, ptr: str, message: str, rule: str) -> Problem:
        return locator.problem(entry, ptr, message, rule)

    yield from _step_scripts(plan, locator)
    steps = {s.get("id"): s for _, s in objects(plan.script_steps)}
    flows = _canvases(plan)
    for canvas in flows:
        yield from _canvas(plan, canvas, steps, report)
    yield from _triggers(plan, flows, steps, report)


def _canvases(plan: Plan) -> list[Canvas]:
    if not any(plan.canvases()):  # most plans (the flagship too) have no flow: their build loads no canvas model
        return []
    from .._flows.canvas import canvases

    return canvases(plan)


def _step_scripts(plan: Plan, locator: Locator) -> Iterator[Problem]:
    for i, step in objects(plan.script_steps):
        script = step.get("script")
        if not isinstance(script, str) or step.get("scriptStepType") == "CALLABLE_FLOW_CALLER":
            continue
        from .._flows.jstext import strip_comments  # only for a plan with custom steps (the flagship has none)

        text = strip_comments(script)
        own = {m.group(1) for m in _OWN.finditer(text) if m.group(1)}
        own |= {p.strip() for m in _OWN.finditer(text) if m.group(2) for p in m.group(2).split(",")}
        for pattern, key, rule in ((_INPUT, "inputs", "step-input-name"), (_OUTPUT, "outputs", "step-output-name")):
            name = "input" if key == "inputs" else "output"
            if name in own:  # the script has its own variable of that name
                continue
            declared = {x.get("name") for _, x in objects(step.get(key))}
            for match in pattern.finditer(text):
                used = match.group(2) if match.group(2) is not None else match.group(3)
                if used in declared or (match.group(3) and used in ("hasOwnProperty", "toString")):
                    continue
                verb = "reads input" if key == "inputs" else "writes output"
                yield Problem.of(locator.in_text(SCRIPT_STEPS, f"/{i}/script", script, match.start()),
                                 f"step {step.get('name')!r} {verb} {used!r}, which it does not declare "
                                 f"({key}: {', '.join(sorted(map(repr, declared))) or 'none'})", rule)


def _outputs(plan: Plan, block: Json, steps: dict[Any, Json]) -> set[str] | None:
    """The outputs a block offers placeholders (None: unknown, such as a built-in step's)."""
    kind = block.get("stepType")
    dynamic = {str(o.get("name")) for _, o in objects(block.get("dynamicOutputs"))}
    if kind == "SCRIPT_STEP":
        step = steps.get(block.get("step"))
        return None if step is None else {str(o.get("name")) for _, o in objects(step.get("outputs"))} | dynamic
    if kind == "MERGE":
        return {str(o.get("name")) for _, o in objects(block.get("mergeOutputs"))}
    if kind in ("SWITCH", "RESPONSES"):
        return set()
    if kind == "INTEGRATION":
        record = next((r for _, r in objects(plan.integrations) if r.get("id") == block.get("step")), None)
        if record is None or record.get("type") == "OUTBOUND_WEBHOOK" or isinstance(record.get("script"), str):
            return None  # event activity objects (checked by prefix), or an IB script's: unknown
        step = steps.get(record.get("integrationScriptStepUuid"))
        return None if step is None else {str(o.get("name")) for _, o in objects(step.get("outputs"))} | dynamic
    return None  # CREATE_EVENT (checked by prefix), CREATE_ALERT: xMatters' own outputs


def _has(plan: Plan, block: Json, output: str, steps: dict[Any, Json]) -> bool:
    known = _outputs(plan, block, steps)
    if known is not None:
        return output in known
    head = output.split(".")[0]
    if block.get("stepType") == "CREATE_EVENT":
        return head in EVENT_OUTPUTS
    if block.get("stepType") == "INTEGRATION":
        record = next((r for _, r in objects(plan.integrations) if r.get("id") == block.get("step")), None)
        if record is not None and record.get("type") == "OUTBOUND_WEBHOOK":
            return head in TRIGGER_OBJECTS
    return True


def _canvas(plan: Plan, canvas: Canvas, steps: dict[Any, Json], report: Report) -> Iterator[Problem]:
    from .._flows.mappings import CONTEXT_HEADS, PLACEHOLDER

    entry = canvas.entry
    index = {block_id: b for b, block_id in enumerate(canvas.blocks)}
    forms = {form.get("uuid"): form for _, form in plan.forms()}
    properties = {p.get("uuid"): p.get("name") for _, p in objects(plan.properties)}
    aliases = {canvas.form} | {r.get("form") for _, r in objects(plan.integrations)}
    for block_id, block in canvas.blocks.items():
        b = index[block_id]
        label = canvas.label(block_id)
        upstream = _upstream(canvas, block_id)
        step = steps.get(block.get("step")) if block.get("stepType") == "SCRIPT_STEP" else None
        input_ids = {x.get("id") for _, x in objects(step.get("inputs"))} if step else set()
        shown = _form_properties(forms.get(block.get("step") or canvas.form))
        for m, mapping in objects(block.get("inputMappings")):
            ptr = f"/blocks/{b}/inputMappings/{m}"
            if step is not None and "stepInput" in mapping and mapping["stepInput"] not in input_ids:
                yield report(entry, f"{ptr}/stepInput", f"block {label!r} maps input {mapping['stepInput']}, which "
                             f"step {step.get('name')!r} does not have", "mapping-step-input")
            key = mapping.get("sectionItemKey")
            if (block.get("stepType") == "CREATE_EVENT" and key not in (None, "recipients", "incident")
                    and not _builtin(key) and shown is not None and properties.get(key) not in shown):
                what = f"property {properties[key]!r}" if key in properties else "no property of the plan"
                yield report(entry, f"{ptr}/sectionItemKey", f"block {label!r} fills field {key}, {what}, which "
                             "its form does not show", "section-item-key")
            for match in PLACEHOLDER.finditer(str(mapping.get("mapping") or "")):
                head, _, output = match.group(1).partition(".")
                if not _UUID.fullmatch(head) and head not in CONTEXT_HEADS:  # a tree names blocks by label
                    yield report(entry, f"{ptr}/mapping", f"block {label!r} reads {match.group()}, which names no "
                                 "block of this canvas (by its id, or by a label no other block has)", "mapping-block")
                if not _UUID.fullmatch(head) or head in aliases:
                    continue
                source = canvas.blocks.get(head)
                if source is None or head not in upstream:
                    where = "is not on this canvas" if source is None else f"({canvas.label(head)!r}) is not upstream"
                    yield report(entry, f"{ptr}/mapping", f"block {label!r} reads {match.group()}, but block {head} "
                                 f"{where}", "mapping-block")
                elif not _has(plan, source, output, steps):
                    yield report(entry, f"{ptr}/mapping", f"block {label!r} reads {match.group()}, but block "
                                 f"{canvas.label(head)!r} has no output {output!r}", "mapping-output")
        yield from _switch(canvas, b, block_id, block, report)
    yield from _edges(canvas, report)


def _builtin(key: object) -> bool:
    """xMatters' own fields and steps have name-based (version 5) uuids."""
    return isinstance(key, str) and len(key) == 36 and key[14] == "5"


def _upstream(canvas: Canvas, block_id: str) -> set[str]:
    """Blocks upstream of this one; a trigger grouped under a Create Alert block (groupingBlockId)
    runs on that alert's activity, so the alert (and what precedes it) is upstream too."""
    seen = canvas.upstream(block_id)
    pending = list(seen)
    while pending:
        group = canvas.blocks.get(pending.pop(), {}).get("groupingBlockId")
        if isinstance(group, str) and group not in seen:
            seen |= {group} | canvas.upstream(group)
            pending += [group, *canvas.upstream(group)]
    return seen


def _form_properties(form: Json) -> set[str] | None:
    if not isinstance(form, dict):
        return None  # a missing form is reported by unknown-form
    return {str(item.get("propertyName")) for _, s in objects(form.get("layoutSections"))
            for _, item in objects(s.get("sectionItems")) if "propertyName" in item}


def _switch(canvas: Canvas, b: int, block_id: str, block: Json, report: Report) -> Iterator[Problem]:
    if block.get("stepType") != "SWITCH":
        return
    label = canvas.label(block_id)
    values: list[Any] = [c.get("caseValue") for _, c in objects(block.get("switchCases"))]
    if not values and not block.get("conditionPaths"):
        yield report(canvas.entry, f"/blocks/{b}", f"switch {label!r} has no cases: every run takes its default "
                     "path", "switch-case")
    for c, value in enumerate(values):
        if value in values[:c]:
            yield report(canvas.entry, f"/blocks/{b}/switchCases/{c}/caseValue", f"switch {label!r} has case "
                         f"{value!r} twice: only the first is ever taken", "switch-case")


def _edges(canvas: Canvas, report: Report) -> Iterator[Problem]:
    from .._flows.canvas import DEFAULT_PORTS

    for e, edge in enumerate(canvas.edges):
        source, target = canvas.blocks.get(edge.from_block), canvas.blocks.get(edge.to_block)
        if source is None or target is None:
            continue  # unknown-block
        ports = set(DEFAULT_PORTS) | {str(c.get("caseId")) for _, c in objects(source.get("switchCases"))}
        ports |= {str(p.get("id")) for _, p in objects(source.get("conditionPaths"))}
        if edge.from_port not in ports:
            rule = "switch-case" if source.get("stepType") == "SWITCH" else "edge-port"
            yield report(canvas.entry, f"/edges/{e}/fromPort", f"edge leaves {canvas.label(edge.from_block)!r} by "
                         f"port {edge.from_port}, which it does not have", rule)
        entering = {"input"}
        if target.get("stepType") == "MERGE":
            entering = {str(m.get("inputPort")) for _, m in objects(target.get("inputMappings"))} | {edge.from_block}
        if edge.to_port not in entering:
            yield report(canvas.entry, f"/edges/{e}/toPort", f"edge enters {canvas.label(edge.to_block)!r} by "
                         f"port {edge.to_port}, which it does not have", "edge-port")


def _triggers(plan: Plan, flows: list[Canvas], steps: dict[Any, Json], report: Report) -> Iterator[Problem]:
    shown = {b.get("step") for c in flows for b in c.blocks.values() if b.get("stepType") == "INTEGRATION"}
    for i, record in objects(plan.integrations):
        if record.get("createdBy") != "FLOW" or isinstance(record.get("script"), str):
            continue
        label = f"flow trigger {record.get('name')!r}"
        if record.get("id") not in shown:
            yield report(INTEGRATIONS, f"/integrations/{i}", f"{label} is on no canvas: it starts nothing",
                         "flow-trigger")
        if record.get("type") == "INBOUND_WEBHOOK":
            step_id = record.get("integrationScriptStepUuid")
            step = steps.get(step_id)
            if step_id is None:
                yield report(INTEGRATIONS, f"/integrations/{i}", f"{label} names no HTTP trigger step",
                             "flow-trigger")
            elif step is not None and step.get("scriptStepType") != "CUSTOM_HTTP":
                yield report(INTEGRATIONS, f"/integrations/{i}/integrationScriptStepUuid", f"{label} names step "
                             f"{step.get('name')!r}, a {step.get('scriptStepType')} step, not an HTTP trigger "
                             "(CUSTOM_HTTP) step", "flow-trigger")
