"""The source tree's jinja2 templates, rendered in a sandbox within size and time limits."""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.nodes
from jinja2.filters import FILTERS as DEFAULT_FILTERS
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ._codecache import SignedCache, SignedFolder
from ._lazy_re import lazy

MAX_OUTPUT = 16 * 1024 * 1024  # characters a template, or any value inside it, may reach
TIME_LIMIT = 10.0  # seconds one template may take to render
_WIDTH_ARGUMENT = lazy(r"%[-#0 +]*\*|%[-#0 +]*\d*\.\*|\{[^{}]*\{")
_FORMAT_WIDTH = lazy(r"%[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?|\{[^{}]*?[:!][^{}]*?(\d+)[^{}]*\}")


class TemplateLimit(Exception):
    """A template went past MAX_OUTPUT or TIME_LIMIT (or asked for a value that would)."""


class TemplateFailure(Exception):
    """Why a template did not render, and where: `line` in the template (None when unknown)."""

    # Not a dataclass: an exception is raised and caught, never compared, and a frozen dataclass's six
    # generated methods would be compiled by every command that reads a tree (issue #15)
    def __init__(self, message: str, line: int | None, rule: str) -> None:
        super().__init__(message, line, rule)
        self.message = message
        self.line = line
        self.rule = rule


def _size(value: object) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else 0


def _checked(value: Any) -> Any:
    if _size(value) > MAX_OUTPUT:
        raise TemplateLimit(f"a value of more than {MAX_OUTPUT} characters")
    return value


def _refuse_large(number: object, what: str) -> None:
    if isinstance(number, int) and not isinstance(number, bool) and abs(number) > MAX_OUTPUT:
        raise TemplateLimit(f"{what} {number} is above the limit of {MAX_OUTPUT}")


def _format_widths(text: object, arguments: object) -> None:
    """Refuse a %-format or str.format with a width or precision that makes a huge text."""
    if not isinstance(text, str):
        return
    for match in _FORMAT_WIDTH.finditer(text):
        for number in match.groups():
            if number and number.isdigit():
                _refuse_large(int(number), "a format width")
    if _WIDTH_ARGUMENT.search(text):  # widths given as arguments: `%*d`, `{:>{}}`
        for argument in arguments if isinstance(arguments, (tuple, list)) else (arguments,):
            _refuse_large(argument, "a format width")


def _predict(name: str, values: list[Any], method: bool) -> None:
    """Refuse a call that would build a value past MAX_OUTPUT before it runs (one C call can).

    `values` are the positional and keyword arguments, the string first for a str method.
    """
    if name in ("ljust", "rjust", "center", "zfill", "expandtabs", "indent", "wordwrap", "truncate"):
        for value in values[1:]:
            _refuse_large(value, f"{name}() width")
    elif name == "replace" and len(values) >= 3 and all(isinstance(value, str) for value in values[:3]):
        if values[0].count(values[1]) * len(values[2]) > MAX_OUTPUT:
            raise TemplateLimit(f"replace() would make more than {MAX_OUTPUT} characters")
    elif name == "join" and len(values) >= 1:
        separator, items = (values[0], values[1] if len(values) > 1 else ()) if method else (
            values[1] if len(values) > 1 else "", values[0])
        if isinstance(items, (list, tuple)) and (
                sum(_size(item) for item in items) + _size(separator) * len(items) > MAX_OUTPUT):
            raise TemplateLimit(f"join() would make more than {MAX_OUTPUT} characters")
    elif name == "format" and values:
        _format_widths(values[0], values[1:])


class _Generator(jinja2.compiler.CodeGenerator):
    """Checks the size of every `~` concatenation (the sandbox has no hook for it)."""

    def visit_Concat(self, node: jinja2.nodes.Concat, frame: jinja2.compiler.Frame) -> None:
        self.write("environment.checked(")
        super().visit_Concat(node, frame)
        self.write(")")


class _Sandbox(SandboxedEnvironment):
    """jinja2's sandbox (no Python internals), with every value and call held to the limits."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, loader: jinja2.BaseLoader, finalize: Callable[[Any], Any] | None,
                 compiled: jinja2.BytecodeCache | None = None) -> None:
        super().__init__(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                         autoescape=False, finalize=finalize, bytecode_cache=compiled)
        self.filters = dict(_guarded_filters())

    def checked(self, value: Any) -> Any:
        return _checked(value)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if _size(sequence) and isinstance(count, int) and _size(sequence) * count > MAX_OUTPUT:
                    raise TemplateLimit(f"a repetition of more than {MAX_OUTPUT} characters")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            if right * abs(left).bit_length() > MAX_OUTPUT:
                raise TemplateLimit(f"a power of more than {MAX_OUTPUT} bits")
        elif operator == "%":
            _format_widths(left, right)
        return _checked(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        sandboxed = super().wrap_str_format(value)  # str.format and format_map, sandboxed
        if sandboxed is None:
            return None

        @functools.wraps(sandboxed)
        def checked(*args: Any, **kwargs: Any) -> str:
            _format_widths(value.__self__, (*args, *kwargs.values()))
            return str(_checked(sandboxed(*args, **kwargs)))

        return checked

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(getattr(__obj, "__self__", None), str):
            _predict(getattr(__obj, "__name__", ""), [__obj.__self__, *args, *kwargs.values()], method=True)
        return _checked(super().call(__context, __obj, *args, **kwargs))


@functools.cache
def _guarded_filters() -> Mapping[str, Callable[..., Any]]:
    """jinja2's built-in filters, each held to the limits (wrapped once per process)."""
    return {name: _guarded(name, function) for name, function in DEFAULT_FILTERS.items()}


def _guarded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps jinja's pass_context/pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        values = [arg for arg in args if not isinstance(arg, (jinja2.runtime.Context, jinja2.Environment,
                                                                jinja2.nodes.EvalContext))]
        _predict(name, [*values, *kwargs.values()], method=False)
        return _checked(function(*args, **kwargs))

    return guarded


def _json_text(value: Any) -> Any:
    """`{{ value }}` in a JSON template: the content of a JSON string, so it cannot end the string
    it sits in (`A", "extra": "x` stays text). `|tojson` output (markup) is left as it is."""
    if isinstance(value, Markup):
        return value
    return json.dumps(str(value), ensure_ascii=False)[1:-1]


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by an earlier process, by environment and name; jinja2 compiles again when the
    source differs (each entry holds its source's checksum). Compiling costs a process that renders
    the two templates of build.py 15 ms, a tenth of its run: jinja2's lexer builds its regular
    expressions, then parses, generates and compiles the code."""

    def __init__(self, kind: str) -> None:
        self._kind = kind

    @functools.cached_property
    def _folder(self) -> SignedFolder | None:
        """Opened once for the templates of one tree (one Renderer)."""
        return SignedCache(f"jinja2-{jinja2.__version__}-{sys.implementation.cache_tag}-{_generator()}").open()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self._kind}\0{name}".encode("utf-8", "surrogatepass")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = None if self._folder is None else self._folder.load(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # checks jinja2's format, Python's version and the source

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self._folder is not None:
            self._folder.store(bucket.key, bucket.bytecode_to_string())


@functools.cache
def _generator() -> str:
    """What the compiled code depends on besides jinja2 and the source: this module (its code
    generator and sandbox)."""
    with open(__file__, "rb") as module:
        return hashlib.sha256(module.read()).hexdigest()[:16]


class Renderer:
    """Renders a tree's templates; `read(name)` gives a file's text, or None if it is not in the tree."""

    def __init__(self, read: Callable[[str], str | None]) -> None:
        loader = jinja2.FunctionLoader(lambda name: _source(read, name))
        self._text = _Sandbox(loader, None, _CompiledTemplates("text"))
        self._json = _Sandbox(loader, _json_text, _CompiledTemplates("json"))

    def render(self, relative: str, context: Mapping[str, Any]) -> str:
        """The rendering of the template `relative`, or a TemplateFailure saying why not."""
        environment = self._json if relative.endswith(".json.j2") else self._text
        deadline = time.monotonic() + TIME_LIMIT
        try:
            template = environment.get_template(relative)
            with _Watch(deadline):
                return _stream(template.generate(context))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateFailure(f"template syntax error: {exc.message}", exc.lineno, "template-syntax") from None
        except jinja2.UndefinedError as exc:
            raise TemplateFailure(f"undefined template value: {exc.message}", _line(exc, relative),
                                  "template-undefined") from None
        except TemplateLimit as exc:
            raise TemplateFailure(f"template stopped: {exc}", _line(exc, relative), "template") from None
        except RecursionError as exc:
            raise TemplateFailure("template stopped: it calls itself too deeply (a macro or include that never ends)",
                                  _line(exc, relative), "template") from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateFailure(f"template error: no file {exc.name!r} in the tree to include", _line(exc, relative),
                                  "template") from None
        except UnicodeDecodeError as exc:
            raise TemplateFailure(f"not UTF-8 text (byte {exc.start})", None, "encoding") from None
        except Exception as exc:  # a template is a program: whatever it raises is its author's error
            message = f"template error: {type(exc).__name__}" + (f": {exc}" if str(exc) else "")
            raise TemplateFailure(message, _line(exc, relative), "template") from None


def _source(read: Callable[[str], str | None], name: str) -> tuple[str, str, Callable[[], bool]] | None:
    text = read(name)
    return None if text is None else (text, name, lambda: True)


def _stream(parts: Any) -> str:
    """Join a template's output, stopping as soon as it passes MAX_OUTPUT."""
    chunks = []
    size = 0
    for part in parts:
        size += len(part)
        if size > MAX_OUTPUT:
            raise TemplateLimit(f"output of more than {MAX_OUTPUT} characters")
        chunks.append(part)
    return "".join(chunks)


def _line(exc: BaseException, relative: str) -> int | None:
    """The template line being rendered when `exc` was raised (jinja maps its frames to template lines)."""
    import traceback  # only for a template that fails: build.py's start-up loads none

    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.endswith(relative)]
    return frames[-1].lineno if frames else None


class _Watch:
    """Stops a rendering past its deadline: a trace function checks the clock at each Python call
    and at each line of template code (loops with no output included). Restores any tracer
    (a debugger, coverage) afterwards."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.previous: Any = None

    def __enter__(self) -> None:
        self.previous = sys.gettrace()
        sys.settrace(self._call)

    def __exit__(self, *exc: object) -> None:
        sys.settrace(self.previous)

    def _call(self, frame: FrameType, event: str, arg: object) -> Any:
        self._check()
        return self._line if frame.f_code.co_filename.endswith(".j2") else None

    def _line(self, frame: FrameType, event: str, arg: object) -> Any:
        self._check()
        return self._line

    def _check(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"it ran for more than {TIME_LIMIT:g} s")
