"""Check each plan document against its JSON Schema (shipped in xmplan/schemas/)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import cache
from importlib import resources

import jsonschema
import orjson
from jsonschema.exceptions import ValidationError, best_match

from .._documents import kind_of
from .._errors import Problem, shorten
from .._jsonpos import pointer
from .._locate import Locator
from .._model import Entry, Json, Plan, copy_json

_UNKNOWN_KEY_VALIDATORS = {"additionalProperties", "unevaluatedProperties"}


def schema_name(entry_name: str) -> str | None:
    """The schema (file stem in xmplan/schemas/) for a zip entry name, if it is a known kind."""
    kind = kind_of(entry_name)
    return kind.schema if kind else None


def load_schema(name: str) -> dict[str, Json]:
    data = resources.files("xmplan").joinpath("schemas", f"{name}.json").read_bytes()
    schema: dict[str, Json] = orjson.loads(data)  # our own JSON: orjson reads it in a third of json's time
    return schema


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The compiled validator for one schema, built once per process."""
    return jsonschema.Draft202012Validator(load_schema(name))


def check_schemas(plan: Plan, locator: Locator) -> tuple[list[Problem], Plan]:
    """Schema problems, and the plan with every value that broke its schema taken out.

    Later checks read the second plan, so they can trust every value they find to have the
    type its schema gives (they still meet missing keys). Unknown entries are left out of it.
    """
    problems: list[Problem] = []
    sound: list[Entry] = []
    for entry in plan.entries:
        name = schema_name(entry.name)
        if name is None:
            problems.append(locator.problem(entry.name, "", f"unknown entry {entry.name!r} in a plan",
                                            "unknown-entry"))
            continue
        broken: list[tuple[str | int, ...]] = []
        for error in validator(name).iter_errors(entry.data):
            if error.validator in _UNKNOWN_KEY_VALIDATORS:
                problems.extend(_unknown_keys(entry, error, locator))
            else:
                problems.append(_schema_problem(entry, error, locator))
                broken.append(tuple(error.absolute_path))
        sound.append(replace(entry, data=_without(entry.data, broken, validator(name).schema)) if broken else entry)
    return problems, replace(plan, entries=tuple(sound))


def _without(data: Json, broken: list[tuple[str | int, ...]], schema: Mapping[str, Json] | bool) -> Json:
    """A copy of `data` without the values at `broken` paths (list items become None, keeping indexes)."""
    if () in broken:
        return [] if isinstance(schema, Mapping) and schema.get("type") == "array" else {}
    data = copy_json(data)
    for path in broken:
        parent: Json = data
        for part in path[:-1]:
            if isinstance(parent, dict):
                parent = parent.get(part)
            else:
                parent = parent[part] if isinstance(parent, list) and isinstance(part, int) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, list) and isinstance(path[-1], int):
            parent[path[-1]] = None
    return data


def _unknown_keys(entry: Entry, error: ValidationError, locator: Locator) -> Iterator[Problem]:
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    instance: Json = error.instance
    for key in instance:
        if key not in known:
            ptr = pointer([*error.absolute_path, key])
            yield locator.problem(entry.name, ptr, f"unknown key {key!r}{locator.within(entry.name, ptr)}",
                                  "unknown-key", key=True)


def _schema_problem(entry: Entry, error: ValidationError, locator: Locator) -> Problem:
    # For anyOf/oneOf, the most specific failing branch explains the problem best.
    detail = best_match([error]) if error.context else error
    where = pointer(error.absolute_path)
    message = f"{where or '/'}: {describe(detail)}{locator.within(entry.name, where)}"
    return locator.problem(entry.name, where, message, "schema")



_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object",
               type(None): "null"}


def describe(error: ValidationError) -> str:
    """A short message: jsonschema's own quotes the whole offending value, however large."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    found = _JSON_TYPES.get(type(error.instance), "value")
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {expected}, found {found}"
    if error.validator == "enum":
        choices: Json = error.validator_value
        return f"{_short(error.instance)} is not one of {', '.join(_short(v) for v in choices)}"
    if error.validator == "pattern" and "description" in schema:
        return f"{_short(error.instance)} is not a {schema['description']}"
    return shorten(error.message, 200)


def _short(value: object) -> str:
    return shorten(json.dumps(value, ensure_ascii=False), 60)
