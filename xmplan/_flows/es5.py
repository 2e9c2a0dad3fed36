"""ES2015+ step scripts made ES5 for js2py, by the Babel 6 that dukpy ships (run in its QuickJS)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from importlib.resources import files
from typing import Any

from .._errors import Location, ScriptError

# Babel is only worth its cost when the text may hold ES2015 syntax; a false hit (a keyword in a
# comment or string) only costs one translation that leaves ES5 code as it was.
_ES6_HINT = re.compile(r"\blet\s|\bconst\s|=>|`|\bclass\s|\.\.\.|\bfor\s*\([^;)]*\bof\b|\*\s*\(")
# loose: for-of over arrays, spread and classes without Symbol, which js2py lacks.
# modules false: no "use strict" (scripts assign undeclared names); retainLines: lines stay the script's.
_OPTIONS = ('{presets: [["es2015", {loose: true, modules: false}]], retainLines: true, sourceType: "script", '
            'parserOpts: {allowReturnOutsideFunction: true}, compact: false}')
_BARE_CATCH = re.compile(r"\bcatch\s*\{")
_lock = threading.Lock()
_babel: list[Any] = []


def may_be_es6(text: str) -> bool:
    return bool(_ES6_HINT.search(text))


def _interpreter() -> Any:
    if not _babel:
        import dukpy

        babel = files("dukpy").joinpath("jsmodules", "babel-6.26.0.min.js").read_text(encoding="utf-8")
        interpreter = dukpy.JSInterpreter()
        interpreter.evaljs(babel)
        _babel.append(interpreter)
    return _babel[0]


@lru_cache(maxsize=512)
def to_es5(text: str, filename: str = "<script>") -> str:
    """`text` as ES5 with the same line numbers; ES5 text comes back as it was."""
    if not may_be_es6(text) and not _BARE_CATCH.search(text):
        return text
    text = _BARE_CATCH.sub("catch (__xmplan_ignored__) {", text)  # ES2019, which Babel 6 does not parse
    with _lock:
        try:
            return str(_interpreter().evaljs(f"Babel.transform(dukpy.source, {_OPTIONS}).code", source=text))
        except Exception as exc:  # dukpy raises JSRuntimeError with Babel's "(line:column)" message
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            place = re.search(r"\((\d+):(\d+)\)", message)
            line, column = (int(place.group(1)), int(place.group(2)) + 1) if place else (None, None)
            raise ScriptError.at(Location(filename, line, column),
                                 f"SyntaxError: {message.removeprefix('SyntaxError: ')}") from None
