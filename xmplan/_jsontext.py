"""JSON text as xMatters writes it in exports, and as xmplan writes it for people."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ._lazy_re import lazy
from ._model import Json

try:  # orjson writes the exporter's indent-2 text byte for byte, ten times faster
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib gives the same bytes
    orjson = None  # type: ignore[assignment]

# Real exports nest 8 deep at most. Deeper documents are refused when read: every walk over a
# document (schemas, key order, file references) recurses, and Python's stack ends near 1000.
# 254 is where orjson's serializer stops, so it can measure the depth in C.
MAX_DEPTH = 254
# Python refuses to read longer integers (sys.get_int_max_str_digits); exports hold ids and counts.
MAX_DIGITS = 4300
MAX_FILE_SIZE = 16 * 1024 * 1024  # bytes of a JSON input file (a descriptor, values, a request)


class TooDeep(ValueError):
    """Data nested more than MAX_DEPTH deep met when writing it (`loads_strict` refuses it when reading)."""


def entry_bytes(data: Json, compact: bool = False) -> bytes:
    """The exporter's text, UTF-8 encoded: indent 2, raw non-ASCII, no trailing newline (or compact, §3).

    Raises TooDeep for data nested more than MAX_DEPTH deep.
    """
    if compact:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if orjson is not None:
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2)
        except (orjson.JSONEncodeError, TypeError) as exc:
            if "Recursion" in str(exc):  # orjson stops at the same depth as MAX_DEPTH
                raise TooDeep(f"nested more than {MAX_DEPTH} deep") from None
            # integers beyond 64 bits: the stdlib handles them
    if not _depth_within(data):
        raise TooDeep(f"nested more than {MAX_DEPTH} deep")
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


def dumps_entry(data: Json, compact: bool = False) -> str:
    """`entry_bytes` as text."""
    return entry_bytes(data, compact).decode("utf-8")


def source_bytes(data: Json) -> bytes:
    """A source-tree JSON file, UTF-8 encoded: the same layout, ending with a newline as editors expect."""
    return entry_bytes(data) + b"\n"


_SURROGATE_ESCAPE = lazy(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONG_NUMBER = lazy(rf"-?\d{{{MAX_DIGITS + 1},}}")
_TOKENS = lazy(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _Constant(Exception):
    pass


def loads_strict(text: str, check_depth: bool = True) -> Json:
    """`json.loads` without the NaN and Infinity extensions: plans are plain JSON.

    Documents nested deeper than MAX_DEPTH and numbers that are not finite or longer than
    MAX_DIGITS digits are a JSONDecodeError too, at their place, as any other bad JSON.
    A caller that writes the data with `entry_bytes` before anything walks it may pass
    `check_depth=False`: writing measures the depth anyway (raising TooDeep), and that saves a
    third of the reading time. Data read so is still at most 1024 deep (orjson's own limit).
    """
    if orjson is not None:
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # the stdlib gives the message and place, or takes what orjson will not (lone surrogates)
        else:
            if check_depth and len(text) > 2 * MAX_DEPTH:  # a shorter text cannot nest that deep
                _check_depth(data, text)
            return data
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _Constant as exc:
        name = str(exc)  # the parser does not say where: the first bare occurrence is a fair guess
        raise json.JSONDecodeError(f"{name} is not allowed in JSON", text, max(text.find(name), 0)) from None
    except RecursionError:
        raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} deep", text, _too_deep_at(text)) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise _trailing_comma(exc) or exc from None
        # int() refused a number's digits: say which number
        long = _LONG_NUMBER.search(text)
        raise json.JSONDecodeError(f"a number longer than {MAX_DIGITS} digits", text,
                                   long.start() if long else 0) from None
    _check_depth(data, text)
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escape: JSON's grammar allows it, UTF-8 cannot hold it
        escape = _SURROGATE_ESCAPE.search(text)
        at = escape.start() if escape else 0
        raise json.JSONDecodeError("a lone surrogate escape is not text", text, at) from None
    return data


def _trailing_comma(exc: json.JSONDecodeError) -> json.JSONDecodeError | None:
    """The parser's "Expecting property name ..." at a `}` or `]` after a comma, said as it is, at the comma."""
    text, at = exc.doc, exc.pos
    if exc.msg not in ("Expecting property name enclosed in double quotes", "Expecting value") \
            or at >= len(text) or text[at] not in "}]":
        return None
    before = text[:at].rstrip()
    if not before.endswith(","):
        return None
    return json.JSONDecodeError(f"trailing comma: JSON allows no comma before {text[at]!r}", text, len(before) - 1)


def depth_error(text: str) -> json.JSONDecodeError:
    """The error `loads_strict` gives for a text nested too deeply, at the bracket that is too deep."""
    return json.JSONDecodeError(f"nested more than {MAX_DEPTH} deep", text, _too_deep_at(text))


def _check_depth(data: Json, text: str) -> None:
    """Raise a JSONDecodeError at the bracket that opens level MAX_DEPTH + 1, if there is one."""
    if orjson is not None:
        try:  # orjson's serializer refuses the same depth, and answers in C
            orjson.dumps(data)
            return
        except orjson.JSONEncodeError as exc:
            if "Recursion" in str(exc):
                raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} deep", text, _too_deep_at(text)) from None
            # an integer beyond 64 bits stopped it: measure in Python
    if not _depth_within(data):
        raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} deep", text, _too_deep_at(text))


def _depth_within(data: Json) -> bool:
    """Whether `data` nests MAX_DEPTH containers deep at most (a walk without recursion)."""
    stack: list[tuple[Json, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


def _too_deep_at(text: str) -> int:
    """The offset of the bracket opening level MAX_DEPTH + 1 (strings skipped); 0 if none is found."""
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return token.start()
        elif char in "]}":
            depth -= 1
    return 0


def _refuse_constant(name: str) -> Json:
    raise _Constant(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Constant(text)  # 1e400 reads as infinity, which JSON cannot write back
    return value


class JSONFileError(ValueError):
    """A JSON input file that cannot be read: too large, not UTF-8, not JSON (line and column if known)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def read_json_file(path: Path, max_bytes: int | None = None) -> Json:
    """A JSON file given on the command line, read as strictly as a plan document and no further
    than `max_bytes` (default MAX_FILE_SIZE; OSError when it cannot be opened)."""
    max_bytes = MAX_FILE_SIZE if max_bytes is None else max_bytes
    with open(path, "rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise JSONFileError(f"file too large: more than {max_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONFileError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        return loads_strict(text)
    except json.JSONDecodeError as exc:
        raise JSONFileError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
