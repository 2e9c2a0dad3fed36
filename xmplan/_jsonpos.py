"""Find where a JSON pointer's value (or key) starts in a JSON text, as line and column."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from functools import lru_cache

from ._lazy_re import lazy

_WS = lazy(r"[ \t\n\r]*")
_STRING = lazy(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR_END = lazy(r"[,\]}\s]|$")
_STRUCTURE = lazy(r'["\[\]{}]')
_SURROGATE_PAIR = lazy(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def pointer(parts: Iterable[str | int]) -> str:
    """`["a", 0, "b/c"]` -> `/a/0/b~1c` (RFC 6901)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def split_pointer(ptr: str) -> list[str]:
    if not ptr:
        return []
    if not ptr.startswith("/"):
        raise ValueError(f"not a JSON pointer: {ptr!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in ptr[1:].split("/")]


def value_offset(text: str, ptr: str, key: bool = False) -> int | None:
    """Offset of the value at `ptr` in `text`, or of its member name when `key` is set.

    Returns None when the text does not hold that pointer (or is not JSON there).
    """
    pos = _skip_ws(text, 0)
    key_pos = None
    for part in split_pointer(ptr):
        if pos >= len(text):
            return None
        opening = text[pos]
        found = _member(text, pos, part) if opening == "{" else _element(text, pos, part) if opening == "[" else None
        if found is None:
            return None
        key_pos, pos = found
    return key_pos if key and key_pos is not None else pos


def string_char_offset(text: str, start: int, index: int) -> int:
    """Offset in `text` of character `index` of the decoded JSON string literal at `start`."""
    pos = start + 1
    for _ in range(index):
        if pos >= len(text) or text[pos] == '"':
            break
        if text[pos] == "\\":
            # A character beyond U+FFFF is escaped as a surrogate pair: two escapes, one character.
            pair = _SURROGATE_PAIR.match(text, pos)
            pos += 12 if pair else 6 if text[pos + 1] == "u" else 2
        else:
            pos += 1
    return pos


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` (columns count characters)."""
    starts = _line_starts(text)
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def locate(text: str, ptr: str, key: bool = False) -> tuple[int, int] | None:
    """1-based `(line, column)` where the value at `ptr` (or its key) starts, if found."""
    offset = value_offset(text, ptr, key)
    return None if offset is None else line_col(text, offset)


@lru_cache(maxsize=64)
def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _skip_ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string too


def _skip_value(text: str, pos: int) -> int:
    """Offset just past the JSON value starting at `pos`."""
    char = text[pos]
    if char == '"':
        m = _STRING.match(text, pos)
        return m.end() if m else len(text)
    if char not in "[{":
        end = _SCALAR_END.search(text, pos)
        return end.start() if end else len(text)
    depth = 0
    while True:
        m = _STRUCTURE.search(text, pos)
        if not m:
            return len(text)
        if m.group() == '"':
            s = _STRING.match(text, m.start())
            pos = s.end() if s else len(text)
            continue
        depth += 1 if m.group() in "[{" else -1
        pos = m.end()
        if depth == 0:
            return pos


def _member(text: str, pos: int, name: str) -> tuple[int, int] | None:
    """(key offset, value offset) of member `name` of the object at `pos`."""
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] == '"':
        m = _STRING.match(text, pos)
        if not m:
            return None
        key_pos = pos
        key = json.loads(m.group())
        pos = _skip_ws(text, m.end())
        if pos >= len(text) or text[pos] != ":":
            return None
        pos = _skip_ws(text, pos + 1)
        if key == name:
            return key_pos, pos
        pos = _skip_ws(text, _skip_value(text, pos))
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return None


def _element(text: str, pos: int, part: str) -> tuple[None, int] | None:
    if not part.isdigit():
        return None
    wanted = int(part)
    pos = _skip_ws(text, pos + 1)
    index = 0
    while pos < len(text) and text[pos] != "]":
        if index == wanted:
            return None, pos
        pos = _skip_ws(text, _skip_value(text, pos))
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        index += 1
    return None
