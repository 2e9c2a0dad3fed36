"""The add-on installed into the HipChat stand-in (xmplan._hipchat.standin), both running on 127.0.0.1."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from xmplan._hipchat.addon.local import background_addon
from xmplan._hipchat.addon.store import Store
from xmplan._hipchat.standin import create_app, standin_of
from xmplan._web import BackgroundServer


class Admin:
    """A HipChat administrator in the stand-in's admin pages."""

    def __init__(self, hipchat: str, addon: str, app: Any) -> None:
        self.hipchat, self.addon, self.app = hipchat, addon, app
        self.browser = requests.Session()
        page = self.browser.get(hipchat + "/admin/integrations", timeout=10).text
        match = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert match
        self.csrf = match.group(1)

    def post(self, path: str, **data: str) -> str:
        response = self.browser.post(self.hipchat + path, data={"csrf": self.csrf, **data}, timeout=20)
        return response.text

    def install(self, room: str = "") -> str:
        before = {i.oauth_id for i in standin_of(self.app).installations()}
        page = self.post("/admin/integrations/install", url=self.addon + "/atlassian-connect.json", room=room)
        assert "was installed" in page, page
        [oauth_id] = {i.oauth_id for i in standin_of(self.app).installations()} - before
        return oauth_id


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Admin, Store]]:
    hipchat_app = create_app()
    server, addon_app = background_addon(tmp_path / "addon")
    with BackgroundServer(hipchat_app) as hipchat, server:
        yield Admin(hipchat.url, server.url, hipchat_app), addon_app.extensions["xmplan_addon"].store


def test_global_and_room_installs_then_uninstall(world: tuple[Admin, Store]) -> None:
    admin, store = world
    group = admin.install()
    room = admin.install(room="4243")
    first, second = store.get_installation(group), store.get_installation(room)
    assert first is not None and first.room_id is None and first.group_name == "Acme"
    assert second is not None and second.room_id == 4243
    assert first.hipchat_url == admin.hipchat and first.web_url == admin.hipchat

    page = admin.browser.get(f"{admin.hipchat}/admin/integrations/{group}/configure", timeout=10).text
    match = re.search(r'<iframe[^>]+src="([^"]+)"', page)
    assert match, page
    frame = requests.get(html.unescape(match.group(1)), timeout=10)
    assert frame.status_code == 200 and "Test Authentication" in frame.text
    assert f'<script src="{admin.hipchat}/atlassian-connect/all.js"></script>' in frame.text

    answer = admin.post(f"/admin/integrations/{group}/uninstall")
    assert "answered HTTP 204" in answer, answer
    assert store.get_installation(group) is None and store.get_settings(group) is None
    assert store.get_installation(room) is not None
