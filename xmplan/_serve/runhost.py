"""The run host: `xmplan serve` runs its run queue in a child process, beside the process answering HTTP.

The two share only the store. The server accepts a request (stored before its 202) and tells the
run host its id on a pipe; the run host claims it, runs the script in its script workers and stores
the results, as the in-process run queue does (runner.py). The threads answering HTTP then never
wait for the interpreter lock behind a run's host side or bookkeeping, so a 202 is answered while
scripts run. A run host that ends is started again, and picks up whatever is unfinished in the
store; one killed with the server leaves its runs to the next start, as the in-process queue does.
The pipe carries pickles between this process and its own child only; the scripts run a level
below, in the script workers, which never see it.
"""

from __future__ import annotations

import logging
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import IO, Any

from .._runtime._spawn import PACKAGE_ROOT
from .core import Emulator

RESTART_SECONDS = 1.0  # between a run host ending unexpectedly and the next start
_log = logging.getLogger(__name__)


class RunHost:
    """The parent's side: starts the run host, hands it the ids of accepted requests, restarts it."""

    def __init__(self, emulator: Emulator) -> None:
        """Takes over `emulator.queued`: the ids of what the emulator accepts go to the run host."""
        self.emulator = emulator
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._outbox: list[str] = []  # ids to tell the run host, sent on a thread of their own
        self._posted = threading.Condition(self._lock)
        self._sender = threading.Thread(target=self._send_ids, name="xmplan-run-host-ids", daemon=True)
        emulator.queued = self._queued

    @property
    def pid(self) -> int | None:
        """The run host's process id, None while it is not running."""
        process = self._process
        return None if process is None or process.poll() is not None else process.pid

    def start(self) -> None:
        """Start the run host (call once the emulator's URL is known: its scripts call back there)."""
        with self._lock:
            if self._process is None and not self._stopping:
                self._spawn()
                if not self._sender.is_alive():
                    self._sender.start()

    def stop(self, timeout: float = 30.0) -> None:
        """End the run host (killed if it has not ended after `timeout` seconds). Runs under way are
        run again at the next start, as after a kill."""
        with self._lock:
            self._stopping = True
            self._posted.notify_all()
            process = self._process
        if process is not None:
            _close(process.stdin)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.emulator.store.close()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until the store holds no queued or running request; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            counts = self.emulator.store.counts()
            if not counts.get("queued") and not counts.get("running"):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _queued(self, ids: Sequence[str]) -> None:
        """Called by the threads answering HTTP: never waits for the pipe."""
        with self._lock:
            self._outbox += ids
            self._posted.notify()

    def _send_ids(self) -> None:
        """Hand the run host the ids accepted since the last batch, until stopping. Ids accepted while
        no run host runs are dropped: the next one finds them in the store as it starts."""
        while True:
            with self._lock:
                while not self._outbox and not self._stopping:
                    self._posted.wait()
                if self._stopping:
                    return
                ids, self._outbox = self._outbox, []
                process = self._process
            if process is not None:
                try:
                    _send(process.stdin, ids)
                except (OSError, ValueError):  # it ended: its successor finds them in the store
                    pass

    def _spawn(self) -> None:
        emulator = self.emulator
        setup = (replace(emulator.config, store=emulator.store), emulator.self_secret, emulator.url)
        bootstrap = (f"import sys; sys.path[0] = {PACKAGE_ROOT!r}; "
                     "from xmplan._serve.runhost import host_main; host_main()")
        process = subprocess.Popen([sys.executable, "-c", bootstrap], stdin=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, close_fds=True)
        _send(process.stdin, setup)
        self._process = process
        threading.Thread(target=self._watch, args=(process,), name="xmplan-run-host-watch", daemon=True).start()

    def _watch(self, process: subprocess.Popen[bytes]) -> None:
        status = process.wait()
        with self._lock:
            _close(process.stdin)
            if self._stopping:
                return
            self._process = None
        _log.error("the run host process ended (exit status %s); starting another", status)
        time.sleep(RESTART_SECONDS)
        self.start()


def _send(stream: IO[bytes] | None, message: Any) -> None:
    assert stream is not None
    stream.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    stream.flush()


def _close(stream: IO[bytes] | None) -> None:
    try:
        if stream is not None:
            stream.close()
    except OSError:
        pass


def host_main() -> None:
    """The run host process: the setup, then lists of request ids to run, from stdin, until it closes."""
    from .runner import RunQueue

    logging.basicConfig(level=logging.WARNING, format="xmplan serve (run host): %(levelname)s %(message)s")
    # Ctrl-C reaches the whole process group: the server stops this process by closing its stdin.
    # It keeps the server's priority (its script workers give way): a lowered run host holding a
    # database commit would hold up the server's commits.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source = sys.stdin.buffer
    config, self_secret, url = pickle.load(source)
    emulator = Emulator(config, self_secret=self_secret)
    emulator.set_url(url)
    runs = RunQueue(emulator, config.workers)
    # What the server accepted while this process started is in the store and on the pipe: run once.
    found = set(runs.start())
    while True:
        try:
            ids = pickle.load(source)
        except EOFError:  # the server is stopping, or it ended
            break
        for request_id in ids:
            if request_id in found:
                found.discard(request_id)
            else:
                runs.submit(request_id)
    runs.stop()
