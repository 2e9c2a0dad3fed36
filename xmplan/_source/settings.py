"""plan/xmplan.json: what a tree records beyond its documents (era, timestamps, canvas order, rule levels)."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .._eras import DEFAULT_ERA, DEFAULT_TIME, ERA_TIMES, ERAS
from .._errors import Location, Problem, SourceError
from .._jsonpos import locate, pointer
from .._layout import SETTINGS
from .._model import DateTime, Json
from .._rules import RULES, check_levels
from .reader import TreeReader

if TYPE_CHECKING:
    import jsonschema

# How a setting's schema type reads in a message: "setting 'compact' must be a list of strings".
_SHAPES = {"string": "a string", "object": "an object of strings", "array": "a list of strings"}


def read_settings(root: Path) -> dict[str, Any]:
    """plan/xmplan.json of the tree at `root`, checked (empty when there is none)."""
    return settings(TreeReader(root))


def settings(reader: TreeReader) -> dict[str, Any]:
    """plan/xmplan.json, checked against xmplan/schemas/settings.schema.json, the era table and the rule
    table: every problem in it, each at its line and column."""
    settings: dict[str, Any] = reader.json_file(SETTINGS, {})
    if not settings:  # no file (or `{}`): nothing to check, and jsonschema, a tenth of a second cold, stays unloaded
        return settings
    found = list(_schema_problems(settings))
    if not found:
        for rule_id, level in settings.get("rules", {}).items():
            found += [(pointer(["rules", rule_id]), rule_id not in RULES, f"setting 'rules': {wrong}")
                      for wrong in check_levels({rule_id: level})]
        if settings.get("era", DEFAULT_ERA) not in ERAS:
            found.append(("/era", False, f"unknown era {settings['era']!r} (one of {', '.join(ERAS)})"))
    if found:
        text, where = reader.read(SETTINGS), reader.display(SETTINGS)
        problems = [Problem(Location(where, *(locate(text, ptr, key) or ())), message) for ptr, key, message in found]
        raise SourceError(sorted(problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    return settings


@cache
def _validator() -> jsonschema.Draft202012Validator:
    from importlib import resources  # both only for a tree with settings: `xmplan run` of a zip loads neither

    import jsonschema

    data = resources.files("xmplan").joinpath("schemas", "settings.schema.json").read_bytes()
    return jsonschema.Draft202012Validator(orjson.loads(data))


def _schema_problems(settings: Json) -> list[tuple[str, bool, str]]:
    """(JSON pointer, at the key rather than the value, message): one per unknown key or badly typed setting."""
    schema: Json = _validator().schema
    known: dict[str, Json] = schema["properties"]
    found, typed = [], set()
    for error in sorted(_validator().iter_errors(settings), key=lambda e: [str(p) for p in e.absolute_path]):
        if error.validator == "additionalProperties" and not error.absolute_path:
            found += [(pointer([key]), True, f"unknown setting {key!r} (known: {', '.join(known)})")
                      for key in error.instance if key not in known]
        elif error.absolute_path and error.absolute_path[0] not in typed:  # once per setting, where it first goes wrong
            key = str(error.absolute_path[0])
            typed.add(key)
            shape = _SHAPES[known[key]["type"]]
            found.append((pointer(error.absolute_path), False, f"setting {key!r} must be {shape}"))
    return found


def timestamps(reader: TreeReader, settings: Json) -> dict[str, DateTime]:
    stamps = {"": ERA_TIMES.get(settings.get("era", DEFAULT_ERA), DEFAULT_TIME)}
    for name, text in [("", settings.get("timestamp")), *settings.get("timestamps", {}).items()]:
        if text is None:
            continue
        try:
            stamps[name] = _parse_time(str(text))
        except ValueError:
            where = reader.display(SETTINGS)
            ptr = pointer(["timestamps", name] if name else ["timestamp"])
            raise SourceError.at(Location(where, *(locate(reader.read(SETTINGS), ptr) or ())),
                                 f"bad timestamp {text!r}: expected YYYY-MM-DD HH:MM:SS") from None
    return stamps


def _parse_time(text: str) -> DateTime:
    """A zip timestamp: a real date and time that DOS time can hold (1980 to 2107)."""
    stamp = datetime.datetime.strptime(text.replace("T", " "), "%Y-%m-%d %H:%M:%S")
    if not 1980 <= stamp.year <= 2107:
        raise ValueError(text)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
