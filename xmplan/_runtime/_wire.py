"""The messages between the runtime and a script worker process: length-prefixed JSON frames on pipes."""

from __future__ import annotations

import json
import os
import struct
from typing import Any

from .._errors import Location, Problem, ScriptError, ScriptTimeout, SetupError, XmplanError
from .engine import Script

_HEADER = struct.Struct(">I")
SCRIPT_TEXTS = 512  # script texts a worker keeps; the runtime keeps the same number, evicting in the same order
MAX_FRAME = 256 * 1024 * 1024  # a frame longer than this is a broken or hostile peer
COMPILE_SECONDS = 60.0  # translating a run's scripts before its clock starts (js2py: moment.js takes seconds)


class WireClosed(Exception):
    """The other end closed its pipe (the worker exited, or the runtime did)."""


def send(fd: int, message: Any) -> None:
    # ensure_ascii: a JavaScript string may hold a lone surrogate, which UTF-8 cannot carry.
    data = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise WireClosed("pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    if size > MAX_FRAME:
        raise WireClosed(f"frame of {size} bytes refused")
    return json.loads(_read_exactly(fd, size))


def script_to_wire(script: Script) -> list[Any]:
    return [script.filename, script.text, script.reusable, script.harness, script.header]


def script_from_wire(data: list[Any]) -> Script:
    filename, text, reusable, harness, header = data
    return Script(str(filename), str(text), bool(reusable), bool(harness), int(header))


def error_to_wire(error: XmplanError) -> dict[str, Any]:
    if isinstance(error, SetupError):  # a message, no located problems
        return {"kind": "setup", "problems": [], "message": str(error)}
    kind = "timeout" if isinstance(error, ScriptTimeout) else "script" if isinstance(error, ScriptError) else "other"
    problems = [[p.location.file, p.location.line, p.location.column, p.message, p.severity, p.rule]
                for p in error.problems]
    return {"kind": kind, "problems": problems}


def error_from_wire(data: dict[str, Any]) -> XmplanError:
    if data.get("kind") == "setup":
        return SetupError(str(data.get("message", "")))
    problems = [Problem(Location(str(f), line, column), str(message), severity, str(rule))
                for f, line, column, message, severity, rule in data["problems"]]
    kind = data.get("kind")
    cls = ScriptTimeout if kind == "timeout" else ScriptError if kind == "script" else XmplanError
    return cls(problems)
