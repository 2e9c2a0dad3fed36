"""Translate JavaScript to Python code objects with js2py, keeping JS line numbers; cached by source text.

js2py's output has no line information, so the parser tags every statement with its line and the
translation emits a `#@L<line>` comment before the statement's code. The table from Python line to
JS line then maps a traceback frame back to the script. Translations are cached in memory and, for
large sources (moment.js takes over a second to translate and 2 ms to load), on disk
(`xmplan._codecache`: signed, for this user alone), keyed by the SHA-256 of the text plus the js2py,
Python and translator versions. Only the code is cached: every run still gets fresh globals.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import re
import sys
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from importlib.metadata import version
from types import CodeType
from typing import Any

import js2py
import pyjsparser
import pyjsparser.parser
from js2py.base import MakeError, PyJsException
from js2py.translators import translating_nodes
from js2py.translators import translator as js2py_translator

from ..._codecache import SignedCache, SignedFolder

TRANSLATOR_VERSION = "2"  # raise when what the translation produces changes (cached on disk)
DISK_CACHE_MIN_CHARS = 20_000
MEMORY_CACHE_ENTRIES = 256
FILENAME_PREFIX = "<xmplan-js2py:"
_MARKER = re.compile(r"\s*#@L(\d+)$")
_LINE_IN_MESSAGE = re.compile(r"^Line (\d+): ")


class TranslationError(Exception):
    """JavaScript js2py cannot parse or translate; `line` is the script's line when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Compiled:
    """A translated script: its code object and, per Python line (1-based), the JS line."""

    code: CodeType
    js_lines: tuple[int, ...]

    def js_line(self, py_line: int) -> int | None:
        if 0 < py_line <= len(self.js_lines):
            return self.js_lines[py_line - 1] or None
        return None


class _LineTaggingParser(pyjsparser.PyJsParser):
    """pyjsparser, tagging each statement node with the line of its first token."""

    def parseStatementListItem(self):
        line = self.lookahead.get("lineNumber")
        node = super().parseStatementListItem()
        node.jsline = line
        return node

    def parseStatement(self):
        line = self.lookahead.get("lineNumber")
        node = super().parseStatement()
        node.jsline = line
        return node


_original_trans = translating_nodes.trans


def _trans_with_lines(ele, standard=False):
    line = ele.pop("jsline", None) if isinstance(ele, dict) else None
    code = _original_trans(ele, standard)
    if line is None:
        return code
    return f"#@L{line}\n{code}"


_translate_lock = threading.Lock()  # js2py's translator keeps module-level state


def _parse(text: str) -> dict[str, Any]:
    return _LineTaggingParser().parse(text)


def _line_table(py_source: str) -> tuple[int, ...]:
    lines, current = [], 0
    for py_line in py_source.split("\n"):
        marker = _MARKER.match(py_line)
        if marker:
            current = int(marker.group(1))
        lines.append(current)
    return tuple(lines)


def _translate(text: str, filename: str) -> Compiled:
    install()
    pyjsparser.parser.ENABLE_PYIMPORT = False
    with _translate_lock, warnings.catch_warnings():
        # js2py names some functions with random.randrange(1e8): deprecated for a float, and
        # not the script's doing (a suite run with -W error would fail on it).
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            py_source = js2py_translator.translate_js(text, "", parse_fn=_parse)
        except (pyjsparser.parser.JsSyntaxError, PyJsException) as err:
            message = re.sub(r"^SyntaxError: ", "", str(err))
            found = _LINE_IN_MESSAGE.match(message)
            raise TranslationError(
                "SyntaxError: " + _LINE_IN_MESSAGE.sub("", message), int(found.group(1)) if found else None
            ) from None
        except NotImplementedError as err:
            raise TranslationError(f"SyntaxError: not supported by js2py (ES5 only): {err}", None) from None
        except RecursionError:
            raise TranslationError("SyntaxError: script is nested too deeply for js2py", None) from None
    try:
        code = compile(py_source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError) as err:
        raise TranslationError(f"SyntaxError: js2py could not translate this script ({err})", None) from None
    return Compiled(code, _line_table(py_source))


class TranslationCache:
    """Compiled scripts by source text: an in-memory LRU, backed on disk for large sources."""

    def __init__(self) -> None:
        self._memory: OrderedDict[str, Compiled] = OrderedDict()  # source text -> translation
        self._lock = threading.Lock()
        self._cache = SignedCache(f"js2py-{version('Js2Py')}-{sys.implementation.cache_tag}-t{TRANSLATOR_VERSION}")

    def has(self, text: str) -> bool:
        """Whether `text` is translated and in memory."""
        with self._lock:
            return text in self._memory

    def get(self, text: str) -> Compiled:
        # Keyed by the text itself: a str caches its hash, so a script run again costs one lookup.
        with self._lock:
            found = self._memory.get(text)
            if found is not None:
                self._memory.move_to_end(text)
                return found
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        disk = self._cache.open() if len(text) >= DISK_CACHE_MIN_CHARS else None
        compiled = _load(disk, digest) if disk else None
        if compiled is None:
            compiled = _translate(text, f"{FILENAME_PREFIX}{digest}>")
            if disk:
                disk.store(digest, marshal.dumps((compiled.code, list(compiled.js_lines))))
        with self._lock:
            self._memory[text] = compiled
            while len(self._memory) > MEMORY_CACHE_ENTRIES:
                self._memory.popitem(last=False)
        return compiled


def _load(disk: SignedFolder, digest: str) -> Compiled | None:
    payload = disk.load(digest)
    if payload is None:
        return None
    try:
        code, js_lines = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(code, CodeType) or code.co_filename != f"{FILENAME_PREFIX}{digest}>":
        return None
    return Compiled(code, tuple(js_lines))


@functools.cache
def install() -> None:
    """Patch js2py's translator: statement lines, no `pyimport`, parse errors that JS `catch` sees."""
    translating_nodes.trans = _trans_with_lines  # looked up as a module global by every translating node
    js2py.disable_pyimport()
    # js2py.internals (imported by js2py) makes parse errors a foreign exception type that JS
    # `catch` cannot see; use the one the translated code catches, for eval and Function too.
    pyjsparser.parser.ENABLE_JS2PY_ERRORS = lambda msg: MakeError("SyntaxError", msg)
