"""The QuickJS engine, through dukpy >= 0.6 (which embeds QuickJS-ng): a new JS runtime per run.

Why dukpy and not the `quickjs` package (speed does not decide it: docs/runtime.md, "Why dukpy"):
`quickjs` refuses every call into Python while a time limit is set ("Can not call into Python
with a time limit set"), so it cannot have both the host function and a time limit; a Python
exception in one of its callbacks leaves the context broken; and its stack traces have no line
numbers inside functions. dukpy reports `line:column` per frame (except that QuickJS-ng places a
failed property read inside a function at the function's first line), turns a host exception
into a JS error, and checks Python signals from its interrupt handler, so a SIGALRM timer stops an
endless loop. QuickJS-ng's runtime has a built-in heap limit: a script that grows memory without
end fails with "out of memory" (dukpy fixes the limit at 128 MiB and the stack at 1 MiB).

dukpy names every script `<dukpy>`, so each script is evaluated padded with blank lines to start at
a line no other script in the run uses; a frame's line then tells which script it is in.
Limitation: the timer is SIGALRM, which Python only handles on the main thread, so runs on other
threads are refused rather than run without a time limit.
"""

from __future__ import annotations

import json
import re
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xmplan._errors import ScriptError, SetupError
from xmplan._native import extension
from xmplan._runtime.engine import HOST_GLOBAL, HostFunction, Script
from xmplan._runtime.engines import _errors
from xmplan._runtime.engines._memory import resident

_dukpy = extension("dukpy._dukpy")  # not dukpy's package: see _native
_HOST_NAME = HOST_GLOBAL.encode()
# dukpy defines `call_python` and `dukpy` before every evaluation; the host function keeps the
# only reference to call_python, and scripts see neither.
_BOOTSTRAP = (
    "(function (call) { Object.defineProperty(globalThis, %s, {value: function %s(operation, jsonText) {"
    " var answer = call(%s, String(operation), String(jsonText));"
    # Not a string: the run is past its time limit. Spin so QuickJS's interrupt check ends it;
    # a thrown error could be caught by the script.
    " if (typeof answer !== 'string') { for (;;) {} } return answer; }, writable: false,"
    " enumerable: false, configurable: false}); })(call_python);"
    % (json.dumps(HOST_GLOBAL), HOST_GLOBAL, json.dumps(HOST_GLOBAL))
)
_STOPPED = b"false"
_REPEAT_SECONDS = 0.001
_HIDE = "delete globalThis.call_python; delete globalThis.dukpy;"
_FRAME = re.compile(r"<dukpy>:(\d+)(?::(\d+))?")


class _Stop(BaseException):
    """Raised from the SIGALRM handler; QuickJS's interrupt handler lets it end the evaluation."""


@dataclass
class _Run:
    host: HostFunction
    active: bool = True
    timed_out: bool = False
    host_error: BaseException | None = None
    starts: list[int] = field(default_factory=list)


class _Interpreter:
    """What dukpy's C code calls back into: one QuickJS context and the host function."""

    def __init__(self, run: _Run) -> None:
        self._ctx = _dukpy.create_context()
        self._run = run

    def _check_exported_function_exists(self, name: bytes) -> bool:
        return name == _HOST_NAME

    def _call_python(self, name: bytes, json_args: bytes) -> bytes:
        run = self._run
        if run.timed_out:
            return _STOPPED
        if name != _HOST_NAME or run.host_error is not None:
            raise RuntimeError("host function unavailable")
        args = json.loads(json_args)
        if len(args) != 2 or not all(isinstance(a, str) for a in args):
            raise TypeError("host function takes two strings")
        try:
            result = run.host(args[0], args[1])
            if not isinstance(result, str):
                raise TypeError(f"host function returned {type(result).__name__}, not str")
        except _Stop:
            return _STOPPED
        except Exception as err:
            run.host_error = err  # re-raised once the evaluation unwinds, even if JS catches it
            raise
        return json.dumps(result).encode()

    def eval(self, source: str) -> None:
        _dukpy.eval_string(self, source.encode("utf-8", "surrogatepass"), b"{}", False, "<dukpy>")


class QuickJSEngine:
    """Runs scripts with QuickJS-ng through dukpy."""

    name = "quickjs"

    def run(self, scripts: Sequence[Script], host: HostFunction, *, time_limit: float) -> None:
        if threading.current_thread() is not threading.main_thread():
            raise SetupError("the quickjs engine enforces time limits only on the main thread")
        run = _Run(host)
        before = resident()
        interpreter = _Interpreter(run)
        interpreter.eval(_BOOTSTRAP)

        def on_alarm(_signum: int, frame: Any) -> None:
            if run.active:
                run.timed_out = True
                # Raise only inside QuickJS's own evaluation (its interrupt check runs this
                # handler within the eval call): raised in the cleanup below, it would escape.
                if frame is not None and frame.f_code is _EVAL_CODE:
                    raise _Stop

        previous = signal.signal(signal.SIGALRM, on_alarm)
        # Repeats after the deadline: QuickJS checks for signals only every ~10k operations.
        signal.setitimer(signal.ITIMER_REAL, time_limit, _REPEAT_SECONDS)
        outcome: list[Any] = []  # [index, JSRuntimeError | None] once evaluation ended
        try:
            while True:
                try:  # a _Stop can surface anywhere until `active` is cleared, so this loops
                    if not outcome:
                        outcome = self._evaluate(interpreter, scripts, run)
                    run.active = False
                    break
                except _Stop:
                    run.timed_out = True
                    outcome = outcome or [len(run.starts) - 1, None]
        finally:
            # Also when evaluation raised something else: a timer left running would stop later code.
            run.active = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        index, failure = outcome
        if run.host_error is not None:
            raise run.host_error
        if run.timed_out:
            raise _errors.timeout_error(scripts[max(index, 0)].filename, None, time_limit)
        if failure is not None:
            text = str(failure)
            if text == "null":
                # QuickJS throws null when it has no memory left even for its "out of memory" error.
                filename = scripts[index].filename
                if _grew(before, _OUT_OF_MEMORY_GROWTH):
                    raise _errors.memory_error(filename, None, "QuickJS heap limit, 128 MiB") from None
                raise _errors.script_error(filename, None, "null (thrown by the script, or by QuickJS when it runs "
                                           "out of memory: its heap limit is 128 MiB)") from None
            raise _script_error(text, scripts, run.starts, index) from None

    @staticmethod
    def _evaluate(interpreter: _Interpreter, scripts: Sequence[Script], run: _Run) -> list[Any]:
        line = 2
        for index, script in enumerate(scripts):
            run.starts.append(line)
            try:
                interpreter.eval(_HIDE + "\n" * (line - 1) + script.text + "\n;void 0;")
            except _dukpy.JSRuntimeError as err:
                return [index, err]
            line += script.text.count("\n") + 2
        return [len(scripts) - 1, None]


_EVAL_CODE = _Interpreter.eval.__code__
# Most of the 128 MiB heap is still held when the error is seen, unless a freed one is reused.
_OUT_OF_MEMORY_GROWTH = 96 * 1024 * 1024


def _grew(before: int | None, amount: int) -> bool:
    now = resident()
    return before is not None and now is not None and now - before >= amount


def _script_error(text: str, scripts: Sequence[Script], starts: list[int], index: int) -> ScriptError:
    message, _, stack = text.partition("\n    at ")
    filename, line, column = scripts[index].filename, None, None
    frames = []  # innermost first: (script, line, column)
    for frame in _FRAME.finditer(stack):
        global_line = int(frame.group(1))
        owner = max((i for i, start in enumerate(starts) if start <= global_line), default=index)
        column = int(frame.group(2)) if frame.group(2) else None
        frames.append((scripts[owner], global_line - starts[owner] + 1, column))
    # Errors raised inside the harness (the prelude) are the plan script's, where it called in.
    chosen = next((f for f in frames if not f[0].harness), frames[0] if frames else None)
    if chosen:
        script, line, column = chosen
        filename = script.filename
        if line == 1 and column is not None:
            column = max(column - script.header, 1)
    if message.startswith("InternalError: out of memory"):
        return _errors.memory_error(filename, line, "QuickJS heap limit, 128 MiB")
    if message.startswith("SyntaxError") and stack.startswith("<dukpy>:"):
        # A parse error; QuickJS-ng's column there is not the offending token's.
        return _errors.script_error(filename, line, message.strip(), _errors.RULE_SYNTAX)
    return _errors.script_error(filename, line, message.strip() or "uncaught exception", column=column)
