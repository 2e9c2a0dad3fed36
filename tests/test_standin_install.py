"""Installing an add-on into the HipChat stand-in, with both running for real on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from fake_addon import FakeAddon, create_fake_addon

from xmplan._hipchat.standin import create_app, standin_of
from xmplan._web import BackgroundServer


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in the page"
    return match.group(1)


class Servers:
    def __init__(self, hipchat: BackgroundServer, addon: BackgroundServer, seen: FakeAddon, app: Any) -> None:
        self.hipchat, self.addon, self.seen, self.app = hipchat, addon, seen, app
        self.browser = requests.Session()
        self.csrf = found(r'name="csrf-token" content="([^"]+)"',
                          self.browser.get(hipchat.url + "/admin/integrations", timeout=5).text)

    def post(self, path: str, **data: str) -> requests.Response:
        return self.browser.post(self.hipchat.url + path, data={"csrf": self.csrf, **data}, timeout=10)

    def page_post(self, path: str) -> requests.Response:
        return self.browser.post(self.hipchat.url + path, headers={"X-CSRF-Token": self.csrf}, timeout=10)

    def install(self, room: str = "") -> str:
        answer = self.post("/admin/integrations/install", url=self.addon.url + "/d.json", room=room)
        assert "Fake was installed." in answer.text, answer.text
        [inst] = standin_of(self.app).installations()
        return inst.oauth_id


@pytest.fixture
def servers() -> Iterator[Servers]:
    seen = FakeAddon()
    app = create_app()
    with BackgroundServer(app) as hipchat, BackgroundServer(create_fake_addon(seen)) as addon:
        seen.base = addon.url
        yield Servers(hipchat, addon, seen, app)


def test_review_shows_the_scopes_the_add_on_asks_for(servers: Servers) -> None:
    page = servers.post("/admin/integrations/review", url=servers.addon.url + "/d.json").text
    assert "Install Fake?" in page and "A fake add-on" in page
    assert "<strong>Send Notification</strong>: Send room notifications" in page
    assert "<strong>View Room</strong>" in page and "Approve" in page
    assert standin_of(servers.app).installations(confirmed_only=False) == []


def test_install_posts_fresh_credentials_to_the_callback(servers: Servers) -> None:
    oauth_id = servers.install()
    callback = servers.seen.installs[oauth_id]
    assert callback["capabilitiesUrl"] == servers.hipchat.url + "/v2/capabilities"
    assert callback["groupId"] == 1 and "roomId" not in callback
    inst = standin_of(servers.app).installation(oauth_id)
    assert inst is not None and callback["oauthSecret"] == inst.secret and inst.scopes == ("send_notification",
                                                                                           "view_room")
    listing = servers.browser.get(servers.hipchat.url + "/admin/integrations", timeout=5).text
    assert "All rooms" in listing and "Send Notification, View Room" in listing


def test_room_install_names_the_room(servers: Servers) -> None:
    oauth_id = servers.install(room="4243")
    assert servers.seen.installs[oauth_id]["roomId"] == 4243
    assert "Open Fake" not in servers.browser.get(servers.hipchat.url + "/chat/room/4242", timeout=5).text
    assert "Open Fake" in servers.browser.get(servers.hipchat.url + "/chat/room/4243", timeout=5).text


def test_a_refused_callback_leaves_nothing_installed(servers: Servers) -> None:
    servers.seen.refuse_install = True
    answer = servers.post("/admin/integrations/install", url=servers.addon.url + "/d.json")
    assert "The add-on refused the installation (HTTP 500: no thanks)" in answer.text
    assert standin_of(servers.app).installations(confirmed_only=False) == []


@pytest.mark.parametrize("url, message", [
    ("ftp://x/d.json", "must start with http:// or https://"),
    ("http://127.0.0.1:9/d.json", "Could not fetch the descriptor"),
    ("{addon}/nothing", "gave HTTP 404"),
])
def test_bad_descriptor_urls_are_explained(servers: Servers, url: str, message: str) -> None:
    answer = servers.post("/admin/integrations/review", url=url.format(addon=servers.addon.url))
    assert message in answer.text


def test_configuration_page_opens_in_an_iframe_with_a_signed_request(servers: Servers) -> None:
    oauth_id = servers.install()
    page = servers.browser.get(f"{servers.hipchat.url}/admin/integrations/{oauth_id}/configure", timeout=5).text
    src = found(r'<iframe class="config-frame" id="addon-frame" title="[^"]*" src="([^"]+)"', page)
    src = src.replace("&amp;", "&")
    assert src.startswith(servers.addon.url + "/configure?signed_request=")
    token = parse_qs(urlsplit(src).query)["signed_request"][0]
    claims = jwt.decode(token, servers.seen.installs[oauth_id]["oauthSecret"], algorithms=["HS256"])
    assert claims["iss"] == oauth_id and claims["sub"] == "1" and claims["context"] == {"user_tz": "UTC"}
    assert claims["exp"] - claims["iat"] == 3600 and len(claims["jti"]) == 20
    assert oauth_id in requests.get(src, timeout=5).text  # the add-on accepts it
    fresh = servers.page_post(f"/admin/integrations/{oauth_id}/token").json()["token"]
    assert jwt.decode(fresh, servers.seen.installs[oauth_id]["oauthSecret"], algorithms=["HS256"])["iss"] == oauth_id


def test_first_use_in_a_room_asks_for_authorization_then_opens_the_dialog(servers: Servers) -> None:
    oauth_id = servers.install()
    room = servers.browser.get(servers.hipchat.url + "/chat/room/4242", timeout=5).text
    assert f'data-oauth-id="{oauth_id}" data-action="fake.action">Open Fake</li>' in room
    action = f"/chat/room/4242/actions/{oauth_id}/fake.action"
    ask = servers.page_post(action).json()
    assert ask == {"authorize": {"name": "Fake", "description": "A fake add-on",
                                 "scopes": ["Send Notification", "View Room"]}}
    assert servers.page_post(f"/chat/room/4242/authorize/{oauth_id}").json() == {"ok": True}
    dialog = servers.page_post(action).json()["dialog"]
    assert dialog["title"] == "Fake Dialog" and (dialog["width"], dialog["height"]) == ("420px", "260px")
    assert dialog["primary"]["key"] == "fake.send" and dialog["secondary"][0]["key"] == "fake.cancel"
    token = parse_qs(urlsplit(dialog["url"]).query)["signed_request"][0]
    claims = jwt.decode(token, servers.seen.installs[oauth_id]["oauthSecret"], algorithms=["HS256"])
    assert claims["iss"] == oauth_id and claims["sub"] == "1" and claims["context"]["room_id"] == 4242
    # Authorization is per room: the other room asks again.
    assert "authorize" in servers.page_post(f"/chat/room/4243/actions/{oauth_id}/fake.action").json()


def test_uninstall_sends_delete_and_revokes_the_client(servers: Servers) -> None:
    oauth_id = servers.install()
    secret = servers.seen.installs[oauth_id]["oauthSecret"]
    answer = servers.post(f"/admin/integrations/{oauth_id}/uninstall")
    assert "Fake was uninstalled (the add-on answered HTTP 204)" in answer.text
    assert servers.seen.deleted == [oauth_id]
    assert standin_of(servers.app).installations() == []
    token = requests.post(servers.hipchat.url + "/v2/oauth/token", auth=(oauth_id, secret), timeout=5,
                          data={"grant_type": "client_credentials"})
    assert token.status_code == 401
    assert "Open Fake" not in servers.browser.get(servers.hipchat.url + "/chat/room/4242", timeout=5).text
    gone = servers.browser.get(f"{servers.hipchat.url}/admin/integrations/{oauth_id}/configure", timeout=5)
    assert "That integration is not installed." in gone.text


def test_room_notification_token_from_the_admin_page(servers: Servers) -> None:
    page = servers.post("/admin/rooms/4242/tokens", label="xMatters").text
    token = found(r'<code class="token" id="room-token">([^<]+)</code>', page)
    answer = requests.post(servers.hipchat.url + "/v2/room/4242/notification", timeout=5,
                           headers={"Authorization": f"Bearer {token}"},
                           json={"message": "<b>Mary</b> accepted", "color": "green"})
    assert answer.status_code == 204
    messages = servers.browser.get(servers.hipchat.url + "/chat/room/4242/messages", timeout=5).text
    assert 'data-color="green"' in messages and "<b>Mary</b> accepted" in messages and "xMatters" in messages
