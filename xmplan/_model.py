"""The plan model: the export's JSON documents, in order, with where each came from.

Data in, data out: `Plan` and `Entry` are frozen, and so, by rule, are the documents they hold.
A transform (fill, link, resolve, canonical order, unpack) returns new documents, sharing the
parts it leaves as they are, and never changes a document it was given. `copy_json` gives a
transform a copy of its own to complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ._documents import (
    ENGINE,
    INTEGRATIONS,
    PROPERTIES,
    SCRIPT_STEPS,
    SHARED_FUNCTIONS,
    TRIGGER_FILTERS,
    is_canvas,
    is_form,
)

__all__ = ["ENGINE", "INTEGRATIONS", "PROPERTIES", "SCRIPT_STEPS", "SHARED_FUNCTIONS", "TRIGGER_FILTERS", "DateTime",
           "UUID", "Entry", "Json", "Plan", "copy_json", "form_id", "objects"]

Json = Any  # a parsed JSON value: the one alias every module uses
DateTime = tuple[int, int, int, int, int, int]
# A uuid as xMatters writes them (lower case), or as a person might (upper case): fill and validate agree.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One zip entry: its name, parsed JSON, timestamp, and whether it is written compact."""

    name: str
    data: Json
    date_time: DateTime = (2021, 1, 1, 0, 0, 0)
    compact: bool = False


@dataclass(frozen=True)
class Plan:
    """A communication plan as the ordered documents of its export.

    `origin` is the zip or source directory it was read from. `sources` maps a
    document (`entry name`) or a value inside one (`entry name#/json/pointer`) to
    the file it came from, so messages name the file a person edits; `texts` holds
    the JSON text of those files (templates rendered) for line and column numbers.
    """

    entries: tuple[Entry, ...]
    origin: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Json | None:
        for entry in self.entries:
            if entry.name == name:
                return entry.data
        return None

    @property
    def engine(self) -> Json:
        return self.get(ENGINE) or {}

    @property
    def name(self) -> str:
        return str(self.engine.get("name", ""))

    @property
    def properties(self) -> list[Json]:
        return self.get(PROPERTIES) or []

    def forms(self) -> Iterator[tuple[str, Json]]:
        """Yield `(entry name, form)` for every form, in entry order."""
        for entry in self.entries:
            if is_form(entry.name):
                yield entry.name, entry.data

    def canvases(self) -> Iterator[tuple[str, Json]]:
        for entry in self.entries:
            if is_canvas(entry.name):
                yield entry.name, entry.data

    @property
    def integrations(self) -> list[Json]:
        return list((self.get(INTEGRATIONS) or {}).get("integrations", []))

    @property
    def endpoints(self) -> list[Json]:
        return list((self.get(INTEGRATIONS) or {}).get("endpoints", []))

    @property
    def constants(self) -> list[Json]:
        return list((self.get(INTEGRATIONS) or {}).get("constants", []))

    @property
    def shared_libraries(self) -> list[Json]:
        return self.get(SHARED_FUNCTIONS) or []

    @property
    def script_steps(self) -> list[Json]:
        return self.get(SCRIPT_STEPS) or []

    def source_of(self, entry: str, pointer: str = "") -> str:
        """The file a person edits for this document or value (the zip path for zips)."""
        if pointer and f"{entry}#{pointer}" in self.sources:
            return self.sources[f"{entry}#{pointer}"]
        return self.sources.get(entry, f"{self.origin}/{entry}" if self.origin else entry)


def copy_json(value: Json) -> Json:
    """A copy of parsed JSON: new objects and arrays, the same (immutable) strings and numbers.

    orjson's round trip is the fastest copy there is (every build copies every document); what it
    refuses (integers beyond 64 bits, lone surrogates) is copied by a walk by type.
    """
    try:
        return orjson.loads(orjson.dumps(value))
    except (orjson.JSONEncodeError, TypeError):
        return _copy_walk(value)


def _copy_walk(value: Json) -> Json:
    if isinstance(value, dict):
        return {key: _copy_walk(item) if isinstance(item, (dict, list)) else item for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_walk(item) if isinstance(item, (dict, list)) else item for item in value]
    return value


def form_id(entry_name: str) -> int | None:
    """The numeric form id in `forms/<Folder>/<id>.json`, if the name has one."""
    stem = entry_name.rsplit("/", 1)[-1].removesuffix(".json")
    return int(stem) if stem.isdigit() else None


def objects(value: Json) -> list[tuple[int, dict[str, Json]]]:
    """The objects of a JSON array with their positions; anything else has none (the schema says why)."""
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []
