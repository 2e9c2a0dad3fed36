"""`xmplan demo`: all three servers start, the add-on is installed and configured, Ctrl-C stops them all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def test_demo_starts_configures_prints_where_to_click_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    # A new process group, so the SIGINT below reaches only the demo (as Ctrl-C in its terminal would).
    process = subprocess.Popen([sys.executable, "-m", "xmplan", "demo", "--data", str(tmp_path / "demo"),
                                "--engine", "js2py"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        assert "Press Ctrl-C to stop." in text, text + (process.stderr.read() if process.poll() is not None else "")
        room = re.search(r"open the room (http://127\.0\.0\.1:\d+/chat/room/4242)", text)
        console = re.search(r"open the xMatters console (http://127\.0\.0\.1:\d+)/", text)
        assert room and console, text
        page = requests.get(room.group(1), timeout=10).text
        assert "xMatters Invite To Room" in page  # installed: its action is in the + menu
        assert requests.get(console.group(1) + "/", timeout=10).status_code == 200
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0
        rest = process.stdout.read()
        assert "xmplan demo: stopped" in rest
        assert "Traceback" not in process.stderr.read()
        for url in (room.group(1), console.group(1)):
            try:
                requests.get(url, timeout=2)
            except requests.ConnectionError:
                continue
            raise AssertionError(f"{url} still answers after Ctrl-C")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()  # the pipes are this test's: closed here, not left to the collector
        process.stderr.close()
