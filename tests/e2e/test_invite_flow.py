"""The whole Invite to Room flow in headless Chromium: stand-in, add-on and local xMatters, all on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xmplan._demo import Stack, running_stack
from xmplan._hipchat.standin import standin_of

pytestmark = pytest.mark.browser

MARY = "Mary McBride"
DESCRIPTION = "The orders database is <b>down</b>: please join us"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path, password="the-right-password", engine="js2py") as started:
        yield started


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"))


def install(page: Any, stack: Stack, artifacts: Path) -> None:
    """Step 1: install from the descriptor URL, approving the scopes."""
    page.goto(f"{stack.hipchat.url}/admin/integrations")
    page.fill("input[name=url]", stack.descriptor_url)
    page.click("form.install-form button[type=submit]")
    page.wait_for_selector("text=Install xMatters?")
    assert page.locator("ul.scopes li").first.inner_text().startswith("Send Notification")
    shot(page, artifacts, "1-approve-scopes")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=xMatters was installed.")


def listed_invite_url(page: Any, stack: Stack) -> str:
    """The Invite to Room URL as the emulator's console lists it (what an admin copies)."""
    console = page.context.new_page()
    console.goto(f"{stack.xmatters.url}/")
    row = console.locator("tr", has_text="Invite to Room").filter(has_text="INBOUND").first
    text = row.locator("code").inner_text()
    console.close()
    found = re.search(r"https?://\S+/triggers", text)
    assert found, text
    return found.group(0)


def configure(page: Any, stack: Stack, artifacts: Path) -> None:
    """Step 2: a wrong password fails, the right one succeeds, paste the Invite URL, Save."""
    page.goto(f"{stack.hipchat.url}/admin/integrations")
    page.click("a:has-text('Configure')")
    frame = page.frame_locator("#addon-frame")
    frame.locator("#host").fill(stack.xmatters.url)
    frame.locator("#username").fill(stack.xmatters.user)
    frame.locator("#password").fill("a-wrong-password")
    frame.locator("#test").click()
    error = frame.locator("#error")
    error.wait_for()
    assert "password" in error.inner_text().lower()
    assert frame.locator("#invite_url").count() == 0
    shot(page, artifacts, "2-wrong-password")
    frame.locator("#password").fill(stack.password)
    frame.locator("#test").click()
    frame.locator("#invite_url").wait_for()
    url = listed_invite_url(page, stack)
    assert url == stack.invite_url
    frame.locator("#invite_url").fill(url)
    frame.locator("#save").click()
    frame.locator("#notice", has_text="Settings saved").wait_for()
    assert "a-wrong-password" not in page.content() and stack.password not in frame.locator("body").inner_html()
    page.screenshot(path=str(artifacts / "3-configured.png"), full_page=True)


def open_dialog(page: Any, stack: Stack, artifacts: Path, first_use: bool = True) -> Any:
    """Step 3: + → xMatters Invite To Room (authorizing on first use)."""
    page.goto(stack.room_url())
    page.click("#plus")
    page.click("#plus-menu >> text=xMatters Invite To Room")
    if first_use:
        page.wait_for_selector("#authorize-title:has-text('Authorize xMatters Integration')")
        shot(page, artifacts, "4-authorize")
        page.click("text=Grant access")
    page.wait_for_selector("#dialog-title:has-text('xMatters Invite To Room')")
    return page.frame_locator("#dialog-frame")


def pick(dialog: Any, query: str, name: str) -> None:
    dialog.locator("#recipient").fill(query)
    option = dialog.locator("#results li", has_text=name)
    option.wait_for()
    option.dispatch_event("mousedown")
    dialog.locator("#picked", has_text=name).wait_for()


def send_invite(page: Any, stack: Stack, artifacts: Path) -> dict[str, Any]:
    """Mary and Database Admins, a description with <b> in it, Send Invite; the event the emulator made."""
    dialog = open_dialog(page, stack, artifacts)
    dialog.locator("#recipient").fill("mcb")
    dialog.locator("#results li", has_text=MARY).wait_for()
    assert "mmcbride" in dialog.locator("#results li", has_text=MARY).inner_text()
    shot(page, artifacts, "5-lookup")
    dialog.locator("#results li", has_text=MARY).dispatch_event("mousedown")
    pick(dialog, "data", "Database Admins")
    dialog.locator("#description").fill(DESCRIPTION)
    page.click("#dialog-buttons button.primary:has-text('Send Invite')")
    dialog.locator("#result", has_text="Sent").wait_for()
    shot(page, artifacts, "6-sent")
    page.wait_for_selector("#dialog", state="hidden")
    assert stack.xmatters.wait_idle()
    total, [event] = stack.xmatters.emulator.store.events()
    return event


def respond(page: Any, stack: Stack, artifacts: Path, event: dict[str, Any], answer: str, comment: str) -> None:
    """Step 4: in the emulator's console, the event lists both recipients; respond as Mary."""
    console = page.context.new_page()
    console.goto(f"{stack.xmatters.url}/console/events")
    console.click(f"a:has-text('{event['event_id']}')")
    recipients = console.locator("h2:has-text('Recipients') + ul").inner_text()
    assert "mmcbride (PERSON)" in recipients and "Database Admins (GROUP)" in recipients
    form = console.locator("tr[data-person=mmcbride] form.respond")
    form.locator("input[name=comment]").fill(comment)
    shot(console, artifacts, f"7-console-{answer.lower()}")
    form.locator(f"button[value={answer}]").click()
    console.locator("tr[data-person=mmcbride] td.response", has_text=answer).wait_for()
    console.close()
    assert stack.xmatters.wait_idle()


def room_message(page: Any, stack: Stack, text: str) -> Any:
    page.goto(stack.room_url())
    message = page.locator(".message.notification", has_text=text)
    message.wait_for()
    return message


def test_install_configure_invite_accept(page: Any, stack: Stack, artifacts: Path) -> None:
    install(page, stack, artifacts)
    configure(page, stack, artifacts)
    event = send_invite(page, stack, artifacts)
    recipients = {(r["name"], r["type"]) for r in stack.xmatters.emulator.store.recipients(event["id"])}
    assert recipients == {("mmcbride", "PERSON"), ("Database Admins", "GROUP")}
    respond(page, stack, artifacts, event, "Accept", "On my way <b>now</b> & bringing coffee")
    message = room_message(page, stack, "Mary McBride (mmcbride) accepted")
    assert message.get_attribute("data-color") == "green"
    body = message.locator(".body")
    assert body.inner_text() == (f"Mary McBride (mmcbride) accepted the xMatters invitation to Ops War Room "
                                 f"(event {event['event_id']}).\nComment: On my way <b>now</b> & bringing coffee")
    assert body.locator("b").count() == 1  # the name is bold; the comment's <b> is text
    shot(page, artifacts, "8-room-accepted")


def test_decline_is_posted_red(page: Any, stack: Stack, artifacts: Path) -> None:
    install(page, stack, artifacts)
    configure(page, stack, artifacts)
    event = send_invite(page, stack, artifacts)
    respond(page, stack, artifacts, event, "Decline", "I am on a plane")
    message = room_message(page, stack, "Mary McBride (mmcbride) declined")
    assert message.get_attribute("data-color") == "red"
    assert "Comment: I am on a plane" in message.inner_text()
    shot(page, artifacts, "8-room-declined")


def test_an_invite_while_xmatters_is_down_is_explained(page: Any, stack: Stack, artifacts: Path) -> None:
    install(page, stack, artifacts)
    configure(page, stack, artifacts)
    dialog = open_dialog(page, stack, artifacts)
    pick(dialog, "mcb", MARY)
    dialog.locator("#description").fill("Please join")
    stack.stop_xmatters()
    page.click("#dialog-buttons button.primary:has-text('Send Invite')")
    result = dialog.locator("#result.error")
    result.wait_for()
    assert "refused the connection" in result.inner_text()
    shot(page, artifacts, "xmatters-down")
    assert page.is_visible("#dialog")  # the dialog stays open, nothing crashed: Cancel still closes it
    page.click("#dialog-buttons >> text=Cancel")
    page.wait_for_selector("#dialog", state="hidden")


def test_uninstall_forgets_the_installation(page: Any, stack: Stack, artifacts: Path) -> None:
    install(page, stack, artifacts)
    configure(page, stack, artifacts)
    [inst] = standin_of(stack.hipchat_app).installations()
    store = stack.addon_app.extensions["xmplan_addon"].config.store
    assert store.get_installation(inst.oauth_id) is not None
    page.goto(f"{stack.hipchat.url}/admin/integrations")
    page.click("button:has-text('Uninstall')")
    page.wait_for_selector("text=xMatters was uninstalled (the add-on answered HTTP 204)")
    shot(page, artifacts, "uninstalled")
    assert store.get_installation(inst.oauth_id) is None and store.get_settings(inst.oauth_id) is None
    assert page.locator("a:has-text('Configure')").count() == 0
    page.goto(f"{stack.hipchat.url}/admin/integrations/{inst.oauth_id}/configure")
    page.wait_for_selector("text=That integration is not installed.")
    page.goto(stack.room_url())
    page.click("#plus")
    assert page.locator("#plus-menu li[data-action]").count() == 0
