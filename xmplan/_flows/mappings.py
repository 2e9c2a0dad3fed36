"""A block's `inputMappings` text with its `${...}` placeholders filled in from the flow so far."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .._model import Json

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
TRIGGER_FAMILIES = ("triggerOutputRESPONSE", "triggerOutputSTATUS", "triggerOutputDELIVERYSTATUS",
                    "triggerOutputANNOTATION", "triggerOutputESCALATION")
# Placeholders that read a notification's context (the recipient, the alert being sent): they
# are filled in when xMatters builds each message, which a local flow run does not do.
NOTIFICATION_CONTEXT = ("person", "alert")
# What a placeholder's head names besides a block (by id): the flow's context.
CONTEXT_HEADS = frozenset(("constants", "event", *TRIGGER_FAMILIES, *NOTIFICATION_CONTEXT))


@dataclass
class Scope:
    """What placeholders can read: each finished block's outputs, the trigger's objects, constants."""

    constants: Mapping[str, str]
    trigger: Mapping[str, Json] = field(default_factory=dict)  # event, respondedTo, response, ...
    trigger_aliases: frozenset[str] = frozenset()  # ids that name the trigger (the canvas's form uuid)
    outputs: dict[str, Mapping[str, Json]] = field(default_factory=dict)  # block id -> its outputs


def as_text(value: Json) -> str:
    """A value as Flow Designer passes it on: text (lists of plain values comma-separated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return ",".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def lookup(value: Json, path: str) -> tuple[bool, Json]:
    """(found, value) at a dotted path; keys may themselves hold dots (`Alert.Name`), longest first."""
    if path == "":
        return True, value
    if not isinstance(value, Mapping):
        return False, None
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in value:
            found, inner = lookup(value[key], ".".join(parts[i:]))
            if found:
                return True, inner
    return False, None


def read(name: str, scope: Scope) -> tuple[bool, Json]:
    """The value one placeholder names, and whether the flow has it."""
    head, _, rest = name.partition(".")
    if head == "constants":
        return (rest in scope.constants), scope.constants.get(rest)
    if head == "event":
        return lookup(scope.trigger, name)
    if head in TRIGGER_FAMILIES:
        return lookup(scope.trigger, rest)
    if head in scope.outputs:
        return lookup(scope.outputs[head], rest)
    if head in scope.trigger_aliases:
        return lookup(scope.trigger, rest)
    return False, None


def resolve(text: str, scope: Scope) -> tuple[str, list[str]]:
    """The mapping's text with placeholders replaced; notes name those the flow has no value for."""
    notes: list[str] = []

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        found, value = read(name, scope)
        if not found:
            head = name.partition(".")[0]
            why = ("a notification's context, not known to a flow run" if head in NOTIFICATION_CONTEXT
                   else "no value in this run")
            notes.append(f"${{{name}}}: {why} (empty)")
        return as_text(value)

    return PLACEHOLDER.sub(one, text), notes
