"""Read the JSON files `xmplan run` is given (`--request`, `--respond`): bounded, decoded, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .._errors import InputError, Location

MAX_INPUT = 16 * 1024 * 1024  # bytes; a request or a fake answer is far smaller


def read_json_file(filename: str) -> Any:
    """The JSON value in `filename`, or an InputError naming the file (and line) and what is wrong."""
    path = Path(filename)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_INPUT + 1)
    except OSError as exc:
        raise InputError.at(filename, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT:
        limit = f"{MAX_INPUT // (1024 * 1024)} MiB" if MAX_INPUT % (1024 * 1024) == 0 else f"{MAX_INPUT} bytes"
        raise InputError.at(filename, f"larger than {limit}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError.at(Location(filename, line, column), "not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.at(Location(filename, exc.lineno, exc.colno), f"not JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError.at(filename, "JSON nested too deeply") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise InputError.at(filename, f"not usable JSON: {exc}") from None
