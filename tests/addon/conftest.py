"""Fixtures of the add-on's tests: the small HipChat Connect server and the xMatters to talk to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from addon_fakes import FUNCTION, HipChat, XMattersState, hipchat_server, xmatters_app
from addon_xmatters import XMatters

from xmplan._web import BackgroundServer


@pytest.fixture(scope="module")
def hc() -> Iterator[HipChat]:
    yield from hipchat_server()


@pytest.fixture
def xmatters() -> Iterator[XMatters]:
    state = XMattersState()
    server = BackgroundServer(xmatters_app(state)).start()
    try:
        yield XMatters(server.url, state.user, state.password, server.url + FUNCTION,
                       lambda: [{"recipients": e["recipients"], "payload": e} for e in state.events], server.stop)
    finally:
        server.stop()
