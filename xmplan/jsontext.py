"""JSON text as xMatters writes it in exports, and as xmplan writes it for people."""

from __future__ import annotations

import json

from .model import Json

try:  # orjson writes the exporter's indent-2 text byte for byte, ten times faster
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib gives the same bytes
    orjson = None


def dumps_entry(data: Json, compact: bool = False) -> str:
    """The exporter's text: indent 2, raw UTF-8, no trailing newline (or compact, §3)."""
    if compact:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if orjson is not None:
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
        except (orjson.JSONEncodeError, TypeError):
            pass  # lone surrogates or integers beyond 64 bits: the stdlib handles them
    return json.dumps(data, indent=2, ensure_ascii=False)


def dumps_source(data: Json) -> str:
    """A source-tree JSON file: the same layout, ending with a newline as editors expect."""
    return dumps_entry(data) + "\n"


def copy_json(value: Json) -> Json:
    """A deep copy of JSON data (dicts, lists and scalars), much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: copy_json(item) if isinstance(item, (dict, list)) else item for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) if isinstance(item, (dict, list)) else item for item in value]
    return value
