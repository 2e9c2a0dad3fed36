"""The js2py engine: JavaScript translated to Python, run in-process under a deadline and memory watch.

Each run gets a fresh global scope (built-in objects restored from a snapshot first; when the run
starts with reusable scripts such as the prelude, the whole state they left, loaded once, is
restored instead of running them again), runs in the engine's worker thread (kept between runs:
starting a thread per run costs about as much as a small script), and is stopped by an asynchronous
exception when it passes `time_limit` or grows the process's resident memory by more than
`memory_limit` bytes (polled every 10 ms, so one huge allocation can overshoot before it is
caught). The stop exception derives from BaseException, which the `catch` blocks of translated
code (`except PyJsException`) cannot swallow. A run stuck
inside one C call (a pathological regular expression) cannot be interrupted: it is reported as a
timeout and left to finish in its daemon thread. A worker whose run was stopped is discarded (a
stop can land after its run ended) and the next run gets a new one.
"""

from __future__ import annotations

import ctypes
import queue
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from js2py.base import PyJsException

from xmplan._errors import ScriptError
from xmplan._runtime.engine import HostFunction, Script
from xmplan._runtime.engines import _errors
from xmplan._runtime.engines._js2py_sandbox import BuiltinsSnapshot, HostAbort, Image, harden, new_globals
from xmplan._runtime.engines._js2py_translate import Compiled, TranslationCache, TranslationError
from xmplan._runtime.engines._memory import resident

DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024
_POLL_SECONDS = 0.01
_STOP_GRACE_SECONDS = 2.0


class _Stop(BaseException):
    """Raised asynchronously in the worker thread to end a run."""


@dataclass
class _RunState:
    host: HostFunction
    thread: int | None = None
    done: threading.Event = field(default_factory=threading.Event)
    index: int = 0
    error: BaseException | None = None
    message: str = ""


class _Worker:
    """A daemon thread that runs the jobs it is given, one at a time, until told to finish."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="xmplan-js2py", daemon=True)
        self.thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def finish(self) -> None:
        """Exit once the current job (if any) ends: a job stuck in C still ends the thread later."""
        self._jobs.put(None)

    def _loop(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                job()  # reports its own errors
                del job  # its run's scope (and through it the engine) must not outlive the run
        except _Stop:
            pass  # a stop that landed after its run ended: this worker was discarded already


class Js2pyEngine:
    """Runs scripts with js2py 0.74 (Python 3.11 and older)."""

    name = "js2py"

    def __init__(self, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
        harden()
        self.memory_limit = memory_limit
        self._cache = TranslationCache()
        self._snapshot = BuiltinsSnapshot()
        self._images: dict[tuple[str, ...], Image] = {}  # by the texts of the reusable scripts
        self._running: _RunState | None = None
        self._lock = threading.Lock()  # built-ins are process-wide: one run at a time
        self._stuck: list[threading.Thread] = []
        self._worker: _Worker | None = None

    def needs_preparing(self, scripts: Sequence[Script]) -> bool:
        """Whether some script is not translated yet (translating may take seconds)."""
        return not all(self._cache.has(script.text) for script in scripts)

    def prepare(self, scripts: Sequence[Script]) -> None:
        """Translate the scripts now (the worker does this before a run's clock starts)."""
        for script in scripts:
            self._translate(script)

    def run(self, scripts: Sequence[Script], host: HostFunction, *, time_limit: float) -> None:
        compiled = [(script, self._translate(script)) for script in scripts]
        reused = next((i for i, script in enumerate(scripts) if not script.reusable), len(scripts))
        with self._lock:
            self._stuck = [t for t in self._stuck if t.is_alive()]
            if self._stuck:
                # A run still stuck in C holds objects of the images: build them again later.
                self._images.clear()
            image = self._image(compiled[:reused], time_limit) if reused and not self._stuck else None
            if image is None:
                self._snapshot.restore()
                namespace, to_run = new_globals(self._call_host).namespace, compiled
            else:
                namespace, to_run = image.restore().namespace, compiled[reused:]
            state = self._execute(to_run, namespace, time_limit, host)
        # Errors are located in any of the run's scripts: a prelude function may be where one is thrown.
        self._raise_outcome(state, compiled, len(compiled) - len(to_run), time_limit)

    def _image(self, compiled: list[tuple[Script, Compiled]], time_limit: float) -> Image | None:
        """The global state the reusable scripts leave, from a run of them alone (None if it fails)."""
        key = tuple(script.text for script, _ in compiled)
        image = self._images.get(key)
        if image is None:
            self._snapshot.restore()
            globals_ = new_globals(self._call_host)
            if self._execute(compiled, globals_.namespace, time_limit, _no_host).error is not None:
                return None  # run them with the rest, so their error is reported as usual
            image = self._images[key] = Image(globals_)
        return image

    def _call_host(self, operation: str, json_text: str) -> str:
        # Every global scope holds this one function: it answers only the running run's thread.
        state = self._running
        if state is None or state.thread != threading.get_ident():
            raise RuntimeError("the host function was called outside its run")
        return state.host(operation, json_text)

    def _translate(self, script: Script) -> Compiled:
        try:
            return self._cache.get(script.text)
        except TranslationError as err:
            raise _errors.script_error(script.filename, err.line, err.message, _errors.RULE_SYNTAX) from None

    def _execute(self, compiled: list[tuple[Script, Compiled]], namespace: dict[str, Any],
                 time_limit: float, host: HostFunction) -> _RunState:
        state = _RunState(host)
        self._running = state

        def work() -> None:
            state.thread = threading.get_ident()
            try:
                for index, (_script, code) in enumerate(compiled):
                    state.index = index
                    exec(code.code, namespace)
            except PyJsException as err:
                state.error = err
                state.message = _js_message(err)  # may run JS toString(): still under the deadline
            except BaseException as err:
                state.error = err
            finally:
                state.done.set()

        if self._worker is None or not self._worker.thread.is_alive():
            self._worker = _Worker()
            weakref.finalize(self, self._worker.finish)  # an engine dropped with its worker idle
        worker = self._worker.thread
        baseline = _rss()
        deadline = time.monotonic() + time_limit
        self._worker.submit(work)
        reason = ""
        while not state.done.wait(_POLL_SECONDS):
            if time.monotonic() > deadline:
                reason = "timeout"
            elif baseline is not None and (_rss() or 0) - baseline > self.memory_limit:
                reason = "memory"
            if reason:
                self._stop(worker, state)
                self._worker.finish()
                self._worker = None
                break
        if reason and not isinstance(state.error, MemoryError):
            if not isinstance(state.error, _Stop):  # still running, stuck in C
                state.error = _Stop(reason)
            state.message = reason
        self._running = None
        return state

    def _stop(self, worker: threading.Thread, state: _RunState) -> None:
        give_up = time.monotonic() + _STOP_GRACE_SECONDS
        while not state.done.is_set() and time.monotonic() < give_up:
            # Repeated: a JS `finally` block can be interrupted too and continue looping.
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident or 0), ctypes.py_object(_Stop))
            state.done.wait(_POLL_SECONDS)
        if not state.done.is_set():
            self._stuck.append(worker)

    def _raise_outcome(self, state: _RunState, compiled: list[tuple[Script, Compiled]], skipped: int,
                       time_limit: float) -> None:
        error = state.error
        if error is None:
            return
        if isinstance(error, HostAbort):
            raise error.error
        running = compiled[min(skipped + state.index, len(compiled) - 1)][0].filename if compiled else "<script>"
        filename, line = _locate(error.__traceback__, compiled, running)
        if isinstance(error, _Stop) and state.message == "timeout":
            raise _errors.timeout_error(filename, line, time_limit) from None
        if isinstance(error, _Stop):
            limit = f"{self.memory_limit // (1024 * 1024)} MiB memory limit"
            raise _errors.memory_error(filename, line, limit) from None
        if isinstance(error, MemoryError):
            raise _errors.memory_error(filename, line, "MemoryError") from None
        if isinstance(error, PyJsException):
            raise _errors.script_error(filename, line, state.message) from None
        if isinstance(error, ScriptError):
            raise error
        message = f"js2py failed: {type(error).__name__}: {error}"
        raise _errors.script_error(filename, line, message) from None


def _no_host(operation: str, _json_text: str) -> str:
    raise RuntimeError(f"a reusable script called the host ({operation!r}) while loading")


def _js_message(err: PyJsException) -> str:
    try:
        value = err.mes
        return value.to_string().value if value is not None else str(err)
    except Exception:
        return "uncaught exception (its toString() failed)"


def _locate(tb: TracebackType | None, compiled: list[tuple[Script, Compiled]],
            running: str) -> tuple[str, int | None]:
    """The innermost traceback frame of one of the run's scripts, as (file, JS line); a frame of
    the harness only when no plan script is on the stack."""
    by_filename: dict[str, Any] = {}
    for script, code in compiled:
        by_filename.setdefault(code.code.co_filename, (script, code))
    innermost: dict[bool, tuple[str, int | None]] = {}  # by Script.harness
    while tb is not None:
        hit = by_filename.get(tb.tb_frame.f_code.co_filename)
        if hit is not None:
            innermost[hit[0].harness] = (hit[0].filename, hit[1].js_line(tb.tb_lineno))
        tb = tb.tb_next
    return innermost.get(False) or innermost.get(True) or (running, None)


def _rss() -> int | None:
    return resident()
