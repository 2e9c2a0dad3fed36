"""Group commit (xmplan._serve.commits): concurrent writes share transactions, each kept or undone alone."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from xmplan._serve.commits import GroupCommit, StoreUnavailable, retry_locked


class Database:
    """A WAL database with one connection per thread, counting the COMMITs sent on any of them."""

    def __init__(self, path):
        self.path = path
        self.commits = 0
        self._local = threading.local()
        self._lock = threading.Lock()
        setup = sqlite3.connect(path, isolation_level=None)
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE items (name TEXT PRIMARY KEY)")
        setup.close()

    def connection(self):
        found = getattr(self._local, "connection", None)
        if found is None:
            found = self._local.connection = sqlite3.connect(self.path, isolation_level=None, timeout=0.2,
                                                             check_same_thread=False)
            found.set_trace_callback(self._traced)
        return found

    def _traced(self, sql):
        if sql == "COMMIT":
            with self._lock:
                self.commits += 1

    def names(self):
        reader = sqlite3.connect(self.path)
        try:
            return sorted(row[0] for row in reader.execute("SELECT name FROM items"))
        finally:
            reader.close()


def insert(name):
    def work(db):
        db.execute("INSERT INTO items VALUES (?)", (name,))
        return name.upper()

    return work


def test_writers_queued_behind_a_commit_share_the_next_one(tmp_path):
    database = Database(tmp_path / "db")
    commits = GroupCommit(database.connection, timeout=10)
    inside, release = threading.Event(), threading.Event()

    def first(db):
        db.execute("INSERT INTO items VALUES ('first')")
        inside.set()
        assert release.wait(10)

    results = {}
    leader = threading.Thread(target=lambda: commits.run(first))
    leader.start()
    assert inside.wait(10)
    names = [f"item{n}" for n in range(8)]
    followers = [threading.Thread(target=lambda n=n: results.__setitem__(n, commits.run(insert(n)))) for n in names]
    for thread in followers:
        thread.start()
    deadline = time.monotonic() + 10
    while len(commits._pending) < len(names) and time.monotonic() < deadline:  # all queued behind the first
        time.sleep(0.01)
    release.set()
    for thread in [leader, *followers]:
        thread.join(10)
    assert results == {n: n.upper() for n in names}  # each caller gets its own work's result
    assert database.names() == sorted(["first", *names])
    assert database.commits == 2  # the first write's, then one for all eight


def test_work_that_raises_is_undone_alone(tmp_path):
    database = Database(tmp_path / "db")
    commits = GroupCommit(database.connection, timeout=10)

    def half_then_fail(db):
        db.execute("INSERT INTO items VALUES ('half')")
        raise ValueError("the caller's own mistake")

    commits.run(insert("before"))
    with pytest.raises(ValueError, match="own mistake"):
        commits.run(half_then_fail)
    commits.run(insert("after"))
    assert database.names() == ["after", "before"]


def test_work_that_raises_in_a_shared_commit_is_undone_alone(tmp_path):
    database = Database(tmp_path / "db")
    commits = GroupCommit(database.connection, timeout=10)
    inside, release = threading.Event(), threading.Event()

    def first(db):
        inside.set()
        assert release.wait(10)

    def half_then_fail(db):
        db.execute("INSERT INTO items VALUES ('half')")
        raise ValueError("the caller's own mistake")

    outcomes = {}

    def call(name, work):
        try:
            outcomes[name] = commits.run(work)
        except ValueError as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=call, args=("first", first))]
    threads[0].start()
    assert inside.wait(10)
    threads += [threading.Thread(target=call, args=(name, work))
                for name, work in (("good", insert("good")), ("bad", half_then_fail), ("also", insert("also")))]
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 10
    while len(commits._pending) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert isinstance(outcomes["bad"], ValueError) and (outcomes["good"], outcomes["also"]) == ("GOOD", "ALSO")
    assert database.names() == ["also", "good"]
    assert database.commits == 2  # the three shared one


def test_a_locked_database_refuses_the_whole_commit(tmp_path):
    database = Database(tmp_path / "db")
    commits = GroupCommit(database.connection, timeout=0.5)
    locker = sqlite3.connect(tmp_path / "db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="database is locked"):
            commits.run(insert("refused"))
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    commits.run(insert("later"))
    assert database.names() == ["later"]


def test_another_connections_write_is_waited_for_then_the_commit_goes_through(tmp_path):
    """As the run host's writes are: the connection itself does not wait (timeout 0), the commit does."""
    database = Database(tmp_path / "db")
    waiting = sqlite3.connect(tmp_path / "db", isolation_level=None, timeout=0, check_same_thread=False)
    commits = GroupCommit(lambda: waiting, timeout=10)
    locker = sqlite3.connect(tmp_path / "db", isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("INSERT INTO items VALUES ('first')")

    def release():
        time.sleep(0.3)
        locker.execute("COMMIT")

    other = threading.Thread(target=release)
    other.start()
    try:
        assert commits.run(insert("second")) == "SECOND"
    finally:
        other.join(10)
        locker.close()
        waiting.close()
    assert database.names() == ["first", "second"]


def test_a_writer_that_waits_too_long_is_withdrawn_and_never_written(tmp_path):
    database = Database(tmp_path / "db")
    commits = GroupCommit(database.connection, timeout=0.3)
    inside, release = threading.Event(), threading.Event()

    def stuck(db):
        inside.set()
        assert release.wait(10)

    leader = threading.Thread(target=lambda: commits.run(stuck))
    leader.start()
    assert inside.wait(10)
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            commits.run(insert("too late"))
    finally:
        release.set()
        leader.join(10)
    commits.run(insert("next"))
    assert database.names() == ["next"]


def flaky(failures, error="database is locked"):
    """An action that raises `error` `failures` times, then answers; counts its calls."""
    calls = []

    def action():
        calls.append(time.monotonic())
        if len(calls) <= failures:
            raise sqlite3.OperationalError(error)
        return "answer"

    return action, calls


def test_a_locked_database_is_tried_again_in_short_steps():
    action, calls = flaky(3)
    assert retry_locked(action, timeout=5) == "answer"
    assert len(calls) == 4


def test_other_database_errors_are_not_tried_again():
    action, calls = flaky(1, "disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        retry_locked(action, timeout=5)
    assert len(calls) == 1


def test_a_database_locked_past_the_timeout_raises():
    action, calls = flaky(10**6)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        retry_locked(action, timeout=0.2)
    assert len(calls) > 1  # tried again until the timeout, then gave up
