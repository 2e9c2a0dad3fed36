"""Run scripts in worker processes, from a pool reused across runs: limits that hold from any thread.

The engine runs in the worker; the host (fakes, form checks, recording) stays here, and only the
text of `host(operation, json_text)` calls crosses the pipe. A worker whose run overruns its time
or memory is killed and replaced, which is the only way to stop work that never gives control
back (a catastrophic regular expression in js2py holds the interpreter lock). The time limit is
measured from the moment the worker has compiled the scripts; compiling has its own, larger limit.
One worker serves one run at a time: runs from several threads take several workers, up to `size`,
and wait for a free one beyond that. POSIX only (pipes and `select`).
"""

from __future__ import annotations

import atexit
import itertools
import os
import select
import subprocess
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from .._errors import ScriptError, SetupError, XmplanError
from . import _spawn, _wire
from .engine import HostFunction, Script
from .engines import _errors

GRACE_SECONDS = 0.5  # past the time limit, the worker's own stop has this long before it is killed
READY_SECONDS = 60.0  # starting a worker (importing an engine)
DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024  # growth a run may cause (js2py; QuickJS has its own 128 MiB heap)
DEFAULT_ADDRESS_SPACE = 1024 * 1024 * 1024  # rlimit headroom over a worker's size once its engine is loaded
_local = threading.local()


def remaining_time() -> float | None:
    """Seconds left in the pooled run whose host call this thread is answering (None outside one)."""
    deadline: float | None = getattr(_local, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


class _Process:
    """One worker process and what this side knows of it (which script texts it holds)."""

    def __init__(self, preload: str, address_space: int) -> None:
        # A session of its own: a Ctrl-C to the caller's process group does not reach it (the caller
        # ends it by closing its pipe), and where the kernel schedules by session (Linux autogroup)
        # the niceness it may take holds against every other program.
        self.process = subprocess.Popen(_spawn.command(address_space, preload),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=_spawn.environment(), close_fds=True, start_new_session=True)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.write_fd = self.process.stdin.fileno()
        self.read_fd = self.process.stdout.fileno()
        self.ready = False
        self.texts: OrderedDict[str, None] = OrderedDict()

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, message: Any) -> None:
        _wire.send(self.write_fd, message)

    def receive(self, deadline: float) -> Any | None:
        """The next message, or None when `deadline` (monotonic) passes first."""
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.read_fd], [], [], remaining)[0]:
            return None
        return _wire.receive(self.read_fd)

    def wire_scripts(self, scripts: Sequence[Script]) -> list[list[Any]]:
        wired = []
        for script in scripts:
            key = _text_key(script.text)
            known = key in self.texts
            if not known:
                self.texts[key] = None
                while len(self.texts) > _wire.SCRIPT_TEXTS:  # as the worker evicts: oldest first
                    self.texts.popitem(last=False)
            wired.append([key, script.filename, None if known else script.text, script.reusable,
                          script.harness, script.header])
        return wired

    def kill(self) -> None:
        self.process.kill()
        self._reap()

    def close(self) -> None:
        """Ask the worker to exit (end of its input), killing it if it does not within a second."""
        try:
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process.wait(1.0)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
        self._reap()

    def _reap(self) -> None:
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass


_keys: OrderedDict[str, str] = OrderedDict()
_keys_lock = threading.Lock()
_counter = itertools.count()


def _text_key(text: str) -> str:
    # A number never given to another text: no hashing of whole scripts (nor hashlib's import).
    with _keys_lock:
        key = _keys.get(text)
        if key is None:
            key = _keys[text] = str(next(_counter))
            if len(_keys) > 4 * _wire.SCRIPT_TEXTS:
                _keys.popitem(last=False)
        return key


class _Broken(Exception):
    """The worker stopped answering or closed its pipe."""


class WorkerPool:
    """Worker processes for script runs: at most `size` at a time, each reused until a run overruns."""

    def __init__(self, size: int | None = None, *, address_space: int = DEFAULT_ADDRESS_SPACE) -> None:
        self.size = max(1, size or default_size())
        self.address_space = address_space
        self._idle: list[_Process] = []
        self._count = 0
        self._closed = False
        self._cond = threading.Condition()
        _pools.add(self)

    def run(self, engine: str, scripts: Sequence[Script], host: HostFunction, *, time_limit: float,
            memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
        """Run `scripts` on the named engine in a worker; raises as `Engine.run` does."""
        worker = self._acquire(engine)
        healthy = False
        try:
            healthy, error = self._run_on(worker, engine, scripts, host, time_limit, memory_limit)
        except _Broken:
            raise self._broken(worker, scripts) from None
        finally:
            self._release(worker, healthy, engine)
        if error is not None:
            raise error

    def start(self, engine: str) -> None:
        """Start a worker loading `engine` now, when none is idle: a command that will run a script
        soon lets the worker's start-up overlap its own work (loading the plan)."""
        with self._cond:
            if self._closed or self._idle or self._count >= self.size:
                return
            self._count += 1
        try:
            worker = _Process(engine, self.address_space)
        except OSError:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            return
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _run_on(self, worker: _Process, engine: str, scripts: Sequence[Script], host: HostFunction,
                time_limit: float, memory_limit: int) -> tuple[bool, BaseException | None]:
        """Serve one run: whether the worker can be reused, and the run's error. Raises when the
        worker must be killed (a timeout here, or a broken worker)."""
        try:
            worker.send(["run", engine, worker.wire_scripts(scripts), time_limit, memory_limit])
        except OSError:
            raise _Broken from None
        last = scripts[-1].filename if scripts else "<script>"
        deadline, grace = time.monotonic() + time_limit, GRACE_SECONDS
        host_error: BaseException | None = None
        while True:
            message = self._receive(worker, deadline + grace)
            if message is None:
                raise _errors.timeout_error(last, None, time_limit)
            kind = message[0]
            if kind == "compiling":
                deadline, grace = time.monotonic() + _wire.COMPILE_SECONDS, 0.0
            elif kind == "started":
                deadline, grace = time.monotonic() + time_limit, GRACE_SECONDS
            elif kind == "note":  # a host call the worker did not wait for
                if host_error is None:
                    try:
                        host(str(message[1]), str(message[2]))
                    except Exception as err:  # as for a host call: re-raised when the run ends
                        host_error = err
            elif kind == "host":
                _local.deadline = deadline
                try:
                    answer: list[Any] = ["ok", host(str(message[1]), str(message[2]))]
                except Exception as err:
                    host_error, answer = err, ["abort"]
                finally:
                    _local.deadline = None
                if time.monotonic() >= deadline:  # the host call used up the run's time
                    raise _errors.timeout_error(last, None, time_limit)
                try:
                    worker.send(answer)
                except OSError:
                    raise _Broken from None
            elif kind == "done":
                error, retire = message[1], bool(message[2])
                if host_error is not None:
                    return not retire, host_error
                return not retire, None if error is None else _run_error(error, last, engine)
            else:
                raise _Broken

    @staticmethod
    def _receive(worker: _Process, deadline: float) -> Any | None:
        try:
            return worker.receive(deadline)
        except (_wire.WireClosed, OSError, ValueError):
            raise _Broken from None

    def _broken(self, worker: _Process, scripts: Sequence[Script]) -> ScriptError:
        status = worker.process.poll()
        last = scripts[-1].filename if scripts else "<script>"
        detail = f"exit status {status}" if status is not None else "no answer"
        return _errors.memory_error(last, None, f"its worker process ended: {detail}")

    def _acquire(self, engine: str) -> _Process:
        with self._cond:
            while True:
                if self._closed:
                    raise SetupError("the script worker pool is closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return self._ready(worker)
                    worker.kill()
                    self._count -= 1
                if self._count < self.size:
                    self._count += 1
                    break
                self._cond.wait()
        try:
            return self._ready(_Process(engine, self.address_space))
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _ready(self, worker: _Process) -> _Process:
        if worker.ready:
            return worker
        try:
            message = worker.receive(time.monotonic() + READY_SECONDS)
        except (_wire.WireClosed, OSError, ValueError):
            message = None
        if not message or message[0] != "ready":
            worker.kill()
            reason = message[1] if message and message[0] == "fatal" else "it did not start"
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise SetupError(f"cannot start a script worker: {reason}")
        worker.ready = True
        return worker

    def _release(self, worker: _Process, healthy: bool, engine: str) -> None:
        replacement = None
        if not healthy:
            worker.kill()
            try:
                replacement = _Process(engine, self.address_space)  # starts loading now, for the next run
            except OSError:
                replacement = None
        leftover = None
        with self._cond:
            if self._closed:  # closed during the run: what would go idle ends now, not at the collector
                leftover = worker if healthy else replacement
                self._count -= 1
            elif healthy:
                self._idle.append(worker)
            elif replacement is not None:
                self._idle.append(replacement)
            else:
                self._count -= 1
            self._cond.notify()
        if leftover is not None:
            leftover.close()

    def close(self) -> None:
        """End every idle worker; runs in progress finish first and their workers end then."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.close()

    @property
    def workers(self) -> int:
        """How many worker processes the pool holds now (idle or running)."""
        return self._count


def _run_error(error: dict[str, Any], last: str, engine: str) -> XmplanError:
    kind = error.get("kind")
    if kind == "memory":
        return _errors.memory_error(last, None, "MemoryError")
    if kind == "internal":
        return _errors.script_error(last, None, f"the {engine} engine failed: {error.get('message', '')}")
    return _wire.error_from_wire(error)


def default_size() -> int:
    """`XMPLAN_WORKERS` when set, else the number of CPUs (at least 2)."""
    configured = os.environ.get("XMPLAN_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(2, os.cpu_count() or 2)


_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()
_default: WorkerPool | None = None
_default_lock = threading.Lock()


def default_pool() -> WorkerPool:
    """The process-wide pool every Runtime uses unless given its own."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = WorkerPool()
        return _default


@atexit.register
def _close_all() -> None:
    for pool in list(_pools):
        pool.close()
