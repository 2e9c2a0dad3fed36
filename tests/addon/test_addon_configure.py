"""The configuration page: Test Authentication, the Invite to Room URL, Save; the password never leaves."""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import time
from pathlib import Path

import pytest
from addon_fakes import HipChat, make_addon, sign
from addon_fixtures import hc_fixture, xmatters_fixture  # noqa: F401 (fixtures)
from addon_xmatters import XMatters
from flask import Flask
from flask.testing import FlaskClient

from xmplan._hipchat.addon.store import Store


class Admin:
    """An administrator on the configuration page of one installation, following its forms as a browser does."""

    def __init__(self, app: Flask, token: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.token = token
        self.pages: list[str] = []
        self.page = self.get()

    def get(self) -> str:
        response = self.client.get(f"/configure?signed_request={self.token}")
        assert response.status_code == 200
        return self.keep(response.get_data(as_text=True))

    def keep(self, page: str) -> str:
        self.pages.append(page)
        self.page = page
        return page

    def field(self, name: str) -> str:
        match = re.search(rf'name="{name}" value="([^"]*)"', self.page)
        assert match, f"no {name} field"
        return match.group(1)

    def submit(self, action: str, **fields: str) -> tuple[int, str]:
        data = {"signed_request": self.field("signed_request"), "csrf_token": self.field("csrf_token"),
                "action": action, **fields}
        response = self.client.post("/configure", data=data)
        return response.status_code, self.keep(response.get_data(as_text=True))


def error(page: str) -> str:
    match = re.search(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


@pytest.fixture
def setup(tmp_path: Path, hc: HipChat) -> tuple[Flask, Store, str, str]:
    app, store = make_addon(tmp_path)
    oauth_id, secret = hc.new_client()
    assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
    return app, store, oauth_id, secret


def test_wrong_password_then_right_one_then_bad_url_then_save(
        setup: tuple[Flask, Store, str, str], xmatters: XMatters, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app, store, oauth_id, secret = setup
    admin = Admin(app, sign(oauth_id, secret))
    assert 'name="invite_url"' not in admin.page  # the Invite to Room URL appears only after a good test

    status, page = admin.submit("test", host=xmatters.url, username=xmatters.user, password="wrong-password")
    assert status == 200
    assert "refused the user name or password (HTTP 401)" in error(page)
    assert 'name="invite_url"' not in page and store.get_settings(oauth_id) is None

    status, page = admin.submit("test", host=xmatters.url, username=xmatters.user, password=xmatters.password)
    assert status == 200 and not error(page), error(page)
    assert "Signed in to xMatters as" in page and 'name="invite_url"' in page

    for bad in ("https://elsewhere.example.com/api/integration/1/functions/"
                "0b9c3a4e-6d1f-4c3e-9a1b-2f5e8d7c6b5a/triggers", xmatters.url + "/api/xm/1/people", "not a url"):
        status, page = admin.submit("save", host=xmatters.url, username=xmatters.user, invite_url=bad)
        assert status == 400 and error(page), bad
    settings = store.get_settings(oauth_id)
    assert settings is not None and settings.invite_url is None and not settings.configured

    status, page = admin.submit("save", host=xmatters.url, username=xmatters.user, invite_url=xmatters.invite_url)
    assert status == 200 and "Settings saved" in page, error(page)
    settings = store.get_settings(oauth_id)
    assert settings is not None and settings.configured and settings.invite_url == xmatters.invite_url

    again = admin.get()
    assert "a password is set" in again and xmatters.invite_url in again
    # the password: in no page, no log line, not in clear in the database
    for text in admin.pages:
        assert xmatters.password not in text
        assert re.search(r'name="password" value=""', text)
    assert all(xmatters.password not in record.getMessage() for record in caplog.records)
    assert xmatters.password.encode() not in (tmp_path / "addon.sqlite3").read_bytes()
    with sqlite3.connect(tmp_path / "addon.sqlite3") as db:
        stored = db.execute("select password from hipchat_xmatters_settings").fetchone()[0]
    assert stored.startswith("gAAAA") and store.password(oauth_id) == xmatters.password


def test_stored_password_is_reused_when_left_empty(setup: tuple[Flask, Store, str, str], xmatters: XMatters) -> None:
    app, store, oauth_id, secret = setup
    admin = Admin(app, sign(oauth_id, secret))
    admin.submit("test", host=xmatters.url, username=xmatters.user, password=xmatters.password)
    status, page = admin.submit("test", host=xmatters.url, username=xmatters.user, password="")
    assert status == 200 and "Signed in to xMatters" in page, error(page)


def test_save_needs_a_test_with_the_same_host_and_user(setup: tuple[Flask, Store, str, str],
                                                        xmatters: XMatters) -> None:
    app, _, oauth_id, secret = setup
    admin = Admin(app, sign(oauth_id, secret))
    status, page = admin.submit("save", host=xmatters.url, username=xmatters.user, invite_url=xmatters.invite_url)
    assert status == 400 and "Test Authentication first" in error(page)
    admin.submit("test", host=xmatters.url, username=xmatters.user, password=xmatters.password)
    status, page = admin.submit("save", host=xmatters.url, username="someone-else", invite_url=xmatters.invite_url)
    assert status == 400 and "click Test Authentication again" in error(page)


@pytest.mark.parametrize("host, words", [
    ("http://127.0.0.1:9", "refused the connection"),
    ("no-such-host.invalid", "There is no host no-such-host.invalid"),
    ("acme xmatters", "is not a host name"),
    ("ftp://acme.xmatters.com", "is not an xMatters base URL"),
])
def test_connection_failures_in_words(setup: tuple[Flask, Store, str, str], host: str, words: str) -> None:
    app, _, oauth_id, secret = setup
    admin = Admin(app, sign(oauth_id, secret))
    _, page = admin.submit("test", host=host, username="u", password="p")
    assert words in error(page)


def test_forms_need_the_csrf_token(setup: tuple[Flask, Store, str, str], xmatters: XMatters) -> None:
    app, store, oauth_id, secret = setup
    token = sign(oauth_id, secret)
    client = app.test_client()
    form = {"signed_request": token, "action": "test", "host": xmatters.url, "username": xmatters.user,
            "password": xmatters.password}
    assert client.post("/configure", data=form).status_code == 403
    assert client.post("/configure", data={**form, "csrf_token": "123.abc"}).status_code == 403
    # a token from another user (or installation) does not fit either
    other = Admin(app, sign(oauth_id, secret, sub="99")).field("csrf_token")
    assert client.post("/configure", data={**form, "csrf_token": other}).status_code == 403
    stale = f"{int(time.time()) - 3 * 3600}.{store.vault.sign(f'{oauth_id}|17|{int(time.time()) - 3 * 3600}')}"
    assert client.post("/configure", data={**form, "csrf_token": stale}).status_code == 403
    assert store.get_settings(oauth_id) is None


def test_page_escapes_what_it_shows(setup: tuple[Flask, Store, str, str]) -> None:
    app, _, oauth_id, secret = setup
    admin = Admin(app, sign(oauth_id, secret))
    _, page = admin.submit("test", host="<script>alert(1)</script>", username="<b>x</b>", password="p")
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert f"{admin.client.application.extensions['xmplan_addon'].store.get_installation(oauth_id).web_url}" \
           "/atlassian-connect/all.js" in page


def test_tls_timeout_and_permission_failures_in_words(setup: tuple[Flask, Store, str, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import threading

    from addon_fakes import XMattersState, xmatters_app

    from xmplan._hipchat.addon import xmatters as client
    from xmplan._web import BackgroundServer

    app, store, oauth_id, secret = setup
    admin = Admin(app, sign(oauth_id, secret))
    monkeypatch.setattr(client, "TIMEOUT", 2.0)
    with socket.socket() as plain:  # answers plain text at once: no TLS server hello
        plain.bind(("127.0.0.1", 0))
        plain.listen(4)

        def answer() -> None:
            conn, _ = plain.accept()
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        _, page = admin.submit("test", host=f"https://127.0.0.1:{plain.getsockname()[1]}", username="u",
                               password="p")
    assert "The secure (TLS) connection to 127.0.0.1" in error(page) and "failed" in error(page)
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        _, page = admin.submit("test", host=f"http://127.0.0.1:{port}", username="u", password="p")
    assert f"127.0.0.1:{port} did not answer within 2 seconds." in error(page)
    state = XMattersState(forbidden=True)
    with BackgroundServer(xmatters_app(state)) as xm:
        _, page = admin.submit("test", host=xm.url, username=state.user, password=state.password)
    assert f"The user {state.user} signed in but may not do this in xMatters (HTTP 403)" in error(page)
    assert store.get_settings(oauth_id) is None and 'name="invite_url"' not in page
