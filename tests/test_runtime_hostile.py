"""Hostile scripts and run input files (issue #8, runtime half): no traceback, bounded output, masked credentials."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from runtime_plans import make_plan, runtime

from xmplan._cli import main
from xmplan._runtime.activity import activity_log
from xmplan._runtime.budget import OUTPUT_LIMIT
from xmplan._runtime.masking import MASK, Masker

SERVICE = {"name": "Service", "baseUrl": "https://service.example/api"}
OTHER_FORM = "0f0f0f0f-0000-4000-8000-00000000ffff"  # not in the plan: only the trigger's shape is checked


def run(engine_name: str, script: str, **options: object):
    rt = runtime(make_plan({"T": script}, endpoints=[SERVICE], constants={"API Token": "tok-9876543210"}),
                 engine_name, **options)
    rt.respond("Service", {"status": 200, "body": "fine", "headers": {"Set-Cookie": "sid=abc", "X-Id": "7"}})
    rt.respond("xMatters", {"status": 200, "body": "{}"}, path="/api/xm/1/people*")
    return rt.run("T")


# --- #8.9: misuse from a script is a JavaScript error the script can catch, or an answer it reads ---

CAUGHT = "try {{ {0}; console.log('no error'); }} catch (e) {{ console.log('caught ' + e.message); }}"


@pytest.mark.parametrize("expression, expected", [
    pytest.param("JXON.stringify({a: 1, b: 2})", "caught JXON.stringify: an XML document has one root element",
                 id="jxon-two-roots"),
    pytest.param("JXON.parse(new Array(5001).join('<a>') + new Array(5001).join('</a>'))",
                 "caught JXON.parse: elements are nested more than 500 deep", id="jxon-deep"),
    pytest.param("var o = {}, c = o; for (var i = 0; i < 1200; i++) { c.a = {}; c = c.a; } form.post(o)",
                 # js2py's own JSON.stringify gives up first (a RangeError), QuickJS's reaches the host
                 ("caught form.post: the value is nested ", "caught RecursionError"), id="form-post-deep"),
])
def test_misuse_is_a_javascript_error_the_script_catches(engine_name, expression, expected):
    outcome = run(engine_name, CAUGHT.format(expression))
    assert outcome.ok, outcome.error
    assert outcome.lines[0].startswith(expected), outcome.lines
    assert activity_log(outcome) and json.dumps(outcome.to_json())  # and it prints


@pytest.mark.parametrize("operation, text", [
    ("form.post", "not json"), ("console", "5"), ("http", "[1]"), ("jxon.parse", '"x"'), ("nothing", "{}"),
    ("console", "[" * 5000), ("jxon.parse", '{"xml": "<a/>", "config": 5}'),
])
def test_calling_the_host_function_directly_gets_an_error_answer(engine_name, operation, text):
    script = f"console.log(JSON.parse(__xmplan_host__({json.dumps(operation)}, {json.dumps(text)})).error);"
    outcome = run(engine_name, script)
    assert outcome.ok, outcome.error
    assert outcome.lines and outcome.lines[0].startswith((operation, "unknown host operation", "JXON")), outcome.lines


@pytest.mark.parametrize("trigger, message", [
    ("{recipients: 5}", "'recipients' must be a list, got 5."),
    ("{properties: 'abc'}", "'properties' must be an object of property names and values."),
    ("{recipients: [5]}", "recipients[0]: expected an object"),
])
def test_a_malformed_trigger_to_an_unknown_form_is_refused_as_xmatters_does(engine_name, trigger, message):
    script = (f"var r = http.request({{endpoint: 'xMatters', path: '/api/xm/1/forms/{OTHER_FORM}/triggers', "
              f"method: 'POST'}}).write({trigger});\nconsole.log(r.statusCode + ' ' + JSON.parse(r.body).message);")
    outcome = run(engine_name, script)
    assert outcome.ok, outcome.error
    assert outcome.lines[0].startswith("400 ") and message in outcome.lines[0]
    assert len(outcome.rejected) == 1 and not outcome.events


@pytest.mark.skipif("js2py" not in __import__("runtime_plans").ENGINES, reason="js2py needs Python <= 3.11")
@pytest.mark.parametrize("expression", ["encodeURIComponent('\\uD800')", "Function('}')"])
def test_a_python_error_inside_js2py_is_a_javascript_error(expression):
    outcome = run("js2py", CAUGHT.format(expression))
    assert outcome.ok, outcome.error
    assert outcome.lines[0].startswith("caught js2py cannot do this ("), outcome.lines


def test_quickjs_out_of_memory_is_said_in_words():
    """QuickJS throws null when it has no memory left even for its error; that was reported as `null`."""
    outcome = run("quickjs", "var a = [];\nfor (;;) { a.push({a: 1, b: 2}); }")
    assert outcome.error is not None
    assert "out of memory" in outcome.error.message, outcome.error
    assert run("quickjs", "throw null;").error.message.startswith("null (thrown by the script, or by QuickJS")


# --- #8.6: output caused through host calls is capped, with a note ---

def test_console_output_is_capped_in_total(engine_name):
    script = "var s = 'x';\nfor (var i = 0; i < 20; i++) { s += s; }\nfor (i = 0; i < 20; i++) { console.log(s); }"
    outcome = run(engine_name, script)
    assert outcome.ok, outcome.error
    assert sum(len(line) for line in outcome.lines) <= OUTPUT_LIMIT
    assert 7 <= len(outcome.lines) <= 9
    assert outcome.notes and "output limit" in outcome.notes[0] and "console lines dropped" in outcome.notes[0]
    assert "NOTE output limit" in activity_log(outcome)
    assert outcome.to_json()["notes"] == list(outcome.notes)


def test_http_bodies_and_events_are_capped_in_total(engine_name):
    script = """var s = 'y'; for (var i = 0; i < 21; i++) { s += s; }  // 2 Mi characters
for (var i = 0; i < 4; i++) { http.request({endpoint: 'Service', path: '/x', method: 'POST'}).write(s); }
form.post({properties: {Summary: s}});
console.log('done');"""
    outcome = run(engine_name, script)
    assert outcome.ok, outcome.error
    recorded = sum(len(c.body or "") + len(c.response.body if c.response else "") for c in outcome.http)
    recorded += sum(len(json.dumps(e.trigger)) for e in outcome.events)
    assert recorded <= OUTPUT_LIMIT + 200
    assert len(outcome.http) == 4 and len(outcome.events) == 1  # every call is still recorded, cut short
    assert outcome.events[0].properties == {} and "output limit" in outcome.events[0].notes[-1]
    assert "HTTP bodies cut" in outcome.notes[0] and "1 console lines dropped" in outcome.notes[0]


# --- #8.8: masking is linear and complete ---

def test_masking_a_long_hostile_path_is_linear(engine_name):
    script = "http.request({endpoint: 'Service', path: '/x' + new Array(5001).join('?token')}).write();"
    outcome = run(engine_name, script)
    started = time.monotonic()
    activity_log(outcome)
    json.dumps(outcome.to_json())
    assert time.monotonic() - started < 1.0


def test_every_text_leaving_the_runtime_is_masked(engine_name):
    script = """http.request({endpoint: 'Service', method: 'GET',
  path: '/search?token=t1&access_token=t2&api_key=t3&apikey=t4&pwd=t5&signature=t6&author=alice&sortKey=created',
  headers: {'X-Auth-Token': 'h1', 'Private-Token': 'h2', 'Authorization': 'Basic h3', 'Accept': 'text/plain'}}).write();
console.log('using ' + constants['API Token'] + ' for https://bob:hunter22@service.example/');
throw new Error('failed with ' + constants['API Token']);"""
    outcome = run(engine_name, script)
    log = activity_log(outcome)
    shown = json.dumps(outcome.to_json())
    for text in (log, shown):
        for secret in ("t1", "t2", "t3", "t4", "t5", "t6", "hunter22", "tok-9876543210", "sid=abc"):
            assert f"={secret}" not in text and secret not in text.replace("hunter", "").replace("sid=", "")
        assert "author=alice" in text and "sortKey=created" in text
        assert "bob:****@service.example" in text
    assert "FAILED test.zip/integrations/integrations.json#/integrations/0/script:5" in log
    assert "Error: failed with ****" in log
    [call] = outcome.to_json()["http"]
    assert call["headers"] == {"X-Auth-Token": MASK, "Private-Token": MASK, "Authorization": MASK,
                               "Accept": "text/plain"}
    assert call["response"]["headers"] == {"Set-Cookie": MASK, "X-Id": "7"}
    assert outcome.http[0].headers["X-Auth-Token"] == "h1"  # the Python API keeps what was sent


@pytest.mark.parametrize("text, expected", [
    ("https://u:p4ss@h/x?key=1&sortKey=2&author=3&X-Amz-Signature=4", "https://u:****@h/x?key=****&sortKey=2&author=3"
                                                                       "&X-Amz-Signature=****"),
    ("GET /a?password=x;sessionid=y#frag", "GET /a?password=****;sessionid=****#frag"),
    ("a=1&client_secret=s&monkey=m", "a=1&client_secret=****&monkey=m"),
    ("http://user@host/ and ftp://a:b@c", "http://user@host/ and ftp://a:****@c"),
    ("no url here: key=value", "no url here: key=value"),
])
def test_the_masking_function(text, expected):
    assert Masker().text(text) == expected


# --- run input files: one located line, exit 1, no traceback ---

def _invite_args(tmp_path: Path, request: bytes) -> list[str]:
    path = tmp_path / "request.json"
    path.write_bytes(request)
    return ["run", "tests/samples/minimal", "Inbound", "--request", str(path)]


@pytest.mark.parametrize("content, message", [
    pytest.param(b'{"body": "caf\xe9"}', ":1:14: error: not UTF-8 text", id="not-utf8"),
    pytest.param(b"[" * 3000 + b"]" * 3000, ": error: JSON nested too deeply", id="deep"),
    pytest.param(b'{"body": "' + b"x" * (17 * 1024 * 1024) + b'"}', ": error: larger than 16 MiB", id="huge"),
    pytest.param(b'{"body": ' + b"9" * 5000 + b"}", ": error: not usable JSON", id="huge-integer"),
])
def test_bad_request_files(tmp_path, capsys, content, message):
    request = tmp_path / "request.json"
    request.write_bytes(content)
    assert main(["run", "tests/samples/minimal", "X", "--request", str(request)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(str(request) + message) and err.count("\n") == 1, err


@pytest.mark.parametrize("content, message", [
    ("5", 'a fake response must be an object {"status", "body", "headers"}, got 5'),
    ("null", 'a fake response must be an object {"status", "body", "headers"}, got null'),
    ("[5]", 'a fake response must be an object {"status", "body", "headers"}, got 5'),
    ('{"headers": [1]}', "fake response headers must be an object of names and values, got [1]"),
    ('[{"status": 200}, 7]', "answer 2: a fake response must be an object"),
])
def test_bad_respond_files(tmp_path, capsys, content, message):
    request = tmp_path / "request.json"
    request.write_text('{"body": ""}')
    answer = tmp_path / "answer.json"
    answer.write_text(content)
    assert main(["run", "tests/samples/minimal", "X", "--request", str(request),
                 "--respond", f"xMatters={answer}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{answer}: error: {message}") and err.count("\n") == 1, err
