"""`xmplan serve` for real on 127.0.0.1: inbound trigger with Basic and apiKey auth, REST lookups, the CLI."""

from __future__ import annotations

import io
import os
import shutil
import threading
import time

import requests
from serve_helpers import ROOT, invitation

from xmplan._serve.testing import local_xmatters


def test_invite_over_http_then_find_the_event(tmp_path, engine_name):
    with local_xmatters(ROOT, data=tmp_path, engine=engine_name) as xm:
        assert xm.url.startswith("http://127.0.0.1:")
        answer = requests.post(xm.trigger_url("Invite to Room"), json=invitation(), auth=xm.auth, timeout=10)
        assert answer.status_code == 202 and answer.headers["Content-Type"] == "application/json"
        request_id = answer.json()["requestId"]
        assert xm.wait_idle()
        events = requests.get(f"{xm.url}/api/xm/1/events", params={"requestId": request_id, "embed": "recipients"},
                              auth=xm.auth, timeout=10).json()
        assert events["total"] == 1
        assert [r["targetName"] for r in events["data"][0]["recipients"]["data"]] == ["mmcbride", "Database Admins"]
        mary = requests.get(f"{xm.url}/api/xm/1/people/mmcbride", auth=xm.auth, timeout=10)
        assert mary.status_code == 200 and mary.json()["firstName"] == "Mary"
        wrong = requests.get(f"{xm.url}/api/xm/1/people/mmcbride", auth=("integration", "x"), timeout=10)
        assert wrong.status_code == 401
        page = requests.get(f"{xm.url}/", timeout=10)
        assert page.status_code == 200 and "Invite to Room" in page.text


def url_auth_plan(tmp_path):
    """The flagship plan with URL authentication on its inbound integration."""
    plan = tmp_path / "plan-url"
    for folder in ("plan", "scripts"):
        shutil.copytree(ROOT / folder, plan / folder)
    integrations = plan / "plan" / "integrations" / "integrations.json.j2"
    integrations.write_text(integrations.read_text().replace('"BASIC"', '"URL"'))
    return plan


def test_url_authentication_takes_the_api_key(tmp_path, engine_name):
    with local_xmatters(url_auth_plan(tmp_path), data=tmp_path / "data", engine=engine_name) as xm:
        good = requests.post(xm.trigger_url("Invite to Room", api_key=True), json=invitation(), timeout=10)
        assert good.status_code == 202
        bad = requests.post(xm.trigger_url("Invite to Room") + "?apiKey=wrong", json=invitation(), timeout=10)
        assert bad.status_code == 401 and bad.json()["code"] == 401
        assert requests.post(xm.trigger_url("Invite to Room"), json=invitation(), auth=xm.auth,
                             timeout=10).status_code == 401  # URL authentication takes the key only
        assert xm.wait_idle()
        stored = xm.emulator.store.request(good.json()["requestId"])
        assert stored["user"] == "integration" and "apiKey" not in stored["parameters"]


def test_cli_prints_urls_and_the_sample_password(tmp_path, monkeypatch):
    import waitress.server

    from xmplan._cli import main

    printed = io.StringIO()
    started = threading.Event()
    servers = []
    original = waitress.server.create_server

    def spy(*args, **kwargs):
        server = original(*args, **kwargs)
        servers.append(server)
        started.set()
        return server

    monkeypatch.setattr("waitress.create_server", spy)
    thread = threading.Thread(target=main, args=([
        "serve", str(ROOT), "--port", "0", "--data", str(tmp_path), "--engine", "quickjs",
        "--constant", "HipChat Token=t", "--endpoint", "HipChat=http://127.0.0.1:9"], printed), daemon=True)
    thread.start()
    assert started.wait(30)
    deadline = time.monotonic() + 30
    while "Invite to Room" not in printed.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    text = printed.getvalue()
    url = f"http://127.0.0.1:{servers[0].effective_port}"
    assert f"web console: {url}/" in text
    assert f"Invite to Room: POST {url}/api/integration/1/functions/" in text
    assert "Basic authentication (directory users)" in text
    password = text.split("Integration User: integration / ")[1].split()[0]
    assert requests.get(f"{url}/api/xm/1/people/mmcbride", auth=("integration", password), timeout=10).ok
    assert os.environ["XMPLAN_WORKER_NICENESS"] == "10"  # the script workers it starts give way to HTTP
    servers[0].close()
    thread.join(10)
    assert not thread.is_alive()
    assert "XMPLAN_WORKER_NICENESS" not in os.environ  # as it was before
