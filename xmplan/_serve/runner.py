"""The run queue: worker threads take stored requests and run their integration through `Runtime.run`.

A request is marked running before its script starts; its events, activity record and the outbound
runs they fire are stored together when it ends. A server killed mid-run therefore left nothing of
that run behind, and the request is run again at the next start (at most MAX_ATTEMPTS times; then it
is marked failed). Only HTTP calls the script made before the kill can repeat.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Sequence

from .._errors import XmplanError
from .._runtime.api import Request
from .._runtime.outcome import Outcome
from .core import Emulator
from .events import new_event
from .plans import Integration, ServedPlan
from .store import NewEvent, NewRequest, Row, StoreUnavailable

MAX_ATTEMPTS = 3
_log = logging.getLogger(__name__)
_STORE_RETRIES = 20


class RunQueue:
    def __init__(self, emulator: Emulator, workers: int = 2) -> None:
        self.emulator = emulator
        self.store = emulator.store
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._loop, name=f"xmplan-run-{n}", daemon=True)
                         for n in range(max(1, workers))]
        self._pending = 0
        self._idle = threading.Condition()
        self._started = False
        emulator.queued = self._queued

    def _queued(self, ids: Sequence[str]) -> None:
        if self._started:
            for request_id in ids:
                self.submit(request_id)

    def start(self) -> None:
        """Queue what an earlier server accepted but did not finish, then start the workers."""
        if self._started:
            return
        self._started = True
        for row in self.store.unfinished():
            self.submit(row["id"])
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Let the run threads end after their current run; stop the store's background work."""
        for _ in self._threads:
            self._queue.put(None)
        self.store.close()

    def submit(self, request_id: str) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(request_id)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted run (and the runs they fired) ended; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def _loop(self) -> None:
        while True:
            request_id = self._queue.get()
            if request_id is None:
                return
            try:
                for follow in self.execute(request_id):
                    self.submit(follow)
            except StoreUnavailable:
                time.sleep(0.5)  # the store refused (locked, full): the request stays unfinished, try later
                self.submit(request_id)
            except Exception:
                _log.exception("run of request %s failed inside the emulator", request_id)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def execute(self, request_id: str) -> list[str]:
        """Run one stored request; the ids of the runs it fired."""
        row = self.store.claim(request_id)
        if row is None:
            return []
        found = self.emulator.integrations.get(row["integration"])
        attempt = int(row["attempts"])
        if found is None:
            self._finish(request_id, "failed", None, [], [], "the integration is no longer in the plans served")
            return []
        plan, integration = found
        if attempt > MAX_ATTEMPTS:
            note = f"failed: the server stopped during each of {MAX_ATTEMPTS} attempts to run it"
            self._finish(request_id, "failed", self._activity(row, integration, None, 0.0, note, attempt), [], [], note)
            return []
        started = time.perf_counter()
        outcome, error = self._run(plan, integration, row)
        duration = (time.perf_counter() - started) * 1000
        events = [] if outcome is None else self._events(plan, integration, row, outcome)
        follow = [f for e in events for f in self.emulator.deliveries(e)]
        activity = self._activity(row, integration, outcome, duration, error, attempt)
        ok = activity["ok"]
        self._finish(request_id, "done" if ok else "failed", activity, events, follow, error)
        return [f.id for f in follow]

    def _finish(self, request_id: str, state: str, activity: Row | None, events: list[NewEvent],
                follow: list[NewRequest], note: str | None) -> None:
        for attempt in range(_STORE_RETRIES):  # keep the run's results rather than run it again
            try:
                self.store.finish(request_id, state, activity, events, follow, note)
                return
            except StoreUnavailable:
                if attempt == _STORE_RETRIES - 1:
                    raise
                time.sleep(0.25)

    def _run(self, plan: ServedPlan, integration: Integration, row: Row) -> tuple[Outcome | None, str | None]:
        request = Request(self._body(row), row["headers"] or {}, row["parameters"] or {}, row["id"])
        if integration.flow and self.emulator.config.flow_runner is not None:
            return self.emulator.config.flow_runner(plan, integration, request), None
        if not integration.has_script and not integration.flow:
            return None, f"this integration has no script (action {integration.action}): nothing to run"
        # A Flow Designer integration runs its canvas through the same call (xmplan._flows).
        try:
            return plan.runtime.run(integration.name, request), None
        except XmplanError as exc:
            return None, "; ".join(p.message for p in exc.problems) or str(exc)

    def _body(self, row: Row) -> str:
        """Outbound payloads get the event's number, which it has only once stored."""
        body = str(row["body"] or "")
        if row["trigger"] == "INBOUND" or not row["event"]:
            return body
        objects = json.loads(body)
        event = self.store.event(row["event"])
        if event is not None and objects.get("event", {}).get("eventId") is None:
            objects["event"]["eventId"] = event["event_id"]
        return json.dumps(objects)

    def _events(self, plan: ServedPlan, integration: Integration, row: Row, outcome: Outcome) -> list[NewEvent]:
        events = []
        for made in outcome.events:
            form = plan.forms.get(integration.form or "") or next(
                (f for f in plan.forms.values() if f.name == made.form), None)
            if form is None:
                continue
            events.append(new_event(self.emulator.directory, form, made.trigger, event_id=made.id,
                                    submitter=row["user"] or "", request_id=row["id"], at=self.emulator.now(),
                                    notes=made.notes))
        return events

    def _activity(self, row: Row, integration: Integration, outcome: Outcome | None, duration: float,
                  error: str | None, attempt: int) -> Row:
        record: Row = {"requestId": row["id"], "plan": integration.plan, "integration": integration.name,
                       "integrationId": integration.id, "trigger": row["trigger"], "started": row["received"],
                       "durationMs": round(duration, 3), "attempt": attempt, "event": row["event"],
                       "console": [], "http": [], "events": [], "rejected": [], "error": None}
        if outcome is not None:
            data = outcome.to_json()
            record["console"] = data["console"]
            record["http"] = [self._unself(call) for call in data["http"]]
            record["events"] = [{"id": e["id"], "form": e["form"], "properties": e["properties"]}
                                for e in data["events"]]
            record["rejected"] = data["rejected"]
            record["error"] = data["error"]
        if error is not None:
            record["error"] = {"message": error, "file": None, "line": None, "column": None, "timeout": False}
        record["ok"] = record["error"] is None
        return record

    def _unself(self, call: Row) -> Row:
        """Calls to the xMatters endpoint are shown at this emulator's address, without the path key."""
        base = self.emulator.self_base
        return {**call, "url": str(call.get("url", "")).replace(base, self.emulator.url)}
