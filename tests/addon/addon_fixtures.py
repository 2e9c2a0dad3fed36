"""Fixtures of the add-on's tests (imported by each test module): the small HipChat Connect server and xMatters.

xMatters is the emulator, `xmplan serve`, running the flagship plan: the add-on reaches it over HTTP only,
as it would a real xMatters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from addon_fakes import HipChat, hipchat_server
from addon_xmatters import XMatters

from xmplan._serve.testing import local_xmatters

ROOT = Path(__file__).resolve().parents[2]  # the flagship plan's source tree is the repository


@pytest.fixture(scope="module", name="hc")
def hc_fixture() -> Iterator[HipChat]:
    yield from hipchat_server()


@pytest.fixture(name="xmatters")
def xmatters_fixture(hc: HipChat, tmp_path: Path) -> Iterator[XMatters]:
    with ExitStack() as stack:
        # The plan accepts invitations only from the HipChat its "HipChat URL" constant names: this one.
        xm = stack.enter_context(local_xmatters(ROOT, data=tmp_path / "xmatters", constants={"HipChat URL": hc.url},
                                                endpoints={"HipChat": hc.url}))
        running = [True]

        def events() -> list[dict[str, Any]]:
            if running[0]:
                xm.wait_idle()
            _, rows = xm.emulator.store.events()
            return [{"recipients": row["posted"]["recipients"], "properties": row["properties"],
                     "request_id": row["request_id"]} for row in rows]

        def stop() -> None:  # xMatters goes down in the middle of a test
            running[0] = False
            stack.close()

        yield XMatters(xm.url, xm.user, xm.password, xm.trigger_url("Invite to Room"), events, stop)
