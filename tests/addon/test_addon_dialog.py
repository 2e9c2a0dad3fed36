"""The invite dialog: recipient lookup through xMatters and Send Invite, with errors in words."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from addon_fakes import HipChat, make_addon, sign
from addon_fixtures import hc_fixture, xmatters_fixture  # noqa: F401 (fixtures)
from addon_xmatters import XMatters
from flask import Flask
from flask.testing import FlaskClient

from xmplan._hipchat.addon.store import Store


class Dialog:
    """The dialog's page and its calls, as its JavaScript makes them (Authorization: JWT from HipChat)."""

    def __init__(self, app: Flask, oauth_id: str, secret: str, room_id: int = 4242, sub: str = "17") -> None:
        self.client: FlaskClient = app.test_client()
        self.headers = {"Authorization": "JWT " + sign(oauth_id, secret, sub=sub, room_id=room_id)}
        self.page = self.client.get("/dialog/invite", headers=self.headers).get_data(as_text=True)

    def lookup(self, text: str) -> tuple[int, dict[str, Any]]:
        response = self.client.get("/dialog/invite/recipients", query_string={"q": text}, headers=self.headers)
        return response.status_code, response.get_json()

    def send(self, recipients: list[dict[str, str]], message: str) -> tuple[int, dict[str, Any]]:
        response = self.client.post("/dialog/invite/send", json={"recipients": recipients, "message": message},
                                    headers=self.headers)
        return response.status_code, response.get_json()


def install(app: Flask, hc: HipChat, store: Store, xmatters: XMatters | None) -> tuple[str, str]:
    oauth_id, secret = hc.new_client()
    assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
    if xmatters is not None:
        store.put_credentials(oauth_id, xmatters.url, xmatters.user, xmatters.password, time.time())
        store.put_invite_url(oauth_id, xmatters.invite_url, time.time())
    return oauth_id, secret


@pytest.fixture
def addon(tmp_path: Path) -> tuple[Flask, Store]:
    return make_addon(tmp_path)


@pytest.fixture
def dialog(addon: tuple[Flask, Store], hc: HipChat, xmatters: XMatters) -> Dialog:
    app, store = addon
    return Dialog(app, *install(app, hc, store, xmatters))


def test_page_loads_all_js_from_the_installations_hipchat(dialog: Dialog, hc: HipChat) -> None:
    assert f'<script src="{hc.url}/atlassian-connect/all.js"></script>' in dialog.page
    assert "www.hipchat.com" not in dialog.page
    assert '"sendKey": "xmatters.invite.send"' in dialog.page and '"limit": 2000' in dialog.page
    assert 'id="recipient"' in dialog.page and 'id="description"' in dialog.page
    with dialog.client.get("/static/dialog.js") as response:  # a file response: closed, not left to the collector
        assert response.status_code == 200


def test_lookup_finds_people_and_groups(dialog: Dialog) -> None:
    status, body = dialog.lookup("mcb")
    assert status == 200
    assert {"id": "mmcbride", "name": "Mary McBride", "targetName": "mmcbride", "type": "PERSON"} in body["results"]
    status, body = dialog.lookup("data")
    assert status == 200
    assert {"id": "Database Admins", "name": "Database Admins", "targetName": "Database Admins",
            "type": "GROUP"} in body["results"]
    assert dialog.lookup("m") == (200, {"results": []})  # too short to search


def test_send_invite_creates_the_event_with_both_recipients(dialog: Dialog, xmatters: XMatters,
                                                            hc: HipChat) -> None:
    recipients = [{"id": "mmcbride", "type": "PERSON"}, {"id": "Database Admins", "type": "GROUP"}]
    status, body = dialog.send(recipients, "Production database is down, please join")
    assert status == 200, body
    assert body["sent"] is True and body["requestId"] and body["recipients"] == 2
    events = xmatters.events()
    assert len(events) == 1
    assert events[0]["request_id"] == body["requestId"]
    assert [(r["id"], r["recipientType"]) for r in events[0]["recipients"]] \
        == [("mmcbride", "PERSON"), ("Database Admins", "GROUP")]
    notes = [n for n in hc.state.notifications if "mmcbride" in n["message"]]
    assert notes and "Jane Doe" in notes[-1]["message"]


def test_the_plan_reads_room_user_and_message_from_the_payload(dialog: Dialog, xmatters: XMatters,
                                                               hc: HipChat) -> None:
    status, body = dialog.send([{"id": "mmcbride", "type": "PERSON"}], "  please join  ")
    assert status == 200, body
    [event] = xmatters.events()
    # room from the JWT context and HipChat's room API, invitedBy from the JWT sub and the user API
    assert event["properties"] == {"Room ID": "4242", "Room Name": "Ops <War> Room",
                                   "Room Link": f"{hc.url}/chat/room/4242", "Message": "please join",
                                   "Invited By": "Jane Doe (@JaneDoe)"}


@pytest.mark.parametrize("recipients, message, words", [
    ([], "hi", "Pick at least one"),
    ([{"id": "mmcbride", "type": "PERSON"}], "   ", "Describe why"),
    ([{"id": "mmcbride", "type": "PERSON"}], "x" * 2001, "2001 characters long; the limit is 2000"),
    ([{"id": "mmcbride", "type": "TEAM"}], "hi", "Pick at least one"),
])
def test_bad_invitations_are_refused_in_words(dialog: Dialog, xmatters: XMatters,
                                              recipients: list[dict[str, str]], message: str, words: str) -> None:
    status, body = dialog.send(recipients, message)
    assert status == 400 and words in str(body["error"])
    assert xmatters.events() == []


def test_xmatters_down_is_said_in_words(dialog: Dialog, xmatters: XMatters) -> None:
    xmatters.stop()
    status, body = dialog.lookup("mcb")
    assert status == 502 and "refused the connection" in str(body["error"])
    status, body = dialog.send([{"id": "mmcbride", "type": "PERSON"}], "hi")
    assert status == 502 and "refused the connection" in str(body["error"])


def test_xmatters_401_is_said_in_words(addon: tuple[Flask, Store], hc: HipChat, xmatters: XMatters) -> None:
    app, store = addon
    oauth_id, secret = install(app, hc, store, xmatters)
    store.put_credentials(oauth_id, xmatters.url, xmatters.user, "changed-in-xmatters", time.time())
    store.put_invite_url(oauth_id, xmatters.invite_url, time.time())
    dialog = Dialog(app, oauth_id, secret)
    status, body = dialog.lookup("mcb")
    assert status == 502 and "refused the user name or password (HTTP 401)" in str(body["error"])
    status, body = dialog.send([{"id": "mmcbride", "type": "PERSON"}], "hi")
    assert status == 502 and "HTTP 401" in str(body["error"])
    assert xmatters.events() == []


def test_unconfigured_dialog_names_the_configuration_page(addon: tuple[Flask, Store], hc: HipChat) -> None:
    app, store = addon
    dialog = Dialog(app, *install(app, hc, store, None))
    assert "not configured yet" in dialog.page and "configuration page" in dialog.page
    assert dialog.lookup("mcb")[0] == 409
    status, body = dialog.send([{"id": "mmcbride", "type": "PERSON"}], "hi")
    assert status == 409 and "configuration page" in str(body["error"])


def test_token_cache_honours_expires_in(addon: tuple[Flask, Store], hc: HipChat, xmatters: XMatters) -> None:
    app, store = addon
    oauth_id, secret = install(app, hc, store, xmatters)
    now = [time.time()]
    state = app.extensions["xmplan_addon"]
    state.tokens.clock = lambda: now[0]
    dialog = Dialog(app, oauth_id, secret)

    def fetched() -> int:
        return len([r for r in hc.state.token_requests if r["oauthId"] == oauth_id])

    before = fetched()
    for _ in range(3):
        assert dialog.send([{"id": "mmcbride", "type": "PERSON"}], "hi")[0] == 200
    after_three = fetched()
    assert after_three - before == 2  # one token per scope set: view_group and send_notification
    now[0] += hc.state.expires_in - 10  # inside the 20 s renewal margin
    assert dialog.send([{"id": "mmcbride", "type": "PERSON"}], "hi")[0] == 200
    assert fetched() - after_three == 2


def test_token_endpoint_401_removes_the_installation(addon: tuple[Flask, Store], hc: HipChat,
                                                     xmatters: XMatters) -> None:
    app, store = addon
    oauth_id, secret = install(app, hc, store, xmatters)
    dialog = Dialog(app, oauth_id, secret)
    del hc.state.clients[oauth_id]  # removed in HipChat without telling the add-on
    status, body = dialog.send([{"id": "mmcbride", "type": "PERSON"}], "hi")
    assert status == 401 and "has been removed" in str(body["error"])
    assert store.get_installation(oauth_id) is None and store.get_settings(oauth_id) is None
    assert xmatters.events() == []
