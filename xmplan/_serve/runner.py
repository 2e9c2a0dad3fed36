"""The run queue: worker threads take stored requests and run their integration through `Runtime.run`.

A request is marked running before its script starts; its events, activity record and the outbound
runs they fire are stored together when it ends. A server killed mid-run therefore left nothing of
that run behind, and the request is run again at the next start (at most MAX_ATTEMPTS times; then it
is marked failed). Only HTTP calls the script made before the kill can repeat.
"""

from __future__ import annotations

import copy
import json
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict

from .._errors import XmplanError
from .._model import Json
from .._runtime.api import Request
from .._runtime.outcome import Outcome, mask_json
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

    def start(self) -> list[str]:
        """Queue what an earlier server accepted but did not finish, then start the workers; the ids queued."""
        if self._started:
            return []
        self._started = True
        unfinished = [str(row["id"]) for row in self.store.unfinished()]
        for request_id in unfinished:
            self.submit(request_id)
        for thread in self._threads:
            thread.start()
        return unfinished

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
        claimed: tuple[str, Row | None] | None = None  # the next request, claimed with the last one's results
        while True:
            if claimed is None:
                request_id = self._queue.get()
                if request_id is None:
                    return
            else:
                request_id = claimed[0]
            given, claimed = claimed, None
            try:
                follows, claimed = self._execute(request_id, given)
                for follow in follows:
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
        return self._execute(request_id, None, chain=False)[0]

    def _execute(self, request_id: str, claimed: tuple[str, Row | None] | None, chain: bool = True
                 ) -> tuple[list[str], tuple[str, Row | None] | None]:
        """Run one stored request (`claimed`: already claimed, with its row or None when it was not there
        to run): the ids of the runs it fired, and (with `chain`) the next queued request, claimed with
        its results."""
        row = self.store.claim(request_id) if claimed is None else claimed[1]
        if row is None:
            return [], None
        found = self.emulator.integrations.get(row["integration"])
        attempt = int(row["attempts"])
        if found is None:
            note = "the integration is no longer in the plans served"
            return [], self._finish(request_id, "failed", None, [], [], note, chain)
        plan, integration = found
        if attempt > MAX_ATTEMPTS:
            note = f"failed: the server stopped during each of {MAX_ATTEMPTS} attempts to run it"
            activity = self._activity(row, integration, None, 0.0, note, attempt)
            return [], self._finish(request_id, "failed", activity, [], [], note, chain)
        started = time.perf_counter()
        outcome, error = self._run(plan, integration, row)
        duration = (time.perf_counter() - started) * 1000
        events = [] if outcome is None else self._events(plan, integration, row, outcome)
        follow = [f for e in events for f in self.emulator.deliveries(e)]
        activity = self._activity(row, integration, outcome, duration, error, attempt)
        ok = activity["ok"]
        upcoming = self._finish(request_id, "done" if ok else "failed", activity, events, follow, error, chain)
        return [f.id for f in follow], upcoming

    def _finish(self, request_id: str, state: str, activity: Row | None, events: list[NewEvent],
                follow: list[NewRequest], note: str | None, chain: bool) -> tuple[str, Row | None] | None:
        """Store a run's results, claiming the next queued request in the same commit (one commit per
        run instead of two); that request and its row, or None when the queue was empty."""
        upcoming = self._take() if chain else None
        attempt = 1
        while True:  # keep the run's results rather than run it again
            try:
                row = self.store.finish(request_id, state, activity, events, follow, note, claim=upcoming)
                return None if upcoming is None else (upcoming, row)
            except StoreUnavailable:
                if attempt < _STORE_RETRIES:
                    attempt += 1
                    time.sleep(0.25)
                    continue
                self._give_back(upcoming)
                raise
            except BaseException:
                self._give_back(upcoming)
                raise

    def _give_back(self, upcoming: str | None) -> None:
        """A request taken to be claimed with a commit that failed goes back in the queue (still pending)."""
        if upcoming is not None:
            self._queue.put(upcoming)

    def _take(self) -> str | None:
        """The next queued request without waiting, or None (a stop request stays queued)."""
        try:
            upcoming = self._queue.get_nowait()
        except queue.Empty:
            return None
        if upcoming is None:
            self._queue.put(None)
        return upcoming

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
            data = recorded(outcome)
            record["console"] = data["console"]
            record["http"] = [self._unself(call) for call in data["http"]]
            record["events"] = data["events"]
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


def recorded(outcome: Outcome) -> dict[str, Json]:
    """What an activity record keeps of a run, masked as `Outcome.to_json` masks it. Built here, as
    `to_json` also copies and masks each event's whole trigger and recipients, which the record
    leaves out (about a sixth of serve's own work per run)."""
    data: dict[str, Json] = {
        "console": [asdict(c) for c in outcome.console],
        "http": [asdict(h) for h in outcome.http],
        "events": [{"id": e.id, "form": e.form, "properties": copy.deepcopy(dict(e.properties))}
                   for e in outcome.events],
        "rejected": [asdict(r) for r in outcome.rejected],
        "error": outcome.error.to_json() if outcome.error else None,
    }
    return dict(mask_json(data, outcome.masker))
