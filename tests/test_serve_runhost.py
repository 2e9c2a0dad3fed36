"""`xmplan serve`'s run host: the run queue in a child process, sharing only the store with the server."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from flask import Flask
from serve_helpers import ROOT, basic, invitation, trigger_path

from xmplan._serve.app import create_app, emulator_of, runs_of
from xmplan._serve.runhost import RunHost
from xmplan._serve.testing import config_for
from xmplan._web import BackgroundServer


@contextmanager
def hosted(tmp_path) -> Iterator[tuple[Flask, str, RunHost]]:
    """The flagship plan served on 127.0.0.1 with its runs in a run host, started as `xmplan serve` does."""
    app = create_app(config_for([ROOT], tmp_path / "data", run_host=True, constants={"HipChat Token": "t"}),
                     start=False)
    host = runs_of(app)
    assert isinstance(host, RunHost)
    with BackgroundServer(app) as server:
        emulator_of(app).set_url(server.url)
        host.start()
        try:
            yield app, server.url, host
        finally:
            host.stop()


def invite(app: Flask, url: str) -> str:
    answer = requests.post(url + trigger_path(app), json=invitation(), headers=basic(), timeout=30)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["requestId"])


def ran_once(app: Flask, request_id: str) -> bool:
    store = emulator_of(app).store
    row = store.request(request_id)
    _, events = store.events(request_id=request_id)
    return (row is not None and row["state"] == "done" and row["attempts"] == 1 and len(events) == 1
            and len(store.activity(request_id=request_id)) == 1)


def test_requests_run_in_the_run_host_once_each_even_those_accepted_while_it_starts(tmp_path):
    with hosted(tmp_path) as (app, url, host):
        ids = [invite(app, url) for _ in range(4)]  # the run host is still starting: in the store and on its pipe
        assert host.wait_idle(60)
        assert host.pid is not None and host.pid != os.getpid()
        assert all(ran_once(app, request_id) for request_id in ids)
        later = invite(app, url)
        assert host.wait_idle(60) and ran_once(app, later)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_a_run_host_that_dies_is_started_again_and_runs_what_was_accepted_meanwhile(tmp_path):
    with hosted(tmp_path) as (app, url, host):
        first = invite(app, url)
        assert host.wait_idle(60)
        dead = host.pid
        assert dead is not None
        os.kill(dead, signal.SIGKILL)
        meanwhile = [invite(app, url) for _ in range(3)]
        deadline = time.monotonic() + 60
        while host.pid in (None, dead) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert host.pid not in (None, dead)
        assert host.wait_idle(60)
        assert all(ran_once(app, request_id) for request_id in [first, *meanwhile])


def test_stop_lets_the_run_host_end(tmp_path):
    with hosted(tmp_path) as (app, url, host):
        invite(app, url)
        assert host.wait_idle(60)
        pid = host.pid
        assert pid is not None
    with pytest.raises(ProcessLookupError):  # ended, and waited for
        os.kill(pid, 0)
