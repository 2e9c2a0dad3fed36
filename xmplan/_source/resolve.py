"""File references in source documents: `{"$file": path}` becomes the file's text, `{"$voice": path}` its steps.

Data in, data out: a document with references comes back as a new document; the parts without
any are shared with the one given, never changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .. import _texts as texts
from .._documents import is_form
from .._errors import Location, Problem, SourceError
from .._jsonpos import line_col
from .._layout import FILE_KEY, FILE_PLACES, count_marker_keys, has_escape, is_marker
from .._model import Json

if TYPE_CHECKING:  # the reader calls this module; it never needs the reader's class at run time
    from .reader import TreeReader


def resolve_files(reader: TreeReader, data: Json, entry: str, relative: str, text: str) -> Json:
    """Resolve file references where unpack puts them, then anywhere else there are more."""
    if has_escape(text):  # an escape could spell a marker key: look everywhere
        return _pull(reader, data, entry, "", relative, text)
    markers = count_marker_keys(text)
    if not markers:
        return data
    kind = "forms/*" if is_form(entry) else entry
    for path, pointer in list(_places(data, FILE_PLACES.get(kind, ()), (), "")):
        data = _replaced_at(data, path, _pull(reader, _at(data, path), entry, pointer, relative, text))
        markers -= 1
    return _pull(reader, data, entry, "", relative, text) if markers > 0 else data


def _pull(reader: TreeReader, value: Json, entry: str, pointer: str, relative: str, text: str) -> Json:
    """`value` with every `{"$file": path}` replaced by that file's text (and `$voice` by its steps)."""
    if isinstance(value, list):
        pulled = [_pull(reader, v, entry, f"{pointer}/{i}", relative, text) if isinstance(v, (dict, list)) else v
                  for i, v in enumerate(value)]
        return value if all(new is old for new, old in zip(pulled, value, strict=True)) else pulled
    if not isinstance(value, dict):
        return value
    if is_marker(value):
        key = next(iter(value))
        target = _target(reader, value[key], relative, text)
        if target is None:
            return value
        reader.sources[f"{entry}#{pointer}"] = reader.shown(target)
        content = reader.read(target)
        reader.texts[reader.shown(target)] = content
        return content if key == FILE_KEY else _voice(reader, content, target)
    changed = {key: new for key, item in value.items() if isinstance(item, (dict, list))
               and (new := _pull(reader, item, entry, f"{pointer}/{_escape(key)}", relative, text)) is not item}
    return {key: changed.get(key, item) for key, item in value.items()} if changed else value


def _target(reader: TreeReader, path: object, relative: str, text: str) -> str | None:
    problem = None
    if not isinstance(path, str) or not path:
        problem = "file reference must be a non-empty string"
    elif path.startswith("/") or "\\" in path or ".." in path.split("/"):
        problem = f"file reference {path!r} must be a relative path inside the source tree"
    elif path not in reader.rendered and path not in reader.file_set:
        problem = f"file reference {path!r}: no such file"
    if problem is None:
        return str(path)
    offset = text.find(json.dumps(path)) if isinstance(path, str) else -1
    where = reader.display(relative)
    place = Location(where, *line_col(text, offset)) if offset >= 0 else Location(where)
    reader.problems.append(Problem.of(place, problem, "file-reference"))
    return None


def _voice(reader: TreeReader, content: str, target: str) -> Json:
    try:
        return texts.text_to_voice(content, reader.shown(target))
    except SourceError as exc:
        reader.problems.extend(exc.problems)
        return []


def _places(value: Json, patterns: Iterable[tuple[str, ...]], path: tuple[Any, ...],
            pointer: str) -> Iterator[tuple[tuple[Any, ...], str]]:
    """`(path, pointer)` of every value the patterns name that is a file reference."""
    for pattern in patterns:
        head, rest = pattern[0], pattern[1:]
        children: list[tuple[Any, Json]]
        if head == "*":
            children = list(enumerate(value)) if isinstance(value, list) else []
        else:
            children = [(head, value[head])] if isinstance(value, dict) and head in value else []
        for key, child in children:
            here = f"{pointer}/{_escape(str(key))}"
            if rest:
                yield from _places(child, (rest,), (*path, key), here)
            elif is_marker(child):
                yield (*path, key), here


def _at(data: Json, path: tuple[Any, ...]) -> Json:
    for key in path:
        data = data[key]
    return data


def _replaced_at(data: Json, path: tuple[Any, ...], new: Json) -> Json:
    """A copy of `data` with the value at `path` replaced, sharing everything off the path."""
    if not path:
        return new
    key, rest = path[0], path[1:]
    if isinstance(data, list):
        copied = list(data)
        copied[key] = _replaced_at(data[key], rest, new)
        return copied
    return {**data, key: _replaced_at(data[key], rest, new)}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
