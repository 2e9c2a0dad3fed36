"""The HipChat stand-in in a real browser, with a fake add-on: install, configure, + menu, the all.js bridge."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fake_addon

from fake_addon import FakeAddon, create_fake_addon

from xmplan._hipchat.standin import create_app, standin_of
from xmplan._web import BackgroundServer

pytestmark = pytest.mark.browser


@pytest.fixture
def running() -> Iterator[tuple[str, str, FakeAddon, Any]]:
    seen = FakeAddon()
    app = create_app()
    with BackgroundServer(app) as hipchat, BackgroundServer(create_fake_addon(seen)) as addon:
        seen.base = addon.url
        yield hipchat.url, addon.url, seen, app


def test_install_configure_and_the_dialog_bridge(page: Any, running: tuple[str, str, FakeAddon, Any],
                                                 artifacts: Path) -> None:
    hipchat, addon, seen, app = running
    page.goto(f"{hipchat}/admin/integrations")
    page.fill("input[name=url]", f"{addon}/d.json")
    page.click("form.install-form button[type=submit]")
    page.wait_for_selector("text=Install Fake?")
    assert page.inner_text("ul.scopes") == ("Send Notification: Send room notifications\n"
                                            "View Room: View room information and participants, but not history")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=Fake was installed.")
    page.screenshot(path=str(artifacts / "installed.png"))

    page.click("a:has-text('Configure')")
    frame = page.frame_locator("#addon-frame")
    [inst] = standin_of(app).installations()
    assert frame.locator("#iss").inner_text() == inst.oauth_id

    page.goto(f"{hipchat}/chat/room/4242")
    page.click("#plus")
    page.click("#plus-menu >> text=Open Fake")
    page.wait_for_selector("#authorize-title:has-text('Authorize Fake Integration')")
    page.screenshot(path=str(artifacts / "authorize.png"))
    page.click("text=Grant access")
    dialog = page.frame_locator("#dialog-frame")
    page.wait_for_selector("#dialog-title:has-text('Fake Dialog')")
    # getCurrentUser, getRoomDetails and withToken answered through postMessage:
    assert dialog.locator("#who").inner_text() == "Jane Doe"
    assert dialog.locator("#room").inner_text() == "Ops War Room"
    dialog.locator("#token:has-text('1 4242')").wait_for()
    # updatePrimaryAction renamed and re-enabled the primary button once the token came.
    send = page.locator("#dialog-buttons button.primary")
    assert send.inner_text() == "Post it" and send.is_enabled()
    page.screenshot(path=str(artifacts / "dialog.png"))

    page.click("#dialog-buttons >> text=Cancel")  # closeDialog(false): stays open
    dialog.locator("#clicked:has-text('fake.cancel')").wait_for()
    assert page.is_visible("#dialog")
    send.click()  # the add-on posts a notification with its token, then closeDialog(true)
    page.wait_for_selector("#dialog", state="hidden")
    note = page.locator(".message.notification.msg-purple")
    note.wait_for()
    assert note.locator(".sender").inner_text() == "Fake bot"
    assert note.locator(".body").inner_html() == "Posted by <b>Fake</b> "  # the script is gone
    page.screenshot(path=str(artifacts / "room.png"))
    # A second use in the same room does not ask again.
    page.click("#plus")
    page.click("#plus-menu >> text=Open Fake")
    page.frame_locator("#dialog-frame").locator("#who:has-text('Jane Doe')").wait_for()
    assert page.is_hidden("#authorize")


def test_the_bridge_ignores_messages_from_other_frames(page: Any, running: tuple[str, str, FakeAddon, Any]) -> None:
    hipchat, addon, seen, app = running
    standin = standin_of(app)
    page.goto(f"{hipchat}/admin/integrations")
    page.fill("input[name=url]", f"{addon}/d.json")
    page.click("form.install-form button[type=submit]")
    page.click("button:has-text('Approve')")
    [inst] = standin.installations()
    standin.authorize(inst.oauth_id, 4242, 1)
    page.goto(f"{hipchat}/chat/room/4242")
    page.click("#plus")
    page.click("#plus-menu >> text=Open Fake")
    page.frame_locator("#dialog-frame").locator("#who:has-text('Jane Doe')").wait_for()
    # The room page itself (not the add-on's iframe) asking to close the dialog is not obeyed.
    page.evaluate("window.postMessage({protocol: 'hipchat-standin-bridge', id: 1, method: 'dialog.close'}, '*')")
    page.wait_for_timeout(300)
    assert page.is_visible("#dialog")
