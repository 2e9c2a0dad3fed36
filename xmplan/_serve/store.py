"""The emulator's state in SQLite (WAL): requests, events, recipients, notifications, annotations, activity.

All SQL lives here; routes and pages see plain dicts. Every write is one transaction (which
concurrent writes share, see commits.py), so a crash leaves either the whole change or none of it.
A locked or full database raises StoreUnavailable (the routes answer 503) and nothing is half-written.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import orjson

from .._model import Json
from .commits import GroupCommit, StoreUnavailable, retry_locked

T = TypeVar("T")
__all__ = ["NewEvent", "NewRequest", "Row", "Store", "StoreUnavailable"]

Row = dict[str, Json]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, plan TEXT NOT NULL, integration TEXT NOT NULL,
  trigger TEXT NOT NULL, method TEXT, headers TEXT, parameters TEXT, body TEXT, remote TEXT,
  user TEXT, received TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  event TEXT, note TEXT);
CREATE INDEX IF NOT EXISTS requests_state ON requests(state);
CREATE INDEX IF NOT EXISTS requests_event ON requests(event);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, event_id INTEGER UNIQUE NOT NULL, plan TEXT NOT NULL, form_uuid TEXT NOT NULL,
  form_name TEXT NOT NULL, status TEXT NOT NULL, priority TEXT NOT NULL, properties TEXT NOT NULL,
  submitter TEXT, created TEXT NOT NULL, terminated TEXT, request_id TEXT, posted TEXT, notes TEXT);
CREATE INDEX IF NOT EXISTS events_request ON events(request_id);
CREATE TABLE IF NOT EXISTS recipients (
  event TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
  resolved INTEGER NOT NULL, note TEXT, PRIMARY KEY (event, position));
CREATE TABLE IF NOT EXISTS notifications (
  id TEXT PRIMARY KEY, event TEXT NOT NULL, person TEXT NOT NULL, device TEXT NOT NULL,
  device_type TEXT NOT NULL, via TEXT, delivery TEXT NOT NULL, delivered TEXT, state TEXT NOT NULL,
  response TEXT, comment TEXT, responded TEXT);
CREATE INDEX IF NOT EXISTS notifications_event ON notifications(event, person);
CREATE TABLE IF NOT EXISTS annotations (
  id TEXT PRIMARY KEY, event TEXT NOT NULL, author TEXT NOT NULL, comment TEXT NOT NULL,
  answer TEXT, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, plan TEXT NOT NULL,
  integration TEXT NOT NULL, trigger TEXT NOT NULL, started TEXT NOT NULL, duration_ms REAL NOT NULL,
  ok INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS activity_request ON activity(request_id);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_JSON_COLUMNS = {"headers", "parameters", "properties", "posted", "notes", "record", "answer"}


@dataclass(frozen=True)
class NewRequest:
    id: str
    plan: str
    integration: str
    trigger: str  # INBOUND, or the outbound trigger type (RESPONSE, STATUS, ...)
    body: str
    received: str
    method: str = "POST"
    headers: Json = field(default_factory=dict)
    parameters: Json = field(default_factory=dict)
    remote: str = ""
    user: str = ""
    event: str | None = None


@dataclass(frozen=True)
class NewEvent:
    id: str
    plan: str
    form_uuid: str
    form_name: str
    properties: Json
    submitter: str
    created: str
    request_id: str | None
    recipients: Sequence[Row]  # {name, type, resolved, note}
    notifications: Sequence[Row]  # {id, person, device, device_type, via}
    priority: str = "MEDIUM"
    trigger: Json = None
    notes: Sequence[str] = ()


class Store:
    """One SQLite file in WAL mode; one connection per thread."""

    def __init__(self, path: Path, busy_timeout: float = 5.0, max_bytes: int | None = None) -> None:
        """`busy_timeout`: how long a write waits for a lock before giving up (503);
        `max_bytes`: a cap on the database's size, past which writes fail as on a full disk."""
        self.path = path
        self.busy_timeout = busy_timeout
        self.max_bytes = max_bytes
        self._local = threading.local()
        # Writers of this process share commits (commits.py); another process's write is waited
        # for in short steps (retry_locked), not in SQLite's busy handler.
        self._commits = GroupCommit(self._connection, busy_timeout)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._errors():
            setup = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
            try:
                # Each commit writes every page it changed to the WAL, checksummed; a run changes about a
                # dozen tables and indexes: smaller pages cut that by a third (a new database's only).
                setup.execute("PRAGMA page_size=1024")
                setup.execute("PRAGMA journal_mode=WAL")
                setup.executescript(_SCHEMA)
            finally:
                setup.close()
        self._closed = threading.Event()
        threading.Thread(target=self._checkpoint_loop, name="xmplan-checkpoint", daemon=True).start()

    def __reduce__(self) -> tuple[type[Store], tuple[Path, float, int | None]]:
        """Unpickled (in the run host process), the same database opened anew."""
        return Store, (self.path, self.busy_timeout, self.max_bytes)

    def close(self) -> None:
        """Stop the checkpoint thread (connections close with their threads)."""
        self._closed.set()

    def _checkpoint_loop(self) -> None:
        """Move the WAL into the database file every half second (PASSIVE: writers go on meanwhile)."""
        while not self._closed.wait(0.5):
            try:
                self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # busy or gone: the next round tries again

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a process crash
            # Checkpoints (which fsync) run on their own thread, not inside a request's commit.
            connection.execute("PRAGMA wal_autocheckpoint=0")
            if self.max_bytes is not None:
                page = int(connection.execute("PRAGMA page_size").fetchone()[0])
                connection.execute(f"PRAGMA max_page_count={max(1, self.max_bytes // page)}")
            self._local.connection = connection
        return connection

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(str(exc)) from None

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` in a transaction (shared with concurrent writers'): all of it is kept or none."""
        return self._commits.run(work)

    def _rows(self, sql: str, args: Sequence[Json] = ()) -> list[Row]:
        with self._errors():
            found = retry_locked(lambda: self._connection().execute(sql, args).fetchall(), self.busy_timeout)
            return [_decode(row) for row in found]

    def _one(self, sql: str, args: Sequence[Json] = ()) -> Row | None:
        rows = self._rows(sql, args)
        return rows[0] if rows else None

    # requests: stored before the 202, run afterwards
    def add_requests(self, requests: Sequence[NewRequest], db: sqlite3.Connection | None = None) -> None:
        if db is None:
            self.write(lambda connection: self.add_requests(requests, connection))
            return
        for r in requests:
            db.execute("INSERT INTO requests (id, plan, integration, trigger, method, headers, parameters, body,"
                       " remote, user, received, state, event) VALUES (?,?,?,?,?,?,?,?,?,?,?,'queued',?)",
                       (r.id, r.plan, r.integration, r.trigger, r.method, _text(r.headers),
                        _text(r.parameters), r.body, r.remote, r.user, r.received, r.event))

    def request(self, request_id: str) -> Row | None:
        return self._one("SELECT * FROM requests WHERE id = ?", (request_id,))

    def claim(self, request_id: str) -> Row | None:
        """Mark a queued (or interrupted) request running, counting the attempt; the request, or None
        when it is not there to run."""
        row = self.write(lambda db: _claim(db, request_id))
        return None if row is None else _decode(row)

    def unfinished(self) -> list[Row]:
        """Requests accepted but not finished (queued, or running when the server stopped), oldest first."""
        return self._rows("SELECT id, state, attempts FROM requests WHERE state IN ('queued', 'running') ORDER BY seq")

    def finish(self, request_id: str, state: str, activity: Row | None, events: Sequence[NewEvent] = (),
               follow: Sequence[NewRequest] = (), note: str | None = None, claim: str | None = None) -> Row | None:
        """A run's results in one transaction: its events, its activity record, the runs they trigger;
        and, with `claim`, that request claimed in the same transaction (as `claim()` does, one commit
        less per run): it is returned, or None when it is not there to run."""
        def work(db: sqlite3.Connection) -> sqlite3.Row | None:
            for event in events:
                self._insert_event(db, event)
            if activity is not None:
                db.execute("INSERT INTO activity (request_id, plan, integration, trigger, started, duration_ms, ok,"
                           " record) VALUES (?,?,?,?,?,?,?,?)",
                           (request_id, activity["plan"], activity["integration"], activity["trigger"],
                            activity["started"], activity["durationMs"], int(activity["ok"]), _text(activity)))
            db.execute("UPDATE requests SET state = ?, note = ? WHERE id = ?", (state, note, request_id))
            self.add_requests(follow, db)
            return None if claim is None else _claim(db, claim)

        row = self.write(work)
        return None if row is None else _decode(row)

    # events
    def add_event(self, event: NewEvent, follow: Sequence[NewRequest] = ()) -> int:
        def work(db: sqlite3.Connection) -> int:
            number = self._insert_event(db, event)
            self.add_requests(follow, db)
            return number

        return self.write(work)

    def _insert_event(self, db: sqlite3.Connection, e: NewEvent) -> int:
        number = int(db.execute("SELECT COALESCE(MAX(event_id), 1000000) + 1 FROM events").fetchone()[0])
        db.execute("INSERT INTO events (id, event_id, plan, form_uuid, form_name, status, priority, properties,"
                   " submitter, created, request_id, posted, notes) VALUES (?,?,?,?,?,'ACTIVE',?,?,?,?,?,?,?)",
                   (e.id, number, e.plan, e.form_uuid, e.form_name, e.priority, _text(e.properties),
                    e.submitter, e.created, e.request_id, _text(e.trigger), _text(list(e.notes))))
        for position, r in enumerate(e.recipients):
            db.execute("INSERT INTO recipients VALUES (?,?,?,?,?,?)",
                       (e.id, position, r["name"], r["type"], int(r["resolved"]), r.get("note")))
        for n in e.notifications:
            db.execute("INSERT INTO notifications (id, event, person, device, device_type, via, delivery, delivered,"
                       " state) VALUES (?,?,?,?,?,?,'Delivered',?,'DELIVERED')",
                       (n["id"], e.id, n["person"], n["device"], n["device_type"], n.get("via"), e.created))
        return number

    def event(self, key: str) -> Row | None:
        column = "event_id" if key.isdigit() else "id"
        return self._one(f"SELECT * FROM events WHERE {column} = ?", (int(key) if key.isdigit() else key,))

    def events(self, *, request_id: str | None = None, status: str | None = None, offset: int = 0,
               limit: int = 100) -> tuple[int, list[Row]]:
        where, args = ["1=1"], []
        if request_id:
            where.append("request_id = ?")
            args.append(request_id)
        if status:
            where.append("status = ?")
            args.append(status)
        clause = " AND ".join(where)
        rows = self._rows(f"SELECT * FROM events WHERE {clause} ORDER BY event_id DESC", args)
        return len(rows), rows[offset:offset + limit] if limit else rows[offset:]

    def recipients(self, event: str) -> list[Row]:
        return self._rows("SELECT * FROM recipients WHERE event = ? ORDER BY position", (event,))

    def notifications(self, event: str) -> list[Row]:
        return self._rows("SELECT * FROM notifications WHERE event = ? ORDER BY rowid", (event,))

    def annotations(self, event: str) -> list[Row]:
        return self._rows("SELECT * FROM annotations WHERE event = ? ORDER BY rowid", (event,))

    def respond(self, event: str, person: str, response: str, comment: str | None, at: str,
                stop: Sequence[str], end: bool, annotation: Row | None, follow: Sequence[NewRequest]) -> None:
        """Record a response on the responder's notifications, stop the ones the option says, end the event."""
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE notifications SET response = ?, comment = ?, responded = ?, state = 'RESPONDED'"
                       " WHERE event = ? AND person = ?", (response, comment, at, event, person))
            for person_name in stop:
                db.execute("UPDATE notifications SET state = 'STOPPED' WHERE event = ? AND person = ?"
                           " AND state = 'DELIVERED'", (event, person_name))
            if end:
                db.execute("UPDATE events SET status = 'TERMINATED', terminated = ? WHERE id = ?", (at, event))
            if annotation is not None:
                self._insert_annotation(db, event, annotation)
            self.add_requests(follow, db)

        self.write(work)

    def set_status(self, event: str, status: str, at: str, follow: Sequence[NewRequest]) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE events SET status = ?, terminated = ? WHERE id = ?",
                       (status, at if status == "TERMINATED" else None, event))
            self.add_requests(follow, db)

        self.write(work)

    def annotate(self, event: str, annotation: Row, follow: Sequence[NewRequest]) -> None:
        def work(db: sqlite3.Connection) -> None:
            self._insert_annotation(db, event, annotation)
            self.add_requests(follow, db)

        self.write(work)

    def _insert_annotation(self, db: sqlite3.Connection, event: str, a: Row) -> None:
        db.execute("INSERT INTO annotations VALUES (?,?,?,?,?,?)",
                   (a["id"], event, a["author"], a["comment"], _text(a.get("answer")), a["created"]))

    # activity
    def activity(self, *, request_id: str | None = None, integration: str | None = None,
                 limit: int = 200) -> list[Row]:
        where, args = ["1=1"], []
        for column, value in (("request_id", request_id), ("integration", integration)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        rows = self._rows(f"SELECT record FROM activity WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
                          [*args, limit])
        return [row["record"] for row in rows]

    def requests_for(self, event: str) -> list[Row]:
        return self._rows("SELECT id, integration, trigger, state, received FROM requests WHERE event = ?"
                          " ORDER BY seq", (event,))

    def counts(self) -> Row:
        rows = self._rows("SELECT state, COUNT(*) AS n FROM requests GROUP BY state")
        return {row["state"]: row["n"] for row in rows}

    def setting(self, key: str, default: str) -> str:
        """A stored value (e.g. an integration's apiKey), stored as `default` the first time."""
        def work(db: sqlite3.Connection) -> str:
            db.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)", (key, default))
            return str(db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0])

        return self.write(work)


def _claim(db: sqlite3.Connection, request_id: str) -> sqlite3.Row | None:
    found: list[sqlite3.Row] = db.execute("UPDATE requests SET state = 'running', attempts = attempts + 1"
                                          " WHERE id = ? AND state IN ('queued', 'running') RETURNING *",
                                          (request_id,)).fetchall()
    return found[0] if found else None


def _text(value: Json) -> str:
    """A column's JSON text: orjson's (a tenth of json's time), json's where orjson refuses (a lone
    surrogate from a script's string, an integer past 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value)


def _decode(row: sqlite3.Row) -> Row:
    # json, not orjson: orjson reads an integer past 64 bits (which _text may write) as a float
    return {key: json.loads(row[key]) if key in _JSON_COLUMNS and row[key] is not None else row[key]
            for key in row.keys()}
