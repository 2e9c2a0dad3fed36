"""Serve a WSGI app with waitress: on a background thread (tests, `xmplan demo`) or until Ctrl-C (the commands)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

WsgiApp = Callable[..., Any]


class BackgroundServer:
    """A waitress server for `app` on `host:port` (port 0 picks a free one), run on a daemon thread.

    Use as a context manager, or call `start()` and `stop()`. `url` is known once constructed,
    so a test can hand it to another server before either starts answering.
    """

    def __init__(self, app: WsgiApp, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self._server: Any = create_server(app, host, port, threads)
        self.host = str(self._server.effective_host)
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._server.run, name=f"waitress-{self.port}", daemon=True)
        self._close_lock = threading.Lock()
        self._closed = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection, then finish the requests under way (up to `timeout`)."""
        server = self._server
        if self._thread.is_alive():
            # The sockets are closed on the server's own thread, between two of its select() calls:
            # closed from here, a socket could vanish under a select() still waiting on it.
            try:
                server.trigger.pull_trigger(self._close)
            except OSError:  # the trigger's pipe is already gone: close from here, as a last resort
                self._close()
            self._thread.join(timeout)
        if self._thread.is_alive() or not self._thread.ident:
            self._close()  # never started, or stuck: nothing else will close them
        server.task_dispatcher.shutdown(timeout=timeout)

    def _close(self) -> None:
        """Close every socket and the trigger once, on whichever thread comes first. Twice at once (the
        server's thread running the trigger's call while a stop that stopped waiting closes too) would
        close waitress's pipe descriptors twice: by number, so the second close could hit a file that
        got the number in between, another server's trigger, say (the EBADF once seen in CI)."""
        with self._close_lock:
            if not self._closed:
                self._closed = True
                _close_all(self._server)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def create_server(app: WsgiApp, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> Any:
    """A waitress server for `app`, bound to `host:port` (0 picks a free port) but not serving yet."""
    import waitress  # the web stack is imported only by commands that serve

    return waitress.create_server(app, host=host, port=port, threads=threads, ident="xmplan",
                                  clear_untrusted_proxy_headers=True)


def server_url(server: Any) -> str:
    return f"http://{server.effective_host}:{server.effective_port}"


def serve_until_interrupted(server: Any) -> None:
    """Serve on this thread until Ctrl-C, then close the server's sockets."""
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _close_all(server: Any) -> None:
    """Close the listening socket, the trigger and every open connection: the loop then ends."""
    for channel in list(server._map.values()):  # waitress keeps them all in its socket map
        channel.close()
