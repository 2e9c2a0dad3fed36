"""`xmplan serve`'s web console in headless Chromium: send a test request, the events list, respond, activity."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for serve_helpers

from serve_helpers import ROOT, invitation

from xmplan._serve.testing import local_xmatters
from xmplan._web import BackgroundServer

pytestmark = pytest.mark.browser


def room_app(posts):
    from flask import Flask, request

    app = Flask("room")

    @app.post("/v2/room/<room>/notification")
    def notify(room):
        posts.append(request.get_json())
        return "", 204

    return app


def test_console_send_respond_and_activity(tmp_path, page):
    posts = []
    with BackgroundServer(room_app(posts)) as room, local_xmatters(
            ROOT, data=tmp_path, constants={"HipChat Token": "t"}, endpoints={"HipChat": room.url}) as xm:
        page.goto(xm.url + "/")
        assert "/api/integration/1/functions/" in page.text_content("table.integrations")
        # A test request from the console's form, sent as the Integration User.
        page.click("text=Send a test request to Invite to Room")
        page.fill("form.send textarea", json.dumps(invitation()))
        page.click("form.send button")
        page.wait_for_url("**/console/activity?requestId=*")
        assert xm.wait_idle()
        page.reload()
        assert page.text_content("#state") == "done"
        assert "event created for room" in page.text_content("pre.console")
        # The events list, then the event.
        page.click("header >> text=Events")
        page.click("#events a")
        assert page.text_content("#status") == "ACTIVE"
        row = page.locator("tr[data-person='mmcbride']")
        row.locator("input[name=comment]").fill("I'll be there <soon>")
        row.locator("button", has_text="Accept").click()
        page.wait_for_selector("#message")
        assert "mmcbride responded Accept" in page.text_content("#message")
        assert xm.wait_idle()
        page.reload()
        response = page.locator("tr[data-person='mmcbride'] td.response").text_content()
        assert response == "Accept: “I'll be there <soon>”"
        assert [p["color"] for p in posts] == ["green"]
        assert "&lt;soon&gt;" in posts[0]["message"]
        page.click("#runs a")
        assert "Post Response to Room (RESPONSE) ok" in page.text_content("section.run h2")
        assert "posted to HipChat room 42" in page.text_content("pre.console")
        # Terminate from the page.
        page.go_back()
        page.click("button[value=TERMINATED]")
        page.wait_for_selector("#message")
        assert page.text_content("#status") == "TERMINATED"


def test_console_forms_refuse_a_post_without_the_csrf_token(tmp_path, page):
    with local_xmatters(ROOT, data=tmp_path, endpoints={"HipChat": "http://127.0.0.1:9"}) as xm:
        answer = requests.post(xm.trigger_url("Invite to Room"), json=invitation(), auth=xm.auth, timeout=10)
        assert xm.wait_idle()
        event = requests.get(f"{xm.url}/api/xm/1/events", params={"requestId": answer.json()["requestId"]},
                             auth=xm.auth, timeout=10).json()["data"][0]
        # A page of another site posting the respond form: no token, and a foreign Origin.
        forged = requests.post(f"{xm.url}/console/events/{event['id']}/respond", timeout=10,
                               data={"recipient": "mmcbride", "response": "Accept"},
                               headers={"Origin": "http://evil.example"})
        assert forged.status_code == 403
        page.set_content(f"""<form id=f method=post action="{xm.url}/console/events/{event['id']}/respond">
            <input name=recipient value=mmcbride><input name=response value=Accept></form>""")
        with page.expect_navigation():
            page.evaluate("document.getElementById('f').submit()")
        assert "403" in page.text_content("h1")
        assert all(n["response"] is None for n in xm.emulator.store.notifications(event["id"]))
