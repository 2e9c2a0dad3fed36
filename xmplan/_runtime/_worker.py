"""A script worker process: runs the runtime's scripts in an engine here and asks the runtime for host calls.

Started by `pool.WorkerPool` with `_spawn.command()`; reads frames on fd 0 and writes them on a copy
of fd 1 (fd 1 itself then points at stderr, so a stray print cannot break a frame). Messages:
- to the runtime: `["ready"]` once the engine is loaded, `["fatal", text]` when it cannot be;
  `["compiling"]` then `["started"]` around translating scripts not translated before (the run's
  clock starts again after it; without them it runs from the request); `["host", op, text]` for
  each host call (the answer is `["ok", text]` or `["abort"]`), or `["note", op, text]` for one
  that needs no answer (the prelude's console lines); `["done", error | None, retire]`.
- from the runtime: `["run", engine, scripts, time_limit, memory_limit]` (a script is
  `[key, filename, text | None, reusable, harness, header]`; a None text is one sent before under
  that key); EOF ends the worker.
A run that timed out, ran out of memory or failed inside the engine retires the worker: its state
may be broken (a stop can land anywhere in the engine's own threads), so the runtime replaces it.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from collections import OrderedDict
from typing import Any

from .._errors import ScriptError, ScriptTimeout, XmplanError
from . import _wire
from .engine import Engine, Script

_CONSOLE_CALL = '{"level":'  # how the prelude's console.log calls the host
_CONSOLE_ANSWER = '{"ok": null}'
# CPU seconds a run may use past its limit before the kernel ends the worker (see cpu_backstop).
BACKSTOP_SECONDS = 3.0


class HostAborted(Exception):
    """The runtime's host function raised: the runtime re-raises that error once the run ends."""


class _Channel:
    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        # Set while a frame is half-written: a stop landing in the engine's thread there leaves
        # the pipe unusable, and the worker then exits instead of answering.
        self.writing = False

    def send(self, message: Any) -> None:
        self.writing = True
        _wire.send(self.write_fd, message)
        self.writing = False

    def receive(self) -> Any:
        return _wire.receive(self.read_fd)


def _limit_memory(limit: int) -> None:
    """Cap the address space (Linux enforces it; macOS ignores it, and the engines' own checks remain)."""
    if limit <= 0:
        return
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        pass


def _virtual_size() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as stream:
            return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Worker:
    def __init__(self, channel: _Channel) -> None:
        self.channel = channel
        self.engines: dict[str, Engine] = {}
        self.texts: OrderedDict[str, str] = OrderedDict()

    def engine(self, name: str) -> Engine:
        if name not in self.engines:
            from .engines import made

            try:
                self.engines[name] = made(name)
            except ImportError:
                if "site" in sys.modules:
                    raise
                # Started without `site` (see _spawn.command): an engine installed where only a .pth file's
                # code can find it (an import hook) needs it after all.
                import site

                site.main()
                self.engines[name] = made(name)
        return self.engines[name]

    def host(self, operation: str, json_text: str) -> str:
        if operation == "console" and json_text.startswith(_CONSOLE_CALL):
            # The prelude's console line needs no answer: sent one way, it costs no round trip.
            self.channel.send(["note", operation, json_text])
            return _CONSOLE_ANSWER
        self.channel.send(["host", operation, json_text])
        reply = self.channel.receive()
        if reply[0] != "ok":
            raise HostAborted(operation)
        return str(reply[1])

    def scripts(self, wired: list[list[Any]]) -> list[Script]:
        found = []
        for key, filename, text, reusable, harness, header in wired:
            if text is None:
                text = self.texts[key]
            elif key not in self.texts:
                self.texts[key] = text
                while len(self.texts) > _wire.SCRIPT_TEXTS:
                    self.texts.popitem(last=False)
            found.append(Script(filename, text, reusable, harness, header))
        return found

    def run(self, message: list[Any]) -> None:
        _, engine_name, wired, time_limit, memory_limit = message
        error: dict[str, Any] | None = None
        retire = False
        try:
            engine = self.engine(engine_name)
            if hasattr(engine, "memory_limit"):
                engine.memory_limit = memory_limit
            scripts = self.scripts(wired)
            prepare = getattr(engine, "prepare", None)
            if prepare is not None and engine.needs_preparing(scripts):  # type: ignore[attr-defined]
                # The runtime gives compiling its own limit, then starts the run's clock again.
                self.channel.send(["compiling"])
                cpu_backstop(_wire.COMPILE_SECONDS + BACKSTOP_SECONDS)
                prepare(scripts)
                self.channel.send(["started"])
            cpu_backstop(time_limit + BACKSTOP_SECONDS)
            engine.run(scripts, self.host, time_limit=time_limit)
        except HostAborted:
            error = {"kind": "aborted", "problems": []}
        except ScriptError as err:
            error = _wire.error_to_wire(err)
            retire = isinstance(err, ScriptTimeout) or any(p.rule == "js-memory" for p in err.problems)
        except XmplanError as err:
            error = _wire.error_to_wire(err)
        except MemoryError:
            error, retire = {"kind": "memory", "problems": []}, True
        except Exception as err:
            error, retire = {"kind": "internal", "message": f"{type(err).__name__}: {err}", "problems": []}, True
        cpu_backstop(0)
        if self.channel.writing:
            os._exit(3)  # a half-written frame: the runtime sees the pipe close
        self.channel.send(["done", error, retire])
        if retire:
            os._exit(0)


def cpu_backstop(seconds: float) -> None:
    """End this process once it has used `seconds` more CPU time (0: no limit), by the kernel itself
    (SIGPROF's default action), needing no Python code to run. The runtime kills an overrunning worker
    long before; this holds when the runtime was killed itself (kill -9) while a script held the
    interpreter lock, where the engine's own stop never comes (a js2py regular expression): the worker
    leads a session of its own, so a signal to the runtime's process group does not reach it."""
    signal.setitimer(signal.ITIMER_PROF, seconds)


def lower_priority(niceness: int) -> None:
    """This worker's niceness, and its session's scheduling group's (Linux autogroup: the worker
    leads a session of its own)."""
    os.nice(niceness)
    try:
        with open("/proc/self/autogroup", "w") as group:
            group.write(str(niceness))
    except OSError:  # not Linux, or no autogroup
        pass


def main() -> None:
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the backstop's: not inherited as ignored
    niceness = os.environ.get("XMPLAN_WORKER_NICENESS", "")
    if niceness.isdigit():  # a server's scripts give way to its threads answering requests
        lower_priority(int(niceness))
    write_fd = os.dup(1)
    os.dup2(2, 1)
    channel = _Channel(0, write_fd)
    address_space = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    preload = sys.argv[2] if len(sys.argv) > 2 else ""
    worker = Worker(channel)
    try:
        if preload:
            worker.engine(preload)
    except Exception as err:
        channel.send(["fatal", f"{type(err).__name__}: {err}"])
        return
    base = _virtual_size()
    if address_space and base:  # without /proc (macOS) the engines' own checks are the limit
        _limit_memory(base + address_space)
    channel.send(["ready"])
    while True:
        try:
            message = channel.receive()
        except _wire.WireClosed:
            return
        if message[0] == "run":
            worker.run(message)


if __name__ == "__main__":
    main()
