"""Names in place of ids in the source tree, both ways: integrations' forms, canvas blocks, step inputs, layout.

Unpack writes a name only where the build's reading of it (the `resolve_*` functions here) gives
the exported value back, and keeps the id everywhere else (a label two blocks share, a dangling
id): both directions live in this one module so that they cannot drift apart. A tree written
with ids (by an older unpack, or by hand) reads as it always did: an id is never taken for a name.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from ._documents import INTEGRATIONS, SCRIPT_STEPS, is_canvas
from ._errors import ArchiveError
from ._jsontext import loads_strict
from ._lazy_re import lazy
from ._model import UUID, Json, Plan

PLACEHOLDER = lazy(r"\$\{([^}]*)\}")  # as flows.mappings reads mapping text
# What mapping text reads besides blocks (`${event.properties.X}`, `${constants.Y}`...): a block
# whose label starts so keeps its id in text, or an old tree's `${event.…}` would name the block.
_OTHER_HEADS = ("event", "constants", "person", "alert", "triggerOutput")
_BLOCK_REFERENCES = ("fromBlock", "toBlock")  # in edges; `groupingBlockId` is the block's own



def compact(value: Json) -> str:
    """The text xMatters gives a canvas block's `presentation` (compact JSON, raw non-ASCII)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class FormNames:
    """A plan's forms by name, for integrations' `form`: the build reads a name, unpack writes one.

    `forms` are `(name, uuid)` pairs in the plan's order; where two forms share a name the build
    takes the last (as it always has), and unpack never writes that name.
    """

    def __init__(self, forms: list[tuple[str, str]]) -> None:
        self.uuids = dict(forms)
        counts = Counter(name for name, _ in forms)
        self.names = {uuid: name for name, uuid in forms if counts[name] == 1}

    def resolve(self, value: Json) -> Json:
        """A form's name (not shaped like a uuid) is its uuid; anything else is left as it is."""
        if isinstance(value, str) and not UUID.fullmatch(value) and self.uuids.get(value):
            return self.uuids[value]
        return value

    def name(self, value: Json) -> Json:
        """The form's name, where that reads back as `value`; else `value`."""
        name = self.names.get(value) if isinstance(value, str) else None
        return name if name is not None and self.resolve(name) == value else value

    def named_integration(self, integration: dict[str, Json], where: str) -> dict[str, Json]:
        """The integration as unpack writes it: its form named where that reads back as the uuid."""
        if "form" not in integration:
            return integration
        value = integration["form"]
        name = self.name(value)
        if name == value and self.resolve(value) != value:  # a dangling value that is a form's name
            raise ArchiveError.at(where, f"integration {integration.get('name')!r} names form {value!r}, which "
                                  "is also another form's name: build would read it as that one")
        return {**integration, "form": name}


def integrations(plan: Plan) -> Json:
    """The plan's integrations list as it is (`Plan.integrations` expects a well-formed document)."""
    document = plan.get(INTEGRATIONS)
    return document.get("integrations") if isinstance(document, dict) else None


class Context:
    """What a plan's canvases refer to by id: its steps (and their inputs), integrations and forms."""

    def __init__(self, plan: Plan) -> None:
        steps = plan.get(SCRIPT_STEPS)
        steps = [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []
        self.inputs = {step["id"]: _names_of(step.get("inputs"), "id") for step in steps
                       if isinstance(step.get("id"), str)}
        self.forms = _names_of([form for _, form in plan.forms()], "uuid")
        # What a block's `step` is, by the block's stepType.
        self.steps = {"SCRIPT_STEP": _names_of(steps, "id"), "INTEGRATION": _names_of(integrations(plan), "id"),
                      "CREATE_EVENT": self.forms}


def resolve_canvases(plan: Plan) -> Plan:
    """The plan with every canvas as the zip holds it: names back to ids, layout as text."""
    context = Context(plan)
    entries = tuple(replace(entry, data=resolve_canvas(entry.data, context))
                    if is_canvas(entry.name) and isinstance(entry.data, dict) else entry for entry in plan.entries)
    return replace(plan, entries=entries)


def resolve_canvas(canvas: dict[str, Json], context: Context) -> dict[str, Json]:
    return _Canvas(canvas, context).rewrite(resolving=True)


def name_canvas(canvas: dict[str, Json], context: Context, where: str) -> dict[str, Json]:
    """The canvas as unpack writes it: its form, blocks' steps, blocks and inputs named, layout as an object."""
    return _Canvas(canvas, context, where).rewrite(resolving=False)


def _nameable(name: object, ids: set[str], counts: Counter[str]) -> bool:
    """Whether a name can stand for its object's id: its own, not an id, not shaped like one."""
    return isinstance(name, str) and bool(name) and counts[name] == 1 and name not in ids and not UUID.fullmatch(name)


class _Canvas:
    """One canvas's names: each block's label and each step's input names, where they are unambiguous."""

    def __init__(self, canvas: dict[str, Json], context: Context, where: str = "") -> None:
        self.canvas = canvas
        self.context = context
        self.where = where
        blocks = canvas.get("blocks")
        self.blocks = [block for block in blocks if isinstance(block, dict)] if isinstance(blocks, list) else []
        self.ids: set[str] = {block["id"] for block in self.blocks if isinstance(block.get("id"), str)}
        counts = Counter(label for block in self.blocks if isinstance(label := block.get("label"), str))
        self.labels: dict[str, str] = {block["label"]: block["id"] for block in self.blocks
                                       if isinstance(block.get("id"), str)
                                       and _nameable(block.get("label"), self.ids, counts)}
        self.named = {block_id: label for label, block_id in self.labels.items()}
        # In mapping text a label ends at the first `.` that follows it and the placeholder at `}`.
        self.text_labels = {label: block_id for label, block_id in self.labels.items()
                            if "}" not in label and "${" not in label and not label.startswith(_OTHER_HEADS)}
        self.text_named = {block_id: label for label, block_id in self.text_labels.items()}

    def rewrite(self, resolving: bool) -> dict[str, Json]:
        blocks = self.canvas.get("blocks")
        edges = self.canvas.get("edges")
        changed: dict[str, Json] = {}
        if isinstance(blocks, list):
            changed["blocks"] = [self._block(block, resolving) if isinstance(block, dict) else block
                                 for block in blocks]
        if isinstance(edges, list):
            changed["edges"] = [{**edge, **{key: self._choose(edge[key], resolving, self._block_id, self._block_name)
                                            for key in _BLOCK_REFERENCES if key in edge}}
                                if isinstance(edge, dict) else edge for edge in edges]
        if "form" in self.canvas:
            forms = self.context.forms
            changed["form"] = self._choose(self.canvas["form"], resolving, forms.resolve, forms.name)
        return {key: changed.get(key, value) for key, value in self.canvas.items()}

    def _block(self, block: dict[str, Json], resolving: bool) -> dict[str, Json]:
        new = dict(block)
        if "presentation" in block:
            layout = block["presentation"]
            new["presentation"] = _resolve_layout(layout) if resolving else _name_layout(layout)
        if "groupingBlockId" in block:
            new["groupingBlockId"] = self._choose(block["groupingBlockId"], resolving, self._block_id, self._block_name)
        step = block.get("step")
        targets = self.context.steps.get(str(block.get("stepType")))
        if targets is not None and "step" in block:
            new["step"] = self._choose(step, resolving, targets.resolve, targets.name)
            step = new["step"] if resolving else step  # the step's id, which its inputs go by
        mappings = block.get("inputMappings")
        if isinstance(mappings, list):
            inputs = self.context.inputs.get(step, _NO_NAMES) if isinstance(step, str) else _NO_NAMES
            new["inputMappings"] = [self._mapping(m, inputs, resolving) if isinstance(m, dict) else m for m in mappings]
        return new

    def _mapping(self, mapping: dict[str, Json], inputs: _Names, resolving: bool) -> dict[str, Json]:
        new = dict(mapping)
        if "stepInput" in mapping:
            new["stepInput"] = self._choose(mapping["stepInput"], resolving, inputs.resolve, inputs.name)
        if isinstance(mapping.get("mapping"), str):
            new["mapping"] = self._choose(mapping["mapping"], resolving, self._resolve_text, self._name_text)
        return new

    def _choose(self, value: Json, resolving: bool, resolve: Callable[[Json], Json],
                name: Callable[[Json], Json]) -> Json:
        """`value` read (resolving) or written: the name where it reads back as `value`, else `value`."""
        if resolving:
            return resolve(value)
        named = name(value)
        if named is not value and resolve(named) == value:
            return named
        if resolve(value) != value:  # an id kept as it is would read as a name: no way to write it
            raise ArchiveError.at(self.where, f"canvas {self.canvas.get('name')!r} refers to {value!r}, which is "
                                  "also a name on it: xmplan cannot write it so that build reads it back")
        return value

    def _block_id(self, value: Json) -> Json:
        return value if not isinstance(value, str) or value in self.ids else self.labels.get(value, value)

    def _block_name(self, value: Json) -> Json:
        return self.named.get(value, value) if isinstance(value, str) else value

    def _resolve_text(self, text: Json) -> Json:
        if not isinstance(text, str) or "${" not in text or not self.text_labels:
            return text

        def one(match: re.Match[str]) -> str:
            content = match.group(1)
            if content.partition(".")[0] in self.ids:
                return match.group()
            hits = [label for label in self.text_labels if content.startswith(label + ".")]
            if len(hits) != 1:
                return match.group()
            return "${" + self.text_labels[hits[0]] + content[len(hits[0]):] + "}"

        return PLACEHOLDER.sub(one, text)

    def _name_text(self, text: Json) -> Json:
        if not isinstance(text, str) or "${" not in text or not self.text_named:
            return text

        def one(match: re.Match[str]) -> str:
            head, dot, rest = match.group(1).partition(".")
            label = self.text_named.get(head)
            return "${" + label + dot + rest + "}" if label is not None and dot else match.group()

        named = PLACEHOLDER.sub(one, text)
        return text if named == text else named


class _Names:
    """Objects of one kind (a step's inputs, a plan's forms...): id <-> name, where the name is unambiguous."""

    def __init__(self, by_name: dict[str, str], ids: set[str]) -> None:
        self.by_name = by_name
        self.ids = ids
        self.by_id = {input_id: name for name, input_id in by_name.items()}

    def resolve(self, value: Json) -> Json:
        return value if not isinstance(value, str) or value in self.ids else self.by_name.get(value, value)

    def name(self, value: Json) -> Json:
        return self.by_id.get(value, value) if isinstance(value, str) else value


def _names_of(items: Json, key: str) -> _Names:
    """Objects by name, where the name is theirs alone: `key` is their id (`id`, or a form's `uuid`)."""
    objects = [item for item in items if isinstance(item, dict) and isinstance(item.get(key), str)] \
        if isinstance(items, list) else []
    ids = {item[key] for item in objects}
    counts = Counter(name for item in objects if isinstance(name := item.get("name"), str))
    return _Names({item["name"]: item[key] for item in objects if _nameable(item.get("name"), ids, counts)}, ids)


_NO_NAMES = _Names({}, set())


def _name_layout(value: Json) -> Json:
    """`presentation` as unpack writes it: the object its text holds, where that gives the same text back."""
    if not isinstance(value, str) or not value.startswith("{"):
        return value
    try:
        layout = loads_strict(value)
    except ValueError:
        return value
    return layout if isinstance(layout, dict) and compact(layout) == value else value


def _resolve_layout(value: Json) -> Json:
    return compact(value) if isinstance(value, dict) else value
