"""The run queue's own work: the activity record's view of a run, and the commits a run takes."""

from __future__ import annotations

import json
import sqlite3

import pytest
from serve_helpers import ROOT, basic, invitation, settle, trigger_path

from xmplan._errors import Location
from xmplan._runtime.masking import Masker
from xmplan._runtime.outcome import ConsoleLine, Event, Failure, HttpCall, HttpResponse, Outcome, Rejected
from xmplan._serve.app import create_app, emulator_of, runs_of
from xmplan._serve.runner import recorded
from xmplan._serve.store import NewRequest, Store
from xmplan._serve.testing import config_for

SECRET = "s3cret-token-value"


def outcome() -> Outcome:
    properties = {"Room": f"ops {SECRET}", "Nested": {"deep": [SECRET, 1, None]}}
    steps = (
        ConsoleLine("info", f"posting with {SECRET}"),
        HttpCall("HipChat", "POST", "/v2/room/42/notification", f"https://u:{SECRET}@hipchat.example.com/v2?auth_token=x",
                 {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}, json.dumps({"t": SECRET}),
                 HttpResponse(204, "", {"X-Echo": SECRET})),
        Event("e1", 1000001, "Invite to Room", properties, ({"id": "mmcbride"},), {"properties": properties,
                                                                                   "token": SECRET}),
        Rejected(400, {"reason": SECRET}, {"properties": {}}),
    )
    return Outcome("Invite to Room", steps, Failure(f"threw {SECRET}", Location("scripts/invite.js", 3, 7)),
                   masker=Masker([SECRET]))


def test_the_record_keeps_what_to_json_gives_of_the_run_and_masks_the_same():
    made = outcome()
    whole = made.to_json()
    record = recorded(made)
    assert record == {"console": whole["console"], "http": whole["http"], "rejected": whole["rejected"],
                      "error": whole["error"],
                      "events": [{"id": e["id"], "form": e["form"], "properties": e["properties"]}
                                 for e in whole["events"]]}
    assert SECRET not in json.dumps(record)
    assert record["events"][0]["properties"]["Nested"]["deep"][1:] == [1, None]


def test_masking_the_record_leaves_the_outcome_as_it_was():
    made = outcome()
    recorded(made)
    assert made.events[0].properties["Room"] == f"ops {SECRET}"
    assert made.events[0].properties["Nested"] == {"deep": [SECRET, 1, None]}


def queued(store: Store, *ids: str) -> None:
    store.add_requests([NewRequest(i, "plan", "integration", "INBOUND", "{}", "2026-12-01T00:00:00.000Z")
                        for i in ids])


def test_finishing_a_run_claims_the_next_request_in_the_same_commit(tmp_path):
    store = Store(tmp_path / "db")
    queued(store, "a", "b")
    store.claim("a")
    commits = []
    store._connection().set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    row = store.finish("a", "done", None, claim="b")
    assert commits == ["COMMIT"]
    assert row is not None and (row["id"], row["state"], row["attempts"]) == ("b", "running", 1)
    reader = sqlite3.connect(tmp_path / "db")  # committed: another connection sees it
    assert dict(reader.execute("SELECT id, state FROM requests").fetchall()) == {"a": "done", "b": "running"}
    reader.close()
    assert store.finish("b", "done", None, claim="gone") is None  # not there to run: nothing claimed
    store.close()


@pytest.mark.parametrize("value", [
    {"text": "plain", "number": 1.5, "list": [1, None, True]},
    {"text": "half a surrogate pair: \ud800"},  # a JavaScript string can hold one; orjson refuses it
    {"big": 2 ** 70, "negative": -(2 ** 64)},  # past 64 bits: orjson refuses, and would read them back as floats
], ids=["plain", "lone-surrogate", "big-integers"])
def test_a_runs_record_reads_back_as_it_was_stored(tmp_path, value):
    store = Store(tmp_path / "db")
    queued(store, "a")
    store.claim("a")
    activity = {"requestId": "a", "plan": "plan", "integration": "integration", "trigger": "INBOUND",
                "started": "2026-12-01T00:00:00.000Z", "durationMs": 1.0, "ok": True, "console": [value]}
    store.finish("a", "done", activity)
    assert store.activity(request_id="a") == [activity]
    store.close()


def test_a_run_thread_claims_each_queued_request_once_with_the_previous_results(tmp_path, monkeypatch):
    app = create_app(config_for([ROOT], tmp_path, workers=1, endpoints={"HipChat": "http://127.0.0.1:9"}),
                     start=False)
    client = app.test_client()
    ids = [client.post(trigger_path(app), json=invitation(), headers=basic()).get_json()["requestId"]
           for _ in range(4)]
    store = emulator_of(app).store
    claims = []
    real = store.claim
    monkeypatch.setattr(store, "claim", lambda request_id: claims.append(request_id) or real(request_id))
    try:
        runs_of(app).start()
        settle(app)
    finally:
        runs_of(app).stop()
    assert claims == ids[:1]  # the other three were claimed with the results of the one before
    for request_id in ids:
        row = store.request(request_id)
        assert row is not None and (row["state"], row["attempts"]) == ("done", 1)
        [record] = store.activity(request_id=request_id)
        assert record["ok"] and record["attempt"] == 1
