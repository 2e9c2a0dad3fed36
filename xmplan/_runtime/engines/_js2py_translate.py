"""Translate JavaScript to Python code objects with js2py, keeping JS line numbers; cached by source text.

js2py's output has no line information, so the parser tags every statement with its line and the
translation emits a `#@L<line>` comment before the statement's code. The table from Python line to
JS line then maps a traceback frame back to the script. Translations are cached in memory and, for
large sources (moment.js takes over a second to translate and 2 ms to load), on disk under
`cache_dir()`, keyed by the SHA-256 of the text plus the js2py, Python and translator versions.
Only the code is cached: every run still gets fresh globals.

The disk cache holds executable code, so nothing is loaded from it that this user did not write:
each entry carries an HMAC-SHA256 under a per-user key kept apart from the cache (`key_file()`,
0600), and the cache folder must be the user's own and closed to others (0700). A cache copied
from elsewhere (a shared CI cache) fails the check and is translated again.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import marshal
import os
import re
import secrets
import stat
import sys
import tempfile
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import CodeType
from typing import Any

import js2py
import pyjsparser
import pyjsparser.parser
from js2py.base import MakeError, PyJsException
from js2py.translators import translating_nodes
from js2py.translators import translator as js2py_translator

TRANSLATOR_VERSION = "2"  # raise when what the translation produces changes (cached on disk)
DISK_CACHE_MIN_CHARS = 20_000
KEY_BYTES = 32
MAC_BYTES = 32  # HMAC-SHA256
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


def cache_dir() -> Path:
    """`$XMPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/xmplan`, else `~/.cache/xmplan`."""
    configured = os.environ.get("XMPLAN_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xmplan"


def key_file() -> Path:
    """`$XMPLAN_CACHE_KEY`, else `$XDG_CONFIG_HOME/xmplan/cache.key`, else `~/.config/xmplan/cache.key`."""
    configured = os.environ.get("XMPLAN_CACHE_KEY")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "xmplan" / "cache.key"


def _private(path: Path) -> bool:
    """Owned by this user and closed to everyone else (no group or other permission bits)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    return info.st_uid == owner and not info.st_mode & 0o077 and not stat.S_ISLNK(info.st_mode)


def _private_dir(path: Path) -> bool:
    """`path` as a folder of this user's alone, made if absent (0700)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    return path.is_dir() and _private(path)


def _key() -> bytes | None:
    """The per-user key (made on first use), or None when it cannot be trusted or made."""
    path = key_file()
    if not _private_dir(path.parent):
        return None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(secrets.token_bytes(KEY_BYTES))
    if not _private(path):
        return None
    try:
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None


class TranslationCache:
    """Compiled scripts by source text: an in-memory LRU, backed on disk for large sources."""

    def __init__(self) -> None:
        self._memory: OrderedDict[str, Compiled] = OrderedDict()  # source text -> translation
        self._lock = threading.Lock()
        self._tag = f"js2py-{version('Js2Py')}-{sys.implementation.cache_tag}-t{TRANSLATOR_VERSION}"

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
        disk = self._disk() if len(text) >= DISK_CACHE_MIN_CHARS else None
        compiled = self._load(disk, digest) if disk else None
        if compiled is None:
            compiled = _translate(text, f"{FILENAME_PREFIX}{digest}>")
            if disk:
                self._store(disk, digest, compiled)
        with self._lock:
            self._memory[text] = compiled
            while len(self._memory) > MEMORY_CACHE_ENTRIES:
                self._memory.popitem(last=False)
        return compiled

    def _disk(self) -> tuple[Path, bytes] | None:
        """The folder for this js2py and Python, and the key, when both can be trusted."""
        folder = cache_dir() / self._tag
        if not _private_dir(cache_dir()) or not _private_dir(folder):
            return None
        key = _key()
        return (folder, key) if key else None

    @staticmethod
    def _load(disk: tuple[Path, bytes], digest: str) -> Compiled | None:
        folder, key = disk
        path = folder / f"{digest}.code"
        try:
            if not _private(path):
                return None
            data = path.read_bytes()
        except OSError:
            return None  # absent or unreadable: translate again
        mac, payload = data[:MAC_BYTES], data[MAC_BYTES:]
        if not hmac.compare_digest(mac, _mac(key, digest, payload)):
            return None  # not written by this user's xmplan: never loaded
        try:
            code, js_lines = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        if not isinstance(code, CodeType) or code.co_filename != f"{FILENAME_PREFIX}{digest}>":
            return None
        return Compiled(code, tuple(js_lines))

    @staticmethod
    def _store(disk: tuple[Path, bytes], digest: str, compiled: Compiled) -> None:
        folder, key = disk
        payload = marshal.dumps((compiled.code, list(compiled.js_lines)))
        try:
            with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as tmp:
                tmp.write(_mac(key, digest, payload) + payload)
            os.replace(tmp.name, folder / f"{digest}.code")
        except OSError:
            pass  # a read-only cache directory only costs speed


def _mac(key: bytes, digest: str, payload: bytes) -> bytes:
    # The entry's name is signed too: a valid entry copied under another name is refused.
    return hmac.new(key, digest.encode("ascii") + b"\0" + payload, hashlib.sha256).digest()


@functools.cache
def install() -> None:
    """Patch js2py's translator: statement lines, no `pyimport`, parse errors that JS `catch` sees."""
    translating_nodes.trans = _trans_with_lines  # looked up as a module global by every translating node
    js2py.disable_pyimport()
    # js2py.internals (imported by js2py) makes parse errors a foreign exception type that JS
    # `catch` cannot see; use the one the translated code catches, for eval and Function too.
    pyjsparser.parser.ENABLE_JS2PY_ERRORS = lambda msg: MakeError("SyntaxError", msg)
