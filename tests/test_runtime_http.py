"""http.request/write against fake answers, and real HTTP only when asked (to a local server)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from runtime_plans import make_plan, runtime

from xmplan._errors import XmplanError
from xmplan._runtime.outcome import HttpResponse

SERVICE = {"name": "Service", "baseUrl": "https://service.example/api/"}

POST_OBJECT = """\
var req = http.request({endpoint: 'Service', path: '/tickets', method: 'POST', headers: {'X-Key': 'k'}});
var resp = req.write({title: 'Disk', count: 2});
console.log(resp.statusCode + ' ' + resp.statusMessage + ' ' + JSON.parse(resp.body).id + ' ' + resp.headers['X-Id']);
"""


def rt(engine_name, script, **options):
    return runtime(make_plan({"Test": script}, endpoints=[SERVICE]), engine_name, **options)


def test_object_body_is_sent_as_json_and_response_read(engine_name):
    r = rt(engine_name, POST_OBJECT)
    r.respond("Service", {"status": 201, "body": {"id": "T-1"}, "headers": {"X-Id": "9"}})
    outcome = r.run("Test")
    assert outcome.lines == ["201 Created T-1 9"]
    [call] = outcome.http
    assert (call.endpoint, call.method, call.path, call.url) == (
        "Service", "POST", "/tickets", "https://service.example/api/tickets")
    assert call.headers == {"X-Key": "k", "Content-Type": "application/json"}
    assert call.json == {"title": "Disk", "count": 2}


def test_header_values_are_sent_as_javascript_text(engine_name):
    script = ("http.request({endpoint: 'Service', path: '/x', headers: {'X-Flag': true, 'X-N': 1.5, 'X-O': {a: 1},"
              " 'X-Null': null, 'X-Undefined': undefined}}).write();")
    r = rt(engine_name, script)
    r.respond("Service", {"status": 204})
    [call] = r.run("Test").http
    assert call.headers == {"X-Flag": "true", "X-N": "1.5", "X-O": "[object Object]"}


def test_non_2xx_does_not_throw(engine_name):
    r = rt(engine_name, "var r = http.request({endpoint: 'Service', path: '/x'}).write();\n"
                        "console.log(r.statusCode + r.body);")
    r.respond("Service", {"status": 404, "body": "gone"})
    outcome = r.run("Test")
    assert outcome.ok and outcome.lines == ["404gone"]
    assert outcome.http[0].method == "GET" and outcome.http[0].body is None


def test_answers_in_order_last_repeats_and_specific_rules_win(engine_name):
    script = ("for (var i = 0; i < 3; i++) { "
              "console.log(http.request({endpoint: 'Service', path: '/a?i=' + i}).write().body); }\n"
              "console.log(http.request({endpoint: 'Service', path: '/b', method: 'DELETE'}).write().body);\n"
              "console.log(http.request({endpoint: 'Service', path: '/c', method: 'POST'}).write('x=1').body);")
    r = rt(engine_name, script)
    r.respond("Service", {"body": "any"})
    r.respond("Service", {"body": "first"}, {"body": "then"}, path="/a")
    r.respond("Service", {"body": "deleted"}, method="DELETE", path="/b*")
    r.respond("Service", lambda sent: {"body": sent.method + ":" + sent.body})
    assert r.run("Test").lines == ["first", "then", "then", "deleted", "POST:x=1"]
    assert r.run("Test").lines[0] == "first"  # every run starts the answers afresh


def test_auto_encode_uri(engine_name):
    script = ("http.request({endpoint: 'xMatters', path: '/api/xm/1/groups/Ops Team'}).write();\n"
              "http.request({endpoint: 'xMatters', path: 'api/xm/1/events?propertyName=id%23en', "
              "autoEncodeURI: 'false'}).write();\n"
              "http.request({endpoint: 'xMatters', path: '/api/xm/1/events?propertyName=id%23en'}).write();")
    r = rt(engine_name, script)
    r.respond("xMatters", {"body": "{}"})
    urls = [c.url for c in r.run("Test").http]
    assert urls == ["https://xmatters.invalid/api/xm/1/groups/Ops%20Team",
                    "https://xmatters.invalid/api/xm/1/events?propertyName=id%23en",
                    "https://xmatters.invalid/api/xm/1/events?propertyName=id%23en"]  # an escape is kept


def test_unknown_endpoint_fails(engine_name):
    outcome = rt(engine_name, "http.request({endpoint: 'Nope', path: '/'}).write();").run("Test")
    assert 'Endpoint "Nope" is not defined' in outcome.error.message


def test_unanswered_request_is_a_clear_failure(engine_name):
    outcome = rt(engine_name, "http.request({endpoint: 'Service', path: '/x'}).write();").run("Test")
    assert "No fake response for GET https://service.example/api/x" in outcome.error.message
    assert outcome.http[0].response is None and "No fake response" in outcome.http[0].error


def test_scripts_can_catch_a_failed_request(engine_name):
    script = ("try { http.request({endpoint: 'Service', path: '/x'}).write(); } "
              "catch (e) { console.log('caught ' + e.message.substr(0, 16)); }")
    outcome = rt(engine_name, script).run("Test")
    assert outcome.ok and outcome.lines == ["caught No fake response"]


def test_respond_refuses_unknown_endpoints_and_bad_answers():
    r = runtime(make_plan({"Test": ""}, endpoints=[SERVICE]), "js2py" if "js2py" in _engines() else "quickjs")
    with pytest.raises(XmplanError, match="no endpoint named 'Nope'"):
        r.respond("Nope", {"status": 200})
    with pytest.raises(XmplanError, match="unknown keys in fake response: code"):
        r.respond("Service", {"code": 200})
    with pytest.raises(XmplanError, match="HTTP status number"):
        r.respond("Service", {"status": "200"})


def _engines():
    from xmplan._runtime.engines import available_engines

    return available_engines()


class _Handler(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.seen.append((self.path, self.headers.get("X-Key"), body))
        answer = json.dumps({"echo": json.loads(body)}).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.seen = []
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)  # poll 0.01 s
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_real_http_only_when_asked(engine_name, local_server):
    r = rt(engine_name, POST_OBJECT.replace("resp.headers['X-Id']", "resp.headers['Content-Type']"),
           real_http=["Service"], base_urls={"Service": local_server + "/api"})
    outcome = r.run("Test")
    assert outcome.ok, outcome.error
    assert outcome.lines == ["202 Accepted undefined application/json"]
    [(path, key, body)] = _Handler.seen
    assert (path, key, json.loads(body)) == ("/api/tickets", "k", {"title": "Disk", "count": 2})
    assert outcome.http[0].real and outcome.http[0].response.status == 202
    # Without real_http the same runtime setup never leaves the process.
    offline = rt(engine_name, POST_OBJECT, base_urls={"Service": local_server + "/api"}).run("Test")
    assert "No fake response" in offline.error.message and len(_Handler.seen) == 1


def test_fake_answers_win_over_real_http(engine_name, local_server):
    r = rt(engine_name, POST_OBJECT, real_http=True, base_urls={"Service": local_server})
    r.respond("Service", HttpResponse(200, '{"id": "F"}', {"X-Id": "f"}, "OK"))
    assert r.run("Test").lines == ["200 OK F f"] and _Handler.seen == []
