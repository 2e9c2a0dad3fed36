"""Install and uninstall of the add-on against a small HipChat Connect server (hipchat.md §2.2, §2.4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from addon_fakes import ADDON_URL, HipChat, make_addon, sign
from addon_fixtures import hc_fixture  # noqa: F401 (fixtures)
from flask import Flask
from flask.testing import FlaskClient

from xmplan._hipchat.addon.store import Store
from xmplan._hipchat.descriptor import build_descriptor, options_from_values
from xmplan._source import template_values

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def addon(tmp_path: Path) -> tuple[Flask, Store]:
    return make_addon(tmp_path)


@pytest.fixture
def client(addon: tuple[Flask, Store]) -> FlaskClient:
    return addon[0].test_client()


def test_descriptor_is_build_py_s_on_the_base_url(client: FlaskClient) -> None:
    served = client.get("/atlassian-connect.json").get_json()
    values = template_values(ROOT, {"addon_url": "https://example.invalid"})
    built = build_descriptor(options_from_values(values))
    dumped = json.dumps(built).replace("https://example.invalid", ADDON_URL)
    assert served == json.loads(dumped)
    assert served["links"]["self"] == f"{ADDON_URL}/atlassian-connect.json"
    assert served["capabilities"]["installable"]["callbackUrl"] == f"{ADDON_URL}/installable"
    assert served["capabilities"]["hipchatApiConsumer"]["scopes"] == ["send_notification", "view_group"]


def test_global_install_stores_the_installation(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    oauth_id, secret = hc.new_client()
    response = app.test_client().post("/installable", json=hc.install_body(oauth_id, secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    inst = store.get_installation(oauth_id)
    assert inst is not None
    assert (inst.group_id, inst.group_name, inst.room_id) == (99, "Acme", None)
    assert inst.token_url == f"{hc.url}/v2/oauth/token"
    assert inst.api_url == f"{hc.url}/v2/"
    assert inst.hipchat_url == hc.url and inst.web_url == hc.url
    assert inst.oauth_secret == secret
    # the credentials were proved with client_credentials and the descriptor's scopes
    assert hc.state.token_requests[-1] == {"oauthId": oauth_id, "form": {
        "grant_type": "client_credentials", "scope": "send_notification view_group"}}


def test_room_install_remembers_the_room(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    oauth_id, secret = hc.new_client()
    assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret, 4242)).status_code == 200
    inst = store.get_installation(oauth_id)
    assert inst is not None and inst.room_id == 4242


def test_secret_is_not_stored_in_clear(hc: HipChat, tmp_path: Path, addon: tuple[Flask, Store]) -> None:
    app, _ = addon
    oauth_id, secret = hc.new_client()
    assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
    assert secret.encode() not in (tmp_path / "addon.sqlite3").read_bytes()


def test_self_link_mismatch_is_refused(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    hc.state.self_link = "https://evil.example/v2/capabilities"
    oauth_id, secret = hc.new_client()
    try:
        response = app.test_client().post("/installable", json=hc.install_body(oauth_id, secret))
    finally:
        hc.state.self_link = None
    assert response.status_code == 400
    assert "does not match the document's self link" in response.get_json()["error"]
    assert store.get_installation(oauth_id) is None
    assert not [r for r in hc.state.token_requests if r["oauthId"] == oauth_id]  # refused before any token


def test_wrong_credentials_are_refused(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    oauth_id, _ = hc.new_client()
    response = app.test_client().post("/installable", json=hc.install_body(oauth_id, "not-the-secret"))
    assert response.status_code == 400
    assert "refused the installation's credentials" in response.get_json()["error"]
    assert store.get_installation(oauth_id) is None


@pytest.mark.parametrize("body, words", [
    ({}, "lacks capabilitiesUrl, oauthId, oauthSecret"),
    ({"capabilitiesUrl": "x", "oauthId": "a", "oauthSecret": "b", "roomId": "12"}, "roomId must be a whole number"),
])
def test_bad_callback_bodies(client: FlaskClient, body: dict[str, object], words: str) -> None:
    response = client.post("/installable", json=body)
    assert response.status_code == 400 and words in response.get_json()["error"]


def test_unreachable_capabilities_url(client: FlaskClient) -> None:
    body = {"capabilitiesUrl": "http://127.0.0.1:9/v2/capabilities", "oauthId": "a", "oauthSecret": "b"}
    response = client.post("/installable", json=body)
    assert response.status_code == 400
    assert "could not reach HipChat for the capabilities document" in response.get_json()["error"]


@pytest.mark.parametrize("room_id, option, words", [
    (4242, "allow_room", "cannot be installed in a single room"),
    (None, "allow_global", "cannot be installed for the whole group"),
])
def test_room_and_global_installs_can_be_refused(hc: HipChat, tmp_path: Path, room_id: int | None, option: str,
                                                 words: str) -> None:
    app, store = make_addon(tmp_path, allow_room=option != "allow_room", allow_global=option != "allow_global")
    caps = app.test_client().get("/atlassian-connect.json").get_json()["capabilities"]["installable"]
    assert caps[{"allow_room": "allowRoom", "allow_global": "allowGlobal"}[option]] is False
    oauth_id, secret = hc.new_client()
    response = app.test_client().post("/installable", json=hc.install_body(oauth_id, secret, room_id))
    assert response.status_code == 403 and words in response.get_json()["error"]
    assert store.get_installation(oauth_id) is None


def test_same_oauth_id_with_another_secret_is_409(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    client = app.test_client()
    oauth_id, secret = hc.new_client()
    assert client.post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
    assert client.post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200  # re-install
    hc.state.clients[oauth_id] = "changed"
    response = client.post("/installable", json=hc.install_body(oauth_id, "changed"))
    assert response.status_code == 409
    inst = store.get_installation(oauth_id)
    assert inst is not None and inst.oauth_secret == secret


def installed(hc: HipChat, app: Flask, room_id: int | None = None) -> tuple[str, str]:
    oauth_id, secret = hc.new_client()
    assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret, room_id)).status_code == 200
    return oauth_id, secret


def test_uninstall_with_its_jwt_removes_everything(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    oauth_id, secret = installed(hc, app)
    store.put_credentials(oauth_id, "https://acme.xmatters.com", "hipchat", "pw", 1.0)
    other, _ = installed(hc, app)
    response = app.test_client().delete(f"/installable/{oauth_id}",
                                        headers={"Authorization": "JWT " + sign(oauth_id, secret)})
    assert response.status_code == 204
    assert store.get_installation(oauth_id) is None and store.get_settings(oauth_id) is None
    assert store.password(oauth_id) is None
    assert store.installation_ids() == [other]


def test_uninstall_without_jwt_asks_hipchat_first(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    oauth_id, _ = installed(hc, app)
    client = app.test_client()
    refused = client.delete(f"/installable/{oauth_id}")
    assert refused.status_code == 403 and "still accepts" in refused.get_json()["error"]
    assert store.get_installation(oauth_id) is not None
    del hc.state.clients[oauth_id]  # HipChat removed the OAuth client, then tells the add-on
    assert client.delete(f"/installable/{oauth_id}").status_code == 204
    assert store.get_installation(oauth_id) is None
    assert client.delete(f"/installable/{oauth_id}").status_code == 204  # nothing left: still fine


def test_uninstall_with_another_installations_jwt_is_401(hc: HipChat, addon: tuple[Flask, Store]) -> None:
    app, store = addon
    victim, _ = installed(hc, app)
    attacker, attacker_secret = installed(hc, app)
    response = app.test_client().delete(f"/installable/{victim}",
                                        headers={"Authorization": "JWT " + sign(attacker, attacker_secret)})
    assert response.status_code == 401
    assert store.get_installation(victim) is not None


def test_big_bodies_are_refused(client: FlaskClient) -> None:
    response = client.post("/installable", data=b"{" + b" " * 300_000 + b"}", content_type="application/json")
    assert response.status_code == 413


def test_installs_only_from_the_named_hipchat(hc: HipChat, tmp_path: Path) -> None:
    app, store = make_addon(tmp_path, hipchats=(hc.url,))
    client = app.test_client()
    oauth_id, secret = hc.new_client()
    assert client.post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
    other = make_addon(tmp_path / "other", hipchats=("https://chat.acme.com",))[0].test_client()
    stranger, stranger_secret = hc.new_client()
    refused = other.post("/installable", json=hc.install_body(stranger, stranger_secret))
    assert refused.status_code == 403 and "only from https://chat.acme.com" in refused.get_json()["error"]
    assert not [r for r in hc.state.token_requests if r["oauthId"] == stranger]  # nothing fetched for it
    hc.state.token_url = "http://127.0.0.1:9/v2/oauth/token"  # an allowed HipChat naming a token URL elsewhere
    try:
        third, third_secret = hc.new_client()
        response = client.post("/installable", json=hc.install_body(third, third_secret))
    finally:
        hc.state.token_url = None
    assert response.status_code == 403 and "outside the allowed HipChat" in response.get_json()["error"]
    assert store.get_installation(third) is None


def test_hipchat_option_must_be_a_base_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from xmplan._cli import main

    argv = ["hipchat", "serve", "--base-url", ADDON_URL, "--data-dir", str(tmp_path / "d"), "--hipchat", "chat.acme"]
    assert main(argv) == 2
    assert "--hipchat must be a HipChat base URL" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
