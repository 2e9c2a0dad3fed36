"""Shared pieces of the `xmplan serve` tests: the flagship plan's emulator, credentials, an invitation."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flask import Flask

from xmplan.serve.app import create_app, emulator_of, runs_of
from xmplan.serve.testing import PASSWORD, config_for

ROOT = Path(__file__).resolve().parents[1]
HIPCHAT_URL = "https://hipchat.example.com"
Json = Any


def basic(user: str = "integration", password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def invitation(**changes: Json) -> Json:
    body = {"room": {"id": 42, "name": "Ops <war room>", "link": f"{HIPCHAT_URL}/chat/room/42"},
            "recipients": [{"id": "mmcbride", "type": "PERSON"}, {"id": "Database Admins", "type": "GROUP"}],
            "message": "Join us", "invitedBy": {"name": "Zed Ops", "mentionName": "zed"}, "hipchatUrl": HIPCHAT_URL}
    body.update(changes)
    return body


def flagship_app(data: Path, **options: Json) -> Flask:
    return create_app(config_for([ROOT], data, **options))


def integration_id(app: Flask, name: str) -> str:
    return next(i.id for _, i in emulator_of(app).integrations.values() if i.name == name)


def trigger_path(app: Flask, name: str = "Invite to Room") -> str:
    return f"/api/integration/1/functions/{integration_id(app, name)}/triggers"


def settle(app: Flask) -> None:
    assert runs_of(app).wait_idle(60), "the runs did not finish in 60 s"
