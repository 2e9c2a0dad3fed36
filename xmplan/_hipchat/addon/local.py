"""Run the add-on on a free local port from Python (tests, `xmplan demo`): its base URL is the server's own."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask

from ..._web import BackgroundServer
from .app import AddonConfig, create_app
from .cli import descriptor_for, open_store


class _Late:
    """A WSGI app that forwards to one made later: the descriptor needs the URL the server gets."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        assert self.app is not None, "the add-on app is made before the server starts"
        return self.app(environ, start_response)


def background_addon(data_dir: Path, database: str | None = None, values: dict[str, str] | None = None,
                     clock: Callable[[], float] = time.time, host: str = "127.0.0.1",
                     hipchats: tuple[str, ...] = ()) -> tuple[BackgroundServer, Flask]:
    """The add-on on `host` and a free port, not yet started: `with server: ...` (base URL = `server.url`)."""
    late = _Late()
    server = BackgroundServer(late, host=host)
    store = open_store(database, data_dir)
    descriptor = descriptor_for(server.url, values or {})
    late.app = create_app(AddonConfig(descriptor=descriptor, store=store, clock=clock, hipchats=hipchats))
    return server, late.app
