"""JSON text as xMatters writes it in exports, and as xmplan writes it for people."""

from __future__ import annotations

import json

from .model import Json


def dumps_entry(data: Json, compact: bool = False) -> str:
    """The exporter's text: indent 2, raw UTF-8, no trailing newline (or compact, §3)."""
    if compact:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(data, indent=2, ensure_ascii=False)


def dumps_source(data: Json) -> str:
    """A source-tree JSON file: the same layout, ending with a newline as editors expect."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
