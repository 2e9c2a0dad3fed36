"""Shared pieces of the `xmplan serve` tests: the flagship plan's emulator, credentials, an invitation."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from xmplan._serve.app import create_app, emulator_of, runs_of
from xmplan._serve.testing import PASSWORD, config_for
from xmplan._web import BackgroundServer

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


class ServerAnswer:
    """A `requests` response with the Flask test response's `status_code`, `headers` and `json`."""

    def __init__(self, answer: requests.Response) -> None:
        self.status_code = answer.status_code
        self.headers = answer.headers
        self._answer = answer

    @property
    def json(self) -> Json:
        return self._answer.json()


class ServerClient:
    """The test client's calls (`get`, `post`, `open`), sent over HTTP to a real server on 127.0.0.1."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def open(self, path: str, method: str = "GET", **options: Json) -> ServerAnswer:
        return ServerAnswer(self.session.request(method, self.url + path, timeout=30, allow_redirects=False,
                                                 **options))

    def get(self, path: str, **options: Json) -> ServerAnswer:
        return self.open(path, "GET", **options)

    def post(self, path: str, **options: Json) -> ServerAnswer:
        return self.open(path, "POST", **options)


@contextmanager
def client_of(app: Flask, mode: str) -> Iterator[Any]:
    """The Flask test client (`mode` "client"), or a client of the same app served for real ("server")."""
    if mode == "client":
        yield app.test_client()
        return
    with BackgroundServer(app) as server:
        emulator_of(app).set_url(server.url)
        yield ServerClient(server.url)
