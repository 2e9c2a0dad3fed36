"""`xmplan serve` under faults: killed mid-run, a locked or full database, scripts that loop or eat memory."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import requests
from flask import Flask
from runtime_plans import make_plan
from serve_helpers import ROOT, basic, flagship_app, invitation, settle, trigger_path

from xmplan._serve.app import create_app, emulator_of, runs_of
from xmplan._serve.store import Store
from xmplan._serve.testing import config_for, local_xmatters
from xmplan._web import BackgroundServer


class Gate:
    """A local endpoint whose `/slow` answers only once opened: a script calling it is mid-run."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.hits = threading.Event()
        app = Flask("gate")

        @app.get("/slow")
        def slow() -> str:
            self.hits.set()
            self.open.wait(30)
            return "ok"

        @app.post("/v2/room/<room>/notification")
        def notify(room: str) -> tuple[str, int]:
            return "", 204

        self.app = app


def slow_plan(tmp_path):
    """The flagship plan whose invitation script first calls the HipChat endpoint's /slow."""
    plan = tmp_path / "slow-plan"
    for folder in ("plan", "scripts"):
        shutil.copytree(ROOT / folder, plan / folder)
    script = plan / "scripts" / "integrations" / "Invite to Room.js"
    script.write_text("http.request({endpoint: 'HipChat', path: '/slow'}).write();\n" + script.read_text())
    return plan


def start_serve(plan, data, hipchat):
    """`xmplan serve` in its own process group (its script workers too); its URL and password."""
    process = subprocess.Popen(
        [sys.executable, "-m", "xmplan", "serve", str(plan), "--port", "0", "--data", str(data),
         "--endpoint", f"HipChat={hipchat}", "--constant", "HipChat Token=t"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "Invite to Room: POST" in line:
            text = "".join(lines)
            url = re.search(r"a local xMatters at (http://127\.0\.0\.1:\d+)", text).group(1)
            password = text.split("Integration User: integration / ")[1].split()[0]
            return process, url, ("integration", password)
        if not line and process.poll() is not None:
            break
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("xmplan serve did not start:\n" + "".join(lines))


def kill(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
    process.stdout.close()


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_kill_9_mid_run_then_restart_runs_the_request_once(tmp_path):
    gate = Gate()
    plan, data = slow_plan(tmp_path), tmp_path / "data"
    with BackgroundServer(gate.app) as hipchat:
        gate.open.set()
        process, url, auth = start_serve(plan, data, hipchat.url)
        try:
            first = requests.post(f"{url}/api/integration/1/functions/add3a4bd-88d3-4cc8-a37c-397c7de95d34/triggers",
                                  json=invitation(), auth=auth, timeout=10).json()["requestId"]

            def events(request_id):
                return requests.get(f"{url}/api/xm/1/events", params={"requestId": request_id}, auth=auth,
                                    timeout=10).json()["data"]

            assert wait_for(lambda: events(first))
            [event] = events(first)
            answer = requests.post(f"{url}/emulator/api/events/{event['id']}/responses", timeout=10,
                                   json={"recipient": "mmcbride", "response": "Accept", "comment": "yes"})
            assert answer.status_code == 201
            gate.open.clear()
            gate.hits.clear()
            second = requests.post(f"{url}/api/integration/1/functions/add3a4bd-88d3-4cc8-a37c-397c7de95d34/triggers",
                                   json=invitation(), auth=auth, timeout=10)
            assert second.status_code == 202
            assert gate.hits.wait(30), "the second run did not start"
        finally:
            kill(process)  # mid-run: the script waits on /slow
        db = sqlite3.connect(data / "xmplan.db")
        state = db.execute("SELECT state FROM requests WHERE id = ?", (second.json()["requestId"],)).fetchone()
        assert state == ("running",)
        assert db.execute("SELECT COUNT(*) FROM events").fetchone() == (1,)
        db.close()
        gate.open.set()
        process, url, auth = start_serve(plan, data, hipchat.url)
        try:
            request_id = second.json()["requestId"]
            assert wait_for(lambda: requests.get(f"{url}/emulator/api/requests/{request_id}",
                                                 timeout=10).json()["state"] == "done")
            stored = requests.get(f"{url}/emulator/api/requests/{request_id}", timeout=10).json()
            assert stored["attempts"] == 2 and len(stored["activity"]) == 1 and stored["activity"][0]["ok"]
            assert len(events(request_id)) == 1  # run again, not twice
            assert [e["requestId"] for e in events(first)] == [first]
            notifications = emulator_free_notifications(data, event["id"])
            assert ("mmcbride", "Accept", "yes") in notifications  # the response persisted
            all_events = requests.get(f"{url}/api/xm/1/events", auth=auth, timeout=10).json()
            assert all_events["total"] == 2
        finally:
            kill(process)


def test_ctrl_c_stops_the_server_its_run_host_and_workers_without_a_traceback(tmp_path):
    process, url, auth = start_serve(ROOT, tmp_path / "data", "http://127.0.0.1:9")
    try:
        answer = requests.post(f"{url}/api/integration/1/functions/add3a4bd-88d3-4cc8-a37c-397c7de95d34/triggers",
                               json=invitation(), auth=auth, timeout=10)
        assert answer.status_code == 202
        request_id = answer.json()["requestId"]
        assert wait_for(lambda: requests.get(f"{url}/emulator/api/requests/{request_id}",
                                             timeout=10).json()["state"] == "done")
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole process group
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            kill(process)
    assert process.returncode == 0
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    with pytest.raises(ProcessLookupError):  # nothing of the group is left
        os.killpg(process.pid, 0)


def emulator_free_notifications(data, event_id):
    store = Store(data / "xmplan.db")
    return {(n["person"], n["response"], n["comment"]) for n in store.notifications(event_id)}


def test_locked_database_answers_503_and_keeps_what_it_accepted(tmp_path):
    store = Store(tmp_path / "xmplan.db", busy_timeout=0.2)
    app = create_app(config_for([ROOT], tmp_path, store=store, endpoints={"HipChat": "http://127.0.0.1:9"}),
                     start=False)
    client = app.test_client()
    accepted = client.post(trigger_path(app), json=invitation(), headers=basic())
    assert accepted.status_code == 202
    locker = sqlite3.connect(tmp_path / "xmplan.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    refused = client.post(trigger_path(app), json=invitation(), headers=basic())
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert refused.json["code"] == 503 and "database is locked" in refused.json["message"]
    assert client.get("/api/xm/1/events", headers=basic()).status_code == 200  # WAL: reads go on
    runs_of(app).start()  # the accepted request's run meets the lock too, and waits for it
    time.sleep(1.0)
    locker.execute("ROLLBACK")
    locker.close()
    settle(app)
    counts = emulator_of(app).store.counts()
    assert counts == {"done": 1}
    events = client.get(f"/api/xm/1/events?requestId={accepted.json['requestId']}", headers=basic()).json
    assert events["total"] == 1
    runs_of(app).stop()


def test_full_disk_answers_503_and_keeps_what_it_accepted(tmp_path):
    store = Store(tmp_path / "xmplan.db")
    app = create_app(config_for([ROOT], tmp_path, store=store, endpoints={"HipChat": "http://127.0.0.1:9"}),
                     start=False)
    client = app.test_client()
    accepted = client.post(trigger_path(app), json=invitation(), headers=basic())
    assert accepted.status_code == 202
    full = Store(tmp_path / "xmplan.db", max_bytes=1)  # no page more than it has: as full as a disk gets
    emulator_of(app).store = full
    big = invitation(message="x" * 1900)
    answers = [client.post(trigger_path(app), json=big, headers=basic()) for _ in range(40)]
    refused = [a for a in answers if a.status_code == 503]
    assert refused, [a.status_code for a in answers]
    assert "full" in refused[0].json["message"]
    kept = {a.json["requestId"] for a in answers if a.status_code == 202} | {accepted.json["requestId"]}
    rows = sqlite3.connect(tmp_path / "xmplan.db").execute("SELECT id FROM requests").fetchall()
    assert {r[0] for r in rows} == kept  # every 202 is stored; no 503 left anything behind
    runs_of(app).stop()


def test_looping_and_memory_eating_scripts_do_not_stop_the_server(tmp_path, engine_name):
    plan = make_plan({"Loop": "while (true) {}",
                      "Eat": "var a = []; while (true) { a.push(new Array(100000).join('x') + a.length); }",
                      "Quick": "console.log('quick');"})
    with local_xmatters(plan, data=tmp_path, engine=engine_name, time_limit=3.0) as xm:
        # The plan's integrations have no authType: URL authentication, as after an import.
        slow = [requests.post(xm.trigger_url(name, api_key=True), data="{}", timeout=10) for name in ("Loop", "Eat")]
        assert [a.status_code for a in slow] == [202, 202]
        time.sleep(0.3)  # both are running now
        started = time.monotonic()
        people = requests.get(f"{xm.url}/api/xm/1/people", auth=xm.auth, timeout=10)
        looked_up = time.monotonic()
        quick = requests.post(xm.trigger_url("Quick", api_key=True), data="{}", timeout=10)
        accepted = time.monotonic()
        assert people.status_code == 200 and quick.status_code == 202
        # Answered while both runaway scripts hold the machine's cores (a person's first Basic login costs a scrypt).
        assert looked_up - started < 2.0 and accepted - looked_up < 1.0, (looked_up - started, accepted - looked_up)
        assert xm.wait_idle(60)
        records = {r["integration"]: r for r in requests.get(f"{xm.url}/emulator/api/activity",
                                                             timeout=10).json()["data"]}
        assert records["Quick"]["ok"] and records["Quick"]["console"][0]["text"] == "quick"
        assert not records["Loop"]["ok"] and records["Loop"]["error"]["timeout"]
        assert not records["Eat"]["ok"], records["Eat"]
        message = records["Eat"]["error"]["message"].lower()
        assert "memory" in message or records["Eat"]["error"]["timeout"], message


@pytest.mark.parametrize("body", ["{", "[]", "\x00\xff", "<xml/>"])
def test_malformed_bodies_are_accepted_and_recorded(tmp_path, body):
    app = flagship_app(tmp_path, endpoints={"HipChat": "http://127.0.0.1:9"})
    client = app.test_client()
    answer = client.post(trigger_path(app), data=body.encode("utf-8", "surrogateescape"),
                         headers={**basic(), "Content-Type": "application/json"})
    assert answer.status_code == 202
    settle(app)
    [record] = client.get(f"/emulator/api/activity?requestId={answer.json['requestId']}").json["data"]
    assert record["events"] == [] and "invitation rejected" in record["console"][0]["text"]
    runs_of(app).stop()
