"""Members named twice in one object of a source file: valid JSON, but only the last one counts."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from .._errors import Location, Problem
from .._jsonpos import locate, pointer

_MOST_PER_FILE = 50  # each is located from the file's start: many would take quadratic time


class _Object(dict[str, Any]):
    repeated: tuple[str, ...] = ()


def _object(repeating: list[_Object], pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) < len(pairs):
        counts = Counter(name for name, _ in pairs)
        obj.repeated = tuple(name for name, count in counts.items() if count > 1)
        repeating.append(obj)
    return obj


def check_duplicate_keys(texts: Mapping[str, str]) -> Iterator[Problem]:
    """One problem per repeated member name, at its first occurrence, in the JSON files among `texts`."""
    for file, text in texts.items():
        if not file.endswith((".json", ".json.j2")):
            continue
        repeating: list[_Object] = []
        try:
            tree = json.loads(text, object_pairs_hook=functools.partial(_object, repeating))
        except ValueError:
            continue  # reported when the plan was read
        if not repeating:  # the common case: no walk over the whole tree for places there are none of
            continue
        repeated = list(_repeated(tree, []))
        for parts, name in repeated[:_MOST_PER_FILE]:
            found = locate(text, pointer([*parts, name]), key=True)
            yield Problem.of(Location(file, *found) if found else Location(file),
                             f"{name!r} is named more than once in this object: only the last value counts",
                             "duplicate-key")
        if len(repeated) > _MOST_PER_FILE:
            yield Problem.of(Location(file), f"{len(repeated) - _MOST_PER_FILE} more members named twice",
                             "duplicate-key")


def _repeated(value: Any, parts: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    if isinstance(value, _Object):
        for name in value.repeated:
            yield parts, name
        for name, item in value.items():
            yield from _repeated(item, [*parts, name])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _repeated(item, [*parts, index])
