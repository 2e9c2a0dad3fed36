"""The invite dialog's JavaScript in headless Chromium: live lookup, picking, counting, Send Invite."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from addon_fakes import HipChat, sign
from addon_fixtures import hc_fixture, xmatters_fixture  # noqa: F401 (fixtures)
from addon_xmatters import XMatters

from xmplan._hipchat.addon.local import background_addon

pytestmark = pytest.mark.browser


def test_dialog_looks_up_picks_counts_and_sends(browser: Any, tmp_path: Path, hc: HipChat,
                                                xmatters: XMatters) -> None:
    server, app = background_addon(tmp_path / "addon")
    with server:
        oauth_id, secret = hc.new_client()
        client = app.test_client()
        assert client.post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
        store = app.extensions["xmplan_addon"].store
        store.put_credentials(oauth_id, xmatters.url, xmatters.user, xmatters.password, time.time())
        store.put_invite_url(oauth_id, xmatters.invite_url, time.time())
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            "http://127.0.0.1") else route.abort())
        page = context.new_page()
        page.set_default_timeout(15_000)
        lookups: list[str] = []
        page.on("request", lambda r: lookups.append(r.url) if "/recipients?" in r.url else None)
        page.add_init_script(f"window.__hipchatToken = {sign(oauth_id, secret)!r};")
        page.goto(f"{server.url}/dialog/invite?signed_request={sign(oauth_id, secret)}")
        assert page.evaluate("typeof window.HipChat.handlers['dialog-button-click']") == "function"
        assert page.locator("#send").is_hidden()  # inside HipChat the dialog's own button sends

        page.locator("#recipient").press_sequentially("mcb", delay=30)
        page.locator("#results li").first.wait_for()
        first = page.locator("#results li").first
        assert [first.locator(c).inner_text().strip() for c in (".name", ".target", ".kind")] == [
            "Mary McBride", "mmcbride", "PERSON"]
        assert len(lookups) == 1 and lookups[0].endswith("q=mcb")  # debounced: one call for three keys
        page.locator("#results li").first.click()
        page.locator("#recipient").fill("data")
        page.locator("#results li", has_text="Database Admins").wait_for()
        page.locator("#recipient").press("Enter")
        assert page.locator("#picked .chip").all_inner_texts() == ["Mary McBride (PERSON)×",
                                                                   "Database Admins (GROUP)×"]
        page.locator("#description").fill("Production database is down, please join")
        assert page.locator("#count").inner_text() == "40"

        page.evaluate("window.__closed = []; HipChat.handlers['dialog-button-click']("
                      "{action: 'xmatters.invite.send'}, function (close) { window.__closed.push(close); })")
        page.locator("#result", has_text="Sent: xMatters request").wait_for()
        page.wait_for_function("window.__closed.length === 1 && window.__closed[0] === true")  # then it closes
        [event] = xmatters.events()
        assert event["request_id"] in page.locator("#result").inner_text()
        assert [r["id"] for r in event["recipients"]] == ["mmcbride", "Database Admins"]
        context.close()


def test_names_from_xmatters_are_shown_as_text(browser: Any, tmp_path: Path, hc: HipChat) -> None:
    from addon_fakes import FUNCTION, XMattersState, xmatters_app

    from xmplan._web import BackgroundServer

    hostile = '<img src=x onerror="window.__pwned = 1">'
    state = XMattersState(extra_people=[{"id": "p9", "targetName": "mallory<b>", "firstName": hostile,
                                         "lastName": "Mcb", "recipientType": "PERSON"}])
    server, app = background_addon(tmp_path / "addon")
    with server, BackgroundServer(xmatters_app(state)) as xm:
        oauth_id, secret = hc.new_client()
        assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
        store = app.extensions["xmplan_addon"].store
        store.put_credentials(oauth_id, xm.url, state.user, state.password, time.time())
        store.put_invite_url(oauth_id, xm.url + FUNCTION, time.time())
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            "http://127.0.0.1") else route.abort())
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.add_init_script(f"window.__hipchatToken = {sign(oauth_id, secret)!r};")
        page.goto(f"{server.url}/dialog/invite?signed_request={sign(oauth_id, secret)}")
        page.locator("#recipient").fill("mcb")
        item = page.locator("#results li", has_text="mallory")
        item.wait_for()
        assert item.locator(".name").inner_text() == hostile + " Mcb"
        assert page.locator("#results img").count() == 0
        item.click()
        assert page.locator("#picked img").count() == 0
        assert page.evaluate("window.__pwned === undefined")
        context.close()
