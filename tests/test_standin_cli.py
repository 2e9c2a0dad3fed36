"""`xmplan hipchat standin` serves the stand-in on 127.0.0.1 and says where (run as a real process)."""

from __future__ import annotations

import re
import subprocess
import sys

import requests


def test_standin_command_serves_capabilities_and_a_room_token() -> None:
    process = subprocess.Popen([sys.executable, "-m", "xmplan", "hipchat", "standin", "--port", "0", "--room-token"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        lines = [process.stdout.readline() for _ in range(5)]
        url = re.search(r"at (http://127\.0\.0\.1:\d+)/", first)
        assert url and "test double" in first, first
        token = re.search(r"token for Ops War Room: (\S+)", lines[-1])
        assert token, lines
        caps = requests.get(url.group(1) + "/v2/capabilities", timeout=10).json()
        assert caps["links"]["self"] == url.group(1) + "/v2/capabilities"
        posted = requests.post(url.group(1) + "/v2/room/4242/notification", timeout=10, json={"message": "hi"},
                               headers={"Authorization": f"Bearer {token.group(1)}"})
        assert posted.status_code == 204
    finally:
        process.terminate()
        process.communicate(timeout=10)  # reads and closes both pipes: nothing left to the collector


def test_standin_command_refuses_a_bad_port() -> None:
    done = subprocess.run([sys.executable, "-m", "xmplan", "hipchat", "standin", "--port", "70000"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "--port must be 0 to 65535" in done.stderr
