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


def test_stop_still_closes_everything_when_the_trigger_is_gone(app: flask.Flask,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen once in CI: the trigger's pipe was closed under the server, and stop() raised EBADF."""
    import errno

    def gone() -> None:  # as os.write on the closed pipe does (closing it for real races the server's thread)
        raise OSError(errno.EBADF, "Bad file descriptor")

    server = BackgroundServer(app).start()
    assert requests.get(server.url, timeout=5).text == "hello"
    monkeypatch.setattr(server._server.trigger, "_physical_pull", gone)
    server.stop()
    assert not server._thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url, timeout=5)


def test_a_stop_that_stops_waiting_never_closes_a_second_time(app: flask.Flask,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's thread runs the close it was handed while stop(), tired of waiting, closes too:
    waitress closes its pipe by descriptor number, so a second close could hit another file's."""
    import time

    import xmplan._web as web

    closes: list[str] = []
    real = web._close_all

    def slow_close_all(server: object) -> None:  # a loaded machine: the close takes longer than stop waits
        closes.append(threading.current_thread().name)
        time.sleep(0.5)
        real(server)

    monkeypatch.setattr(web, "_close_all", slow_close_all)
    server = BackgroundServer(app).start()
    assert requests.get(server.url, timeout=5).text == "hello"
    server.stop(timeout=0.1)
    assert closes == [f"waitress-{server.port}"]  # once, by the server's own thread
    server._thread.join(5)
    assert not server._thread.is_alive()
