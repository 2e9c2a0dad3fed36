"""`xmplan hipchat serve` for real on 127.0.0.1, and the whole flow through real HTTP."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from addon_fakes import HipChat, sign
from addon_fixtures import hc_fixture  # noqa: F401 (fixtures)

from xmplan._cli import main
from xmplan._hipchat.addon.local import background_addon


@pytest.mark.parametrize("url", ["http://addon.example.com", "ftp://127.0.0.1", "https://x.example/?a=1"])
def test_base_url_must_be_https_except_loopback(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hipchat", "serve", "--base-url", url, "--data-dir", str(tmp_path)]) == 2
    assert "--base-url" in capsys.readouterr().err
    assert not (tmp_path / "addon.sqlite3").exists()


def test_command_serves_the_descriptor(tmp_path: Path) -> None:
    env = {**os.environ, "XMPLAN_ADDON_KEY": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "xmplan", "hipchat", "serve", "--base-url", "https://addon.example.com/",
         "--port", "0", "--data-dir", str(tmp_path / "data"), "--values", "plan/values.json"],
        cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "install it from https://addon.example.com/atlassian-connect.json" in line, line
        url = line.split(" on ", 1)[1].split(";", 1)[0]
        descriptor = requests.get(url + "/atlassian-connect.json", timeout=10).json()
        assert descriptor["capabilities"]["configurable"]["url"] == "https://addon.example.com/configure"
        assert descriptor["key"] == "com.xmatters.hipchat.invite"
        key = tmp_path / "data" / "addon.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert (tmp_path / "data" / "addon.sqlite3").is_file()
    finally:
        process.terminate()
        process.communicate(timeout=10)  # reads and closes both pipes: nothing left to the collector


def test_install_and_pages_over_real_http(tmp_path: Path, hc: HipChat) -> None:
    server, _ = background_addon(tmp_path / "data")
    with server:
        descriptor = requests.get(server.url + "/atlassian-connect.json", timeout=10).json()
        assert descriptor["links"]["self"] == server.url + "/atlassian-connect.json"
        oauth_id, secret = hc.new_client()
        started = time.monotonic()
        response = requests.post(descriptor["capabilities"]["installable"]["callbackUrl"],
                                 json=hc.install_body(oauth_id, secret), timeout=10)
        assert response.status_code == 200, response.text
        assert time.monotonic() - started < 5
        page = requests.get(descriptor["capabilities"]["configurable"]["url"],
                            params={"signed_request": sign(oauth_id, secret)}, timeout=10)
        assert page.status_code == 200 and "Test Authentication" in page.text
        dialog = requests.get(descriptor["capabilities"]["dialog"][0]["url"],
                              params={"signed_request": sign(oauth_id, secret)}, timeout=10)
        assert dialog.status_code == 200 and "not configured yet" in dialog.text
        assert requests.get(server.url + "/configure", timeout=10).status_code == 401
