"""JWT on every page and back-end route: only HS256 tokens of an installation, signed with its own secret."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
from addon_fakes import HipChat, XMattersState, hipchat_server, make_addon, sign, xmatters_app
from addon_fixtures import hc_fixture  # noqa: F401 (fixtures)
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient

from xmplan._hipchat.addon.store import Store
from xmplan._web import BackgroundServer

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
FUNCTION = "/api/integration/1/functions/0b9c3a4e-6d1f-4c3e-9a1b-2f5e8d7c6b5a/triggers"


@dataclass
class World:
    app: Flask
    store: Store
    hc: HipChat
    xm: XMattersState
    xm_url: str
    a: tuple[str, str]  # configured installation (oauthId, secret)
    b: tuple[str, str]  # another installation of the same add-on, not configured

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[HipChat, XMattersState, str]]:
    xm = XMattersState()
    for hc in hipchat_server():
        with BackgroundServer(xmatters_app(xm)) as xm_server:
            yield hc, xm, xm_server.url


@pytest.fixture
def world(tmp_path: Path, servers: tuple[HipChat, XMattersState, str]) -> World:
    hc, xm, xm_url = servers
    xm.events.clear()
    app, store = make_addon(tmp_path)
    ids = []
    for _ in range(2):
        oauth_id, secret = hc.new_client()
        assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
        ids.append((oauth_id, secret))
    store.put_credentials(ids[0][0], xm_url, xm.user, xm.password, time.time())
    store.put_invite_url(ids[0][0], xm_url + FUNCTION, time.time())
    return World(app, store, hc, xm, xm_url, ids[0], ids[1])


@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(oauth_id: str, exp: float | None = None) -> dict[str, object]:
    return {"iss": oauth_id, "sub": "17", "iat": int(time.time()), "exp": int(exp or time.time() + 600),
            "context": {"room_id": 4242, "user_tz": "UTC"}}


def handmade(header: dict[str, str], payload: dict[str, object], key: bytes | None) -> str:
    head = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    signature = b64(hmac.new(key, head.encode(), hashlib.sha256).digest()) if key else ""
    return head + "." + signature


def bad_tokens(world: World) -> dict[str, str | None]:
    a_id, a_secret = world.a
    b_id, b_secret = world.b
    return {
        "missing": None,
        "garbage": "not.a.jwt",
        "wrong secret": sign(a_id, "not-the-secret"),
        "alg none": handmade({"alg": "none", "typ": "JWT"}, claims(a_id), None),
        "RS256 with the HS secret as key": handmade({"alg": "RS256", "typ": "JWT"}, claims(a_id), a_secret.encode()),
        "RS256 signed with an RSA key": jwt.encode(claims(a_id), rsa_key(), algorithm="RS256"),
        "HS512 with the right secret": jwt.encode(claims(a_id), a_secret, algorithm="HS512"),
        "expired": sign(a_id, a_secret, exp=time.time() - 120),
        "no exp": jwt.encode({k: v for k, v in claims(a_id).items() if k != "exp"}, a_secret, algorithm="HS256"),
        "unknown iss": sign("no-such-installation", a_secret),
        "another installation's secret claiming this iss": sign(a_id, b_secret),
        "another installation's token on this installation's uninstall": sign(b_id, b_secret),
    }


CASES = ["missing", "garbage", "wrong secret", "alg none", "RS256 with the HS secret as key",
         "RS256 signed with an RSA key", "HS512 with the right secret", "expired", "no exp", "unknown iss",
         "another installation's secret claiming this iss"]
ROUTES = [("GET", "/configure"), ("POST", "/configure"), ("GET", "/dialog/invite"),
          ("GET", "/dialog/invite/recipients?q=mcb"), ("POST", "/dialog/invite/send"), ("DELETE", "/installable/A")]


def call(world: World, method: str, path: str, token: str | None, how: str) -> tuple[int, str]:
    path = path.replace("/A", "/" + world.a[0])
    headers = {"Authorization": f"JWT {token}"} if token and how == "header" else {}
    if token and how == "query":
        path += ("&" if "?" in path else "?") + "signed_request=" + token
    body = {"recipients": [{"id": "mmcbride", "type": "PERSON"}], "message": "db down"}
    form = {"host": "x", "username": "y"} if method == "POST" and "configure" in path else None
    response = world.client.open(path, method=method, headers=headers,
                                 json=body if path.startswith("/dialog/invite/send") else None, data=form)
    return response.status_code, response.get_data(as_text=True)


# A DELETE without any JWT is not refused outright: the add-on asks HipChat whether the installation still
# exists (tests/test_addon_install.py), so "missing" is left out for that route.
BAD = [(case, method, path) for case in CASES for method, path in ROUTES if (case, method) != ("missing", "DELETE")]


@pytest.mark.parametrize("how", ["header", "query"])
@pytest.mark.parametrize("case, method, path", BAD)
def test_bad_tokens_are_401_everywhere(world: World, case: str, method: str, path: str, how: str) -> None:
    token = bad_tokens(world)[case]
    status, text = call(world, method, path, token, how)
    assert status == 401, (case, method, path, status, text)
    assert world.store.get_installation(world.a[0]) is not None
    assert world.xm.events == []


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/configure", 200), ("POST", "/configure", 403),  # 403: a valid JWT, but no CSRF token
    ("GET", "/dialog/invite", 200), ("GET", "/dialog/invite/recipients?q=mcb", 200),
    ("POST", "/dialog/invite/send", 200)])
@pytest.mark.parametrize("how", ["header", "query"])
def test_valid_tokens_pass_everywhere(world: World, method: str, path: str, expected: int, how: str) -> None:
    status, text = call(world, method, path, sign(*world.a), how)
    assert status == expected, text


def test_expiry_has_a_small_leeway(world: World) -> None:
    assert call(world, "GET", "/configure", sign(*world.a, exp=time.time() - 5), "query")[0] == 200
    assert call(world, "GET", "/configure", sign(*world.a, exp=time.time() - 30), "query")[0] == 401


def test_another_installations_token_on_uninstall_is_401(world: World) -> None:
    token = bad_tokens(world)["another installation's token on this installation's uninstall"]
    assert call(world, "DELETE", "/installable/A", token, "header")[0] == 401
    assert world.store.get_installation(world.a[0]) is not None


def test_another_installations_token_sees_only_its_own_data(world: World) -> None:
    b_token = sign(*world.b)
    page = world.client.get(f"/configure?signed_request={b_token}").get_data(as_text=True)
    assert world.xm_url not in page and world.xm.user not in page
    dialog = world.client.get(f"/dialog/invite?signed_request={b_token}").get_data(as_text=True)
    assert "not configured yet" in dialog
    headers = {"Authorization": "JWT " + b_token}
    assert world.client.get("/dialog/invite/recipients?q=mcb", headers=headers).status_code == 409
    sent = world.client.post("/dialog/invite/send", headers=headers,
                             json={"recipients": [{"id": "mmcbride", "type": "PERSON"}], "message": "hi"})
    assert sent.status_code == 409 and world.xm.events == []


def test_room_installation_refuses_a_token_for_another_room(world: World) -> None:
    oauth_id, secret = world.hc.new_client()
    assert world.client.post("/installable", json=world.hc.install_body(oauth_id, secret, 4242)).status_code == 200
    assert call(world, "GET", "/dialog/invite", sign(oauth_id, secret, room_id=4242), "query")[0] == 200
    assert call(world, "GET", "/dialog/invite", sign(oauth_id, secret, room_id=5), "query")[0] == 401


def test_valid_uninstall_with_its_own_token(world: World) -> None:
    assert call(world, "DELETE", "/installable/A", sign(*world.a), "header")[0] == 204
    assert world.store.get_installation(world.a[0]) is None


def test_a_numeric_sub_is_read_as_the_user_id(world: World) -> None:
    a_id, a_secret = world.a
    token = jwt.encode({**claims(a_id), "sub": 17}, a_secret, algorithm="HS256")
    status, text = call(world, "POST", "/dialog/invite/send", token, "header")
    assert status == 200, text
    assert world.xm.events[-1]["payload"]["invitedBy"] == {"name": "Jane Doe", "mentionName": "JaneDoe", "id": 17}
