"""Message texts for people: property references by name, and voice steps as lines."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ._errors import Location, Problem, SourceError
from ._jsonpos import line_col
from ._lazy_re import lazy
from ._model import Json

ITEM_PLACEHOLDER = lazy(r"\$\{([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}")
PROPERTY_REFERENCE = re.compile(r"\$\{property\.([^}|\n]*)(\|lower)?\}")  # a name is one line


def can_name(text: str) -> bool:
    """Whether references by name would read back as the same text."""
    return "${property." not in text


def ids_to_names(text: str, names_by_id: Mapping[str, str]) -> str:
    """`${<ITEM ID>}` -> `${property.Name}`, `${<item id>}` -> `${property.Name|lower}`."""

    def replace(match: re.Match[str]) -> str:
        item_id = match.group(1)
        name = names_by_id.get(item_id.lower())
        if name is None or not _nameable(name):
            return match.group(0)
        if item_id == item_id.upper():
            return f"${{property.{name}}}"
        if item_id == item_id.lower():
            return f"${{property.{name}|lower}}"
        return match.group(0)

    return ITEM_PLACEHOLDER.sub(replace, text)


def _nameable(name: str) -> bool:
    return bool(name) and "}" not in name and "|" not in name


def names_to_ids(text: str, ids_by_name: Mapping[str, str], where: str) -> str:
    """The reverse of `ids_to_names`; unknown names are a SourceError at their line and column."""
    problems: list[Problem] = []

    def problem(start: int, message: str) -> None:
        problems.append(Problem.of(Location(where, *line_col(text, start)), message, "template-property"))

    def replace(match: re.Match[str]) -> str:
        item_id = ids_by_name.get(match.group(1))
        if item_id is None:
            problem(match.start(), f"template refers to property {match.group(1)!r}, which is not on this form")
            return match.group(0)
        return "${" + (item_id.lower() if match.group(2) else item_id.upper()) + "}"

    # Anything else starting like a reference would reach recipients as it is (and could not be
    # unpacked again): a typo such as `${property.Sev|upper}` or a missing `}`.
    for start in (m.start() for m in re.finditer(r"\$\{property\.", text)):
        if not PROPERTY_REFERENCE.match(text, start):
            problem(start, "malformed property reference: write ${property.Name} or ${property.Name|lower}")
    result = PROPERTY_REFERENCE.sub(replace, text)
    if problems:
        raise SourceError(sorted(problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    return result


# --- voice steps ---------------------------------------------------------------------------

_KINDS = {1: ("phrase", "phrase"), 2: ("property", "propertyName"), 3: ("field", "propertyName")}
_STEP_KEYS = {1: ["playType", "voiceScriptStepType", "phrase"], 2: ["playType", "voiceScriptStepType", "propertyName"],
              3: ["playType", "voiceScriptStepType", "propertyName"]}
_LINE = re.compile(r"(\S+) (phrase|property|field): (.*)")


def voice_to_text(steps: list[Json]) -> str | None:
    """Voice steps as lines `<playType> <kind>: <value>`, or None if they cannot round-trip."""
    lines = []
    for step in steps:
        kind = step.get("voiceScriptStepType") if isinstance(step, dict) else None
        if kind not in _STEP_KEYS or list(step) != _STEP_KEYS[kind]:
            return None
        play = step["playType"]
        value = step[_KINDS[kind][1]]
        if not isinstance(play, str) or not re.fullmatch(r"\S+", play) or not isinstance(value, str):
            return None
        lines.append(f"{play} {_KINDS[kind][0]}: {_quote(value)}")
    return "".join(line + "\n" for line in lines)


def _quote(value: str) -> str:
    plain = value == value.strip() and "\n" not in value and "\r" not in value and not value.startswith('"')
    return value if plain else json.dumps(value, ensure_ascii=False)


def text_to_voice(text: str, where: str) -> list[Json]:
    steps: list[Json] = []
    problems = []
    kinds = {name: (number, key) for number, (name, key) in _KINDS.items()}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line)
        value: object = None
        if match:
            value = match.group(3)
            if value.startswith('"'):
                try:
                    value = json.loads(value)
                except json.JSONDecodeError:
                    value = None
        if not match or not isinstance(value, str):
            problems.append(Location(where, number, 1))
            continue
        step_type, key = kinds[match.group(2)]
        steps.append({"playType": match.group(1), "voiceScriptStepType": step_type, key: value})
    if problems:
        raise SourceError([Problem.of(loc, "voice step must read '<playType> phrase|property|field: <value>'",
                                      "voice-step") for loc in problems])
    return steps
