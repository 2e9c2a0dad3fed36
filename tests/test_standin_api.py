"""The HipChat stand-in's REST API v2 and its sanitiser, through the Flask test client."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask.testing import FlaskClient

from xmplan._hipchat.standin import StandinConfig, create_app, standin_of
from xmplan._hipchat.standin.sanitize import sanitise_html


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Any:
    return create_app(StandinConfig(clock=clock))


@pytest.fixture
def client(app: Any) -> FlaskClient:
    made: FlaskClient = app.test_client()
    return made


def installed(app: Any, scopes: tuple[str, ...] = ("send_notification", "view_room")) -> Any:
    standin = standin_of(app)
    inst = standin.add_installation("http://addon/d.json", {"name": "Fake", "key": "k", "capabilities": {}},
                                    scopes, None)
    standin.confirm_installation(inst.oauth_id)
    return standin.installation(inst.oauth_id)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_capabilities_name_token_url_api_url_and_self_link(client: FlaskClient) -> None:
    doc = client.get("/v2/capabilities", base_url="http://127.0.0.1:5000").get_json()
    assert doc["links"]["self"] == "http://127.0.0.1:5000/v2/capabilities"
    assert doc["capabilities"]["oauth2Provider"]["tokenUrl"] == "http://127.0.0.1:5000/v2/oauth/token"
    assert doc["capabilities"]["hipchatApiProvider"]["url"] == "http://127.0.0.1:5000/v2/"
    assert "test double" in doc["name"]
    assert set(doc["capabilities"]["hipchatApiProvider"]["availableScopes"]) >= {"send_notification", "view_room"}


def test_token_for_client_credentials_lasts_8_hours_with_the_asked_scopes(app: Any, client: FlaskClient) -> None:
    inst = installed(app)
    answer = client.post("/v2/oauth/token", headers=basic(inst.oauth_id, inst.secret),
                         data={"grant_type": "client_credentials", "scope": "send_notification"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 8 * 3600
    assert body["scope"] == "send_notification" and body["group_id"] == 1 and body["group_name"] == "Acme"
    everything = client.post("/v2/oauth/token", headers=basic(inst.oauth_id, inst.secret),
                             data={"grant_type": "client_credentials"}).get_json()
    assert everything["scope"] == "send_notification view_room"


@pytest.mark.parametrize("headers, data, status", [
    pytest.param("wrong-secret", {"grant_type": "client_credentials"}, 401, id="wrong-secret"),
    pytest.param("none", {"grant_type": "client_credentials"}, 401, id="no-credentials"),
    pytest.param("good", {"grant_type": "password"}, 400, id="other-grant"),
    pytest.param("good", {"grant_type": "client_credentials", "scope": "admin_group"}, 400, id="scope-not-installed"),
])
def test_token_refusals(app: Any, client: FlaskClient, headers: str, data: dict[str, str], status: int) -> None:
    inst = installed(app)
    sent = {"good": basic(inst.oauth_id, inst.secret), "wrong-secret": basic(inst.oauth_id, "nope"),
            "none": {}}[headers]
    answer = client.post("/v2/oauth/token", headers=sent, data=data)
    assert answer.status_code == status
    assert answer.get_json()["error"]["code"] == status


def add_on_token(app: Any, client: FlaskClient, scope: str = "send_notification view_room") -> str:
    inst = installed(app, ("send_notification", "view_room", "view_group"))
    body = client.post("/v2/oauth/token", headers=basic(inst.oauth_id, inst.secret),
                       data={"grant_type": "client_credentials", "scope": scope}).get_json()
    return str(body["access_token"])


def test_tokens_expire_after_8_hours(app: Any, client: FlaskClient, clock: Clock) -> None:
    token = add_on_token(app, client)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/v2/room/4242", headers=bearer).status_code == 200
    clock.now += 8 * 3600
    answer = client.get("/v2/room/4242", headers=bearer)
    assert answer.status_code == 401 and answer.get_json()["error"]["message"] == "Invalid OAuth session"


def test_room_notification_with_an_add_on_token(app: Any, client: FlaskClient) -> None:
    token = add_on_token(app, client)
    answer = client.post("/v2/room/4242/notification", headers={"Authorization": f"Bearer {token}"},
                         json={"message": "<b>Mary</b> accepted", "color": "green", "notify": True})
    assert answer.status_code == 204
    [message] = standin_of(app).messages(4242)
    assert (message.sender, message.color, message.html, message.notify) == ("Fake", "green", "<b>Mary</b> accepted",
                                                                             True)


def test_room_notification_token_posts_only_to_its_room(app: Any, client: FlaskClient) -> None:
    token = standin_of(app).issue_room_token(4242, "xMatters").access_token
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post("/v2/room/Ops War Room/notification", headers=bearer,
                       json={"message": "hi", "message_format": "text"}).status_code == 204
    assert standin_of(app).messages(4242)[0].sender == "xMatters"
    assert standin_of(app).messages(4242)[0].color == "yellow"  # HipChat's default
    assert client.post("/v2/room/4243/notification", headers=bearer, json={"message": "hi"}).status_code == 403
    assert client.get("/v2/room/4242", headers=bearer).status_code == 403  # no view_room scope


@pytest.mark.parametrize("body, status", [
    pytest.param({"message": ""}, 400, id="empty"),
    pytest.param({"message": "x" * 10001}, 400, id="too-long"),
    pytest.param({"message": "x", "color": "blue"}, 400, id="colour"),
    pytest.param({"message": "x", "message_format": "markdown"}, 400, id="format"),
    pytest.param({"message": "x", "from": "y" * 65}, 400, id="from-too-long"),
    pytest.param(["not", "an", "object"], 400, id="not-object"),
])
def test_bad_notifications_are_refused_with_hipchats_error_body(app: Any, client: FlaskClient, body: Any,
                                                                status: int) -> None:
    token = standin_of(app).issue_room_token(4242).access_token
    answer = client.post("/v2/room/4242/notification", headers={"Authorization": f"Bearer {token}"}, json=body)
    assert answer.status_code == status
    assert answer.get_json()["error"]["type"] == "Bad Request"
    assert standin_of(app).messages(4242) == []


def test_notification_auth_errors_and_unknown_room(app: Any, client: FlaskClient) -> None:
    assert client.post("/v2/room/4242/notification", json={"message": "x"}).status_code == 401
    assert client.post("/v2/room/4242/notification", headers={"Authorization": "Bearer nope"},
                       json={"message": "x"}).status_code == 401
    token = add_on_token(app, client, "view_room")
    assert client.post("/v2/room/4242/notification", headers={"Authorization": f"Bearer {token}"},
                       json={"message": "x"}).status_code == 403
    room_token = standin_of(app).issue_room_token(4242).access_token
    assert client.post(f"/v2/room/9999/notification?auth_token={room_token}", json={"message": "x"}).status_code == 404
    assert client.post(f"/v2/room/4242/notification?auth_token={room_token}&auth_test=true",
                       json={"message": "x"}).status_code == 202
    assert standin_of(app).messages(4242) == []


def test_room_and_user_apis_need_their_scopes(app: Any, client: FlaskClient) -> None:
    token = add_on_token(app, client)
    bearer = {"Authorization": f"Bearer {token}"}
    room = client.get("/v2/room/4242", headers=bearer).get_json()
    assert room["name"] == "Ops War Room" and room["links"]["web"].endswith("/chat/room/4242")
    assert client.get("/v2/room/ops war room", headers=bearer).get_json()["id"] == 4242
    people = client.get("/v2/room/4242/participant", headers=bearer).get_json()["items"]
    assert [p["mention_name"] for p in people] == ["JaneDoe", "SamLee"]
    assert client.get("/v2/user/1", headers=bearer).status_code == 403  # needs view_group
    group = {"Authorization": "Bearer " + add_on_token(app, client, "view_group")}
    assert client.get("/v2/user/1", headers=group).get_json()["name"] == "Jane Doe"
    assert client.get("/v2/user/@JaneDoe", headers=group).get_json()["id"] == 1
    assert client.get("/v2/user/jane.doe@acme.example", headers=group).get_json()["id"] == 1
    assert client.get("/v2/user/77", headers=group).status_code == 404
    assert len(client.get("/v2/room", headers=group).get_json()["items"]) == 2


@pytest.mark.parametrize("html, shown", [
    ("<b>Mary McBride (mmcbride)</b> accepted", "<b>Mary McBride (mmcbride)</b> accepted"),
    ("Comment: <i>&lt;b&gt;on my way&lt;/b&gt;</i>", "Comment: <i>&lt;b&gt;on my way&lt;/b&gt;</i>"),
    ("<script>alert(1)</script>hi", "hi"),
    ('<a href="javascript:alert(1)" onclick="x()">link</a>', '<a target="_blank" rel="noopener noreferrer">link</a>'),
    ('<a href="https://x.example/a?b=1&amp;c=2">x</a>',
     '<a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">x</a>'),
    ('<img src="https://x.example/i.png" onerror="x()">', '<img src="https://x.example/i.png">'),
    ("<div><p>para</p></div><br/>", "para<br>"),
    ("<b><i>unclosed", "<b><i>unclosed</i></b>"),
    ("<table><tr><td colspan=2 style='x'>c</td></tr></table>", '<table><tr><td colspan="2">c</td></tr></table>'),
    ("<ul><li>one<li>two</ul>", "<ul><li>one<li>two</li></li></ul>"),
    ("a < b & c", "a &lt; b &amp; c"),
])
def test_notification_html_is_cut_to_what_hipchat_rendered(html: str, shown: str) -> None:
    assert sanitise_html(html) == shown


def test_text_notifications_are_shown_as_typed(app: Any, client: FlaskClient) -> None:
    token = standin_of(app).issue_room_token(4242).access_token
    client.post("/v2/room/4242/notification", headers={"Authorization": f"Bearer {token}"},
                json={"message": "<b>not bold</b>\nline 2", "message_format": "text", "color": "gray"})
    assert standin_of(app).messages(4242)[0].html == "&lt;b&gt;not bold&lt;/b&gt;<br>line 2"
    page = client.get("/chat/room/4242/messages").get_data(as_text=True)
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page and 'data-color="gray"' in page


def test_random_colour_is_one_of_hipchats(app: Any, client: FlaskClient) -> None:
    token = standin_of(app).issue_room_token(4242).access_token
    client.post("/v2/room/4242/notification", headers={"Authorization": f"Bearer {token}"},
                json={"message": "x", "color": "random"})
    assert standin_of(app).messages(4242)[0].color in ("yellow", "green", "red", "purple", "gray")


def test_pages_refuse_posts_without_the_csrf_token(app: Any, client: FlaskClient) -> None:
    assert client.post("/admin/integrations/review", data={"url": "http://x"}).status_code == 403
    assert client.post("/chat/room/4242/messages", data={"message": "hi"}).status_code == 403
    assert standin_of(app).messages(4242) == []


def test_every_page_says_it_is_a_test_double(client: FlaskClient) -> None:
    for path in ("/chat/room/4242", "/admin/integrations"):
        assert "test double" in client.get(path).get_data(as_text=True)


def test_all_js_is_served_for_add_on_pages(client: FlaskClient) -> None:
    with client.get("/atlassian-connect/all.js") as answer:  # a file response: closed, not left to the collector
        text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    for name in ("register", "withToken", "updatePrimaryAction", "getCurrentUser", "getRoomDetails", "postMessage"):
        assert name in text
    assert client.get("/atlassian-connect/other.js").status_code == 404
