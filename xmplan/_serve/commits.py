"""Group commit: the write transactions of concurrent callers are done together, under one COMMIT.

A caller hands in its work (a function of the connection) and waits. The first caller finding no
write under way leads: it takes every piece of work queued so far and runs it in one transaction,
each piece in its own savepoint, then wakes their callers. Under load one commit serves many
requests, and a write never waits behind a chain of other threads' lock handoffs (each one a
chance for the scheduler or the interpreter lock to stall it), which set the 202's tail latency.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]


class StoreUnavailable(Exception):
    """The database cannot take the write now (locked, full, read-only): answer 503, keep nothing half-done."""


class _Job:
    __slots__ = ("work", "done", "result", "error")

    def __init__(self, work: Work) -> None:
        self.work = work
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """Runs callers' work in shared transactions on the leading caller's connection."""

    def __init__(self, connection: Callable[[], sqlite3.Connection], timeout: float) -> None:
        """`connection`: the calling thread's connection; `timeout`: how long a caller waits in all."""
        self._connection = connection
        self._timeout = timeout
        self._pending: list[_Job] = []
        self._leading = False
        self._changed = threading.Condition()

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` inside a transaction, committed when this returns; raises what the work
        raised (its changes undone, the others' kept), or StoreUnavailable when the whole commit failed."""
        job = _Job(work)
        deadline = time.monotonic() + self._timeout
        with self._changed:
            self._pending.append(job)
            while self._leading and not job.done:
                left = deadline - time.monotonic()
                if left <= 0:
                    if job in self._pending:  # not taken yet: withdrawn, so it is never written
                        self._pending.remove(job)
                        raise StoreUnavailable("database is locked (by this server's other writes)")
                    left = self._timeout  # a leader has taken it: its outcome comes soon
                self._changed.wait(left)
            if not job.done:
                self._leading = True
                batch, self._pending = self._pending, []
        if not job.done:
            try:
                self._commit(batch)
            finally:
                with self._changed:
                    self._leading = False
                    self._changed.notify_all()
        if job.error is not None:
            raise job.error
        result: T = job.result
        return result

    def _commit(self, batch: list[_Job]) -> None:
        connection = self._connection()
        alone = len(batch) == 1  # the transaction is the work's own: no savepoint needed
        try:
            retry_locked(lambda: connection.execute("BEGIN IMMEDIATE"), self._timeout)
            for job in batch:
                if not alone:
                    connection.execute("SAVEPOINT work")
                try:
                    job.result = job.work(connection)
                except sqlite3.OperationalError:
                    raise  # the database itself refuses: the whole transaction goes
                except Exception as exc:  # this caller's own failure: only its changes go
                    if alone:
                        raise
                    connection.execute("ROLLBACK TO work")
                    job.error = exc
                if not alone:
                    connection.execute("RELEASE work")
            connection.execute("COMMIT")
        except BaseException as exc:
            if connection.in_transaction:  # SQLite ends it by itself on some errors (a full disk)
                connection.execute("ROLLBACK")
            refused = isinstance(exc, sqlite3.OperationalError)
            for job in batch:
                job.result, job.error = None, StoreUnavailable(str(exc)) if refused else exc
        finally:
            for job in batch:
                job.done = True


def retry_locked(action: Callable[[], T], timeout: float) -> T:
    """`action()`, tried again in short steps while SQLite finds the database locked by another
    process (the run host's commit, a fraction of a millisecond; or its recovery of the WAL after a
    crash), up to `timeout` seconds. The connections do not wait themselves (timeout 0): SQLite's
    busy handler sleeps 1, 2, 5, 10 ... 100 ms, and would set the 202's tail latency."""
    deadline = time.monotonic() + timeout
    pause = 0.0001
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.002)
