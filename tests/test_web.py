"""BackgroundServer: waitress on a thread that starts on a free port and stops cleanly."""

from __future__ import annotations

import threading

import flask
import pytest
import requests

from xmplan._web import BackgroundServer


@pytest.fixture
def app() -> flask.Flask:
    app = flask.Flask("web-test")
    app.add_url_rule("/", "hello", lambda: "hello")
    return app


def test_serves_on_a_free_loopback_port_and_refuses_after_stop(app: flask.Flask,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    crashes: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    urls = set()
    for _ in range(5):  # the server's sockets closed under a select() once crashed its thread
        with BackgroundServer(app) as server:
            assert server.url.startswith("http://127.0.0.1:")
            assert requests.get(server.url, timeout=5).text == "hello"
        assert not server._thread.is_alive()
        urls.add(server.url)
    assert crashes == []
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url, timeout=5)
    assert len(urls) >= 1


def test_a_server_never_started_still_frees_its_port(app: flask.Flask) -> None:
    server = BackgroundServer(app)
    server.stop()
    with BackgroundServer(app, port=server.port) as again:  # the port was released
        assert requests.get(again.url, timeout=5).text == "hello"


def test_stop_still_closes_everything_when_the_trigger_is_gone(app: flask.Flask) -> None:
    """Seen once in CI: the trigger's pipe was closed under the server, and stop() raised EBADF."""
    import os

    server = BackgroundServer(app).start()
    assert requests.get(server.url, timeout=5).text == "hello"
    os.close(server._server.trigger.trigger)  # the write end pull_trigger() writes to
    server._server.trigger._fds = [server._server.trigger._fds[0]]  # so its own close skips it
    server.stop()
    assert not server._thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url, timeout=5)
