"""Check that every name and id one plan document uses points at something the plan declares."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from .._errors import Problem
from .._locate import Locator
from .._model import (
    INTEGRATIONS,
    PROPERTIES,
    SCRIPT_STEPS,
    SHARED_FUNCTIONS,
    TRIGGER_FILTERS,
    UUID,
    Json,
    Plan,
    form_id,
    objects,
)
from .._secrets import is_placeholder, is_secret_name

# How a check reports: (entry, JSON pointer, message, rule) -> a Problem at the rule's severity.
Report = Callable[[str, str, str, str], Problem]

_PLACEHOLDER = re.compile(r"\$\{(" + UUID.pattern + r")\}")

def check_references(plan: Plan, locator: Locator) -> Iterator[Problem]:
    """Dangling and duplicate references in a sound plan (see `schema.check_schemas`)."""
    def problem(entry: str, ptr: str, message: str, rule: str) -> Problem:
        return locator.problem(entry, ptr, message, rule)

    yield from _duplicates(plan, problem)
    yield from _forms(plan, locator, problem)
    yield from _integrations(plan, problem)
    yield from _canvases(plan, problem)
    yield from _secrets(plan, problem)
    flows = _ids(plan.integrations, "id")
    for i, flt in objects(plan.get(TRIGGER_FILTERS)):
        if "flowId" in flt and flt["flowId"] not in flows:
            yield problem(TRIGGER_FILTERS, f"/{i}/flowId", f"trigger filter names flow {flt['flowId']!r}, "
                          "which is no integration of the plan", "unknown-flow")


def _secrets(plan: Plan, problem: Report) -> Iterator[Problem]:
    """A constant named like a secret should travel blank: the admin fills it in after import."""
    for i, constant in objects(plan.constants):
        name, value = constant.get("name"), constant.get("value")
        if is_secret_name(name) and isinstance(value, str) and not is_placeholder(value):
            yield problem(INTEGRATIONS, f"/constants/{i}/value", f"constant {name!r} holds a value: keep secrets "
                          "out of the plan (leave it blank and fill it in after import)", "constant-secret")


def _ids(items: list[Any] | None, key: str) -> set[Any]:
    return {item.get(key) for _, item in objects(items)}


def _is_builtin(uuid: Any) -> bool:
    """xMatters' own steps have name-based (version 5) uuids; the plan's own objects are version 4."""
    return isinstance(uuid, str) and len(uuid) == 36 and uuid[14] == "5"


def _duplicates(plan: Plan, problem: Report) -> Iterator[Problem]:
    groups = [
        (PROPERTIES, "", plan.properties, "property"),
        (INTEGRATIONS, "/integrations", plan.integrations, "integration"),
        (INTEGRATIONS, "/endpoints", plan.endpoints, "endpoint"),
        (INTEGRATIONS, "/constants", plan.constants, "constant"),
        (SHARED_FUNCTIONS, "", plan.shared_libraries, "shared library"),
    ]
    for entry, base, items, what in groups:
        yield from _duplicate_names(entry, base, items, "name", what, problem)
    for i, step in objects(plan.script_steps):
        yield from _duplicate_names(SCRIPT_STEPS, f"/{i}/libraries", step.get("libraries"), "referenceName",
                                    f"library of step {step.get('name')!r}", problem)
    yield from _duplicate_form_ids(plan, problem)
    yield from _copied_form_order(plan, problem)


def _duplicate_form_ids(plan: Plan, problem: Report) -> Iterator[Problem]:
    """Forms copied by hand keep their name, ids and number: on import, one would replace the other.

    One problem per copy, naming all it shares with the first form, as the build derives the ids
    it fills in from the form's own: a copy given its own is whole again.
    """
    first: dict[tuple[str, Any], tuple[int, str]] = {}
    for index, (entry, form) in enumerate(plan.forms()):
        name = str(form.get("name"))
        shared: dict[str, tuple[str, list[str]]] = {}  # other form's name -> (first pointer, what)
        for what, value, ptr in _form_identities(entry, form):
            if value is None or isinstance(value, (dict, list)):
                continue
            other, other_name = first.setdefault((what, value), (index, name))
            if other != index:
                whats = shared.setdefault(other_name, (ptr, []))[1]
                if what not in whats:
                    whats.append(what)
        for other_name, (ptr, whats) in shared.items():
            fix = ("rename it" if whats == ["name"] else
                   "give the copy its own: leave its ids out, name its file form.json, and the build makes new ones")
            yield problem(entry, ptr, f"form {name!r} has the same {', '.join(whats)} as form {other_name!r}: {fix}",
                          "duplicate-form")


def _copied_form_order(plan: Plan, problem: Report) -> Iterator[Problem]:
    """A new form (its file is `form.json`: no number yet) that shares its `order` with another, as a copy does.

    xMatters lists forms by `order`, then by name; exports tie often, so only new forms are told.
    """
    forms = [(entry, form, form.get("order")) for entry, form in plan.forms()]
    orders = [order for _, _, order in forms if isinstance(order, int) and not isinstance(order, bool)]
    for entry, form, order in forms:
        if not plan.source_of(entry).endswith("/form.json") or order not in orders:
            continue
        others = [str(other.get("name")) for e, other, o in forms if o == order and e != entry]
        if others:
            yield problem(entry, "/order", f"form {form.get('name')!r} has order {order}, as form {others[0]!r} "
                          f"does (a copy keeps the original's): give it its own, e.g. {max(orders) + 1}, "
                          "for its place in xMatters' list of forms", "form-order")


def _form_identities(entry: str, form: dict[str, Any]) -> Iterator[tuple[str, Any, str]]:
    """(what, value, pointer) of everything that identifies a form or a part of it."""
    yield "name", form.get("name"), "/name"
    yield "uuid", form.get("uuid"), "/uuid"
    yield "form number", form_id(entry), ""
    for s, section in objects(form.get("layoutSections")):
        for key in ("id", "panelSectionUuid"):
            yield f"section {key}", section.get(key), f"/layoutSections/{s}/{key}"
        for t, item in objects(section.get("sectionItems")):
            for key in ("id", "panelSectionItemUuid"):
                yield f"section item {key}", item.get(key), f"/layoutSections/{s}/sectionItems/{t}/{key}"
    for r, response in objects(form.get("responses")):
        yield "response id", response.get("id"), f"/responses/{r}/id"


def _duplicate_names(entry: str, base: str, items: list[Any] | None, key: str, what: str,
                     problem: Report) -> Iterator[Problem]:
    names = Counter(item.get(key) for _, item in objects(items))
    seen: set[Any] = set()
    for i, item in objects(items):
        name = item.get(key)
        if names[name] > 1 and name is not None:
            if name in seen:
                yield problem(entry, f"{base}/{i}/{key}", f"another {what} is also named {name!r}", "duplicate-name")
            seen.add(name)


def _forms(plan: Plan, locator: Locator, problem: Report) -> Iterator[Problem]:
    properties = _ids(plan.properties, "name")
    for entry, form in plan.forms():
        items = set()
        shown = set()
        for s, section in objects(form.get("layoutSections")):
            for t, item in objects(section.get("sectionItems")):
                items.add(str(item.get("id", "")).lower())
                name = item.get("propertyName")
                shown.add(name)
                if name is not None and name not in properties:
                    yield problem(entry, f"/layoutSections/{s}/sectionItems/{t}/propertyName",
                                  f"form {form.get('name')!r} shows property {name!r}, which the plan does not "
                                  "declare", "unknown-property")
        messages = form.get("messages") or {}
        for v, voice in objects(messages.get("internationalVoiceScriptSteps")):
            steps = voice.get("voiceScriptSteps")
            for n, step in objects(steps if isinstance(steps, list) else None):
                name = step.get("propertyName")
                if step.get("voiceScriptStepType") != 2 or name in shown:
                    continue
                missing = (f"form {form.get('name')!r} does not show" if name in properties
                           else "the plan does not declare")
                yield problem(entry, f"/messages/internationalVoiceScriptSteps/{v}/voiceScriptSteps/{n}",
                              f"voice message reads property {name!r}, which {missing}", "unknown-voice-property")
        for ptr, text in _template_texts(messages):
            for match in _PLACEHOLDER.finditer(text):
                if match.group(1).lower() not in items:
                    yield Problem.of(locator.in_text(entry, ptr, text, match.start()),
                                     f"placeholder {match.group()} names no field of form {form.get('name')!r}",
                                     "unknown-placeholder")


def _template_texts(messages: dict[str, Json]) -> Iterator[tuple[str, str]]:
    for kind, keys in (("emailTemplates", ("emailSubject", "email")), ("smsTemplates", ("sms",))):
        for i, template in objects(messages.get(kind)):
            for key in keys:
                if isinstance(template.get(key), str):
                    yield f"/messages/{kind}/{i}/{key}", template[key]


def _responses(plan: Plan) -> dict[str, set[str]]:
    return {form.get("uuid"): _ids(form.get("responses"), "textResponse") for _, form in plan.forms()}


def _integrations(plan: Plan, problem: Report) -> Iterator[Problem]:
    responses = _responses(plan)
    http_steps = {s.get("id") for _, s in objects(plan.script_steps) if s.get("scriptStepType") == "CUSTOM_HTTP"}
    for i, integration in objects(plan.integrations):
        label = f"integration {integration.get('name')!r}"
        form = integration.get("form")
        if isinstance(form, str) and not UUID.fullmatch(form):
            # A source tree may name the form; the loader turns a known name into its uuid.
            yield problem(INTEGRATIONS, f"/integrations/{i}/form", f"{label} names form {form!r}, but no form "
                          "has that name", "unknown-form-name")
        elif form is not None and form not in responses:
            yield problem(INTEGRATIONS, f"/integrations/{i}/form", f"{label} names form {form!r}, which is not "
                          "in the plan", "unknown-form")
        choice = integration.get("responseChoice")
        if choice is not None and form in responses and choice not in responses[form]:
            yield problem(INTEGRATIONS, f"/integrations/{i}/responseChoice", f"{label} fires on response "
                          f"{choice!r}, which its form does not offer", "unknown-response")
        step = integration.get("integrationScriptStepUuid")
        if step is not None and step not in http_steps and not _is_builtin(step):
            yield problem(INTEGRATIONS, f"/integrations/{i}/integrationScriptStepUuid", f"{label} names HTTP "
                          f"trigger step {step!r}, which is no CUSTOM_HTTP step of the plan", "unknown-http-step")


def _canvases(plan: Plan, problem: Report) -> Iterator[Problem]:
    forms = set(_responses(plan))
    targets: dict[str, tuple[set[Any] | None, str]] = {
        "INTEGRATION": (_ids(plan.integrations, "id"), "integration"),
        "SCRIPT_STEP": (_ids(plan.script_steps, "id"), "step"),
        "CREATE_EVENT": (forms, "form"),
    }
    for entry, canvas in plan.canvases():
        if "form" in canvas and canvas["form"] not in forms:
            yield problem(entry, "/form", f"flow {canvas.get('name')!r} names form {canvas['form']!r}, which is "
                          "not in the plan", "unknown-form")
        blocks = canvas.get("blocks")
        for b, block in objects(blocks):
            known, what = targets.get(str(block.get("stepType")), (None, ""))
            step = block.get("step")
            if known is not None and step is not None and step not in known and not _is_builtin(step):
                yield problem(entry, f"/blocks/{b}/step", f"block {block.get('label')!r} runs {what} {step!r}, "
                              f"which is not in the plan", "unknown-form" if what == "form" else "unknown-step")
        block_ids = _ids(blocks, "id")
        for e, edge in objects(canvas.get("edges")):
            for end in ("fromBlock", "toBlock"):
                if end in edge and edge[end] not in block_ids:
                    yield problem(entry, f"/edges/{e}/{end}", f"edge names block {edge[end]!r}, which is not on "
                                  "this canvas", "unknown-block")
