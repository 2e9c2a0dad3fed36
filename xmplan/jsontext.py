"""JSON text as xMatters writes it in exports, and as xmplan writes it for people."""

from __future__ import annotations

import json
import re

from .model import Json

try:  # orjson writes the exporter's indent-2 text byte for byte, ten times faster
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib gives the same bytes
    orjson = None


def entry_bytes(data: Json, compact: bool = False) -> bytes:
    """The exporter's text, UTF-8 encoded: indent 2, raw non-ASCII, no trailing newline (or compact, §3)."""
    if compact:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if orjson is not None:
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2)
        except (orjson.JSONEncodeError, TypeError):
            pass  # integers beyond 64 bits: the stdlib handles them
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


def dumps_entry(data: Json, compact: bool = False) -> str:
    """`entry_bytes` as text."""
    return entry_bytes(data, compact).decode("utf-8")


def source_bytes(data: Json) -> bytes:
    """A source-tree JSON file, UTF-8 encoded: the same layout, ending with a newline as editors expect."""
    return entry_bytes(data) + b"\n"


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _Constant(Exception):
    pass


def loads_strict(text: str) -> Json:
    """`json.loads` without the NaN and Infinity extensions: plans are plain JSON."""
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # the stdlib gives the message and place, or takes what orjson will not (lone surrogates)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except _Constant as exc:
        name = str(exc)  # the parser does not say where: the first bare occurrence is a fair guess
        raise json.JSONDecodeError(f"{name} is not allowed in JSON", text, max(text.find(name), 0)) from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escape: JSON's grammar allows it, UTF-8 cannot hold it
        escape = _SURROGATE_ESCAPE.search(text)
        raise json.JSONDecodeError("a lone surrogate escape is not text", text, escape.start() if escape else 0) from None
    return data


def _refuse_constant(name: str) -> Json:
    raise _Constant(name)
