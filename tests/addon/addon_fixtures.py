"""Fixtures of the add-on's tests (imported by each test module): the small HipChat Connect server and xMatters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from addon_fakes import FUNCTION, HipChat, XMattersState, hipchat_server, xmatters_app
from addon_xmatters import XMatters

from xmplan._web import BackgroundServer


@pytest.fixture(scope="module", name="hc")
def hc_fixture() -> Iterator[HipChat]:
    yield from hipchat_server()


@pytest.fixture(name="xmatters")
def xmatters_fixture() -> Iterator[XMatters]:
    state = XMattersState()
    server = BackgroundServer(xmatters_app(state)).start()
    try:
        yield XMatters(server.url, state.user, state.password, server.url + FUNCTION,
                       lambda: [{"recipients": e["recipients"], "payload": e} for e in state.events], server.stop)
    finally:
        server.stop()
