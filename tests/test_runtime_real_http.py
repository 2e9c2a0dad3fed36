"""`xmplan run --real-http ENDPOINT --endpoint NAME=URL`: real requests to a server on 127.0.0.1 (#9.5)."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import xmplan_cli
from runtime_plans import make_plan

TOKEN = "tok-5up3r-53cr3t-value"
SCRIPT = """\
var answer = http.request({endpoint: 'Service', path: '/tickets?owner=ops', method: 'POST',
                           headers: {'Authorization': 'Bearer ' + constants['API Token']}}).write({title: 'Disk'});
console.log(answer.statusCode + ' ' + JSON.parse(answer.body).seen);
"""


class _Echo(BaseHTTPRequestHandler):
    """Answers 201 with what it was sent, the token included (a careless server would)."""

    seen: list[tuple[str, str, str]] = []

    def do_POST(self) -> None:  # http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        auth = self.headers.get("Authorization", "")
        self.seen.append((self.path, auth, body))
        answer = json.dumps({"seen": f"{self.path} {body}", "auth": auth}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    _Echo.seen = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    plan = make_plan({"Inbound": SCRIPT}, endpoints=[{"name": "Service", "baseUrl": "https://service.invalid/v2"},
                                                     {"name": "Other", "baseUrl": "https://other.invalid"}],
                     constants={"API Token": TOKEN})
    with zipfile.ZipFile(tmp_path / "plan.zip", "w") as archive:
        for entry in plan.entries:
            archive.writestr(entry.name, json.dumps(entry.data))
    (tmp_path / "request.json").write_text('{"body": "{}"}', encoding="utf-8")
    return {"plan": str(tmp_path / "plan.zip"), "request": str(tmp_path / "request.json")}


@pytest.mark.parametrize("output", ["text", "json"])
def test_real_http_goes_to_the_overridden_base_url_with_secrets_masked(engine_name, files, server, output):
    code, out, err = xmplan_cli("run", files["plan"], "Inbound", "--request", files["request"], "--engine", engine_name,
                         "--real-http", "Service", "--endpoint", f"Service={server}/v2", "--format", output)
    assert (code, err) == (0, "")
    [(path, auth, body)] = _Echo.seen
    assert (path, auth, json.loads(body)) == ("/v2/tickets?owner=ops", f"Bearer {TOKEN}", {"title": "Disk"})
    assert TOKEN not in out  # the server echoed it back: masked all the same
    if output == "text":
        assert f'HTTP POST {server}/v2/tickets?owner=ops (endpoint "Service") -> 201 Created (real)' in out
        assert '  console.log: 201 /v2/tickets?owner=ops {"title":"Disk"}' in out
    else:
        [call] = json.loads(out)["http"]
        assert call["real"] and call["url"] == f"{server}/v2/tickets?owner=ops"
        assert call["headers"]["Authorization"] == "****"


def test_without_real_http_nothing_leaves_and_the_error_names_the_flag(engine_name, files, server):
    code, out, _ = xmplan_cli("run", files["plan"], "Inbound", "--request", files["request"], "--engine", engine_name,
                       "--endpoint", f"Service={server}", "--real-http", "Other")
    assert code == 1 and _Echo.seen == []
    last = out.splitlines()[-1]
    assert last.startswith(f"FAILED {files['plan']}/integrations/integrations.json:1:")
    assert last.endswith(f'Error: No fake response for POST {server}/tickets?owner=ops (endpoint "Service"); '
                         f'register one (--respond "Service=FILE") or allow real HTTP (--real-http "Service")')


@pytest.mark.parametrize("argv, message", [
    (["--real-http", "*"], "--real-http takes an endpoint's name, not '*': name each endpoint whose requests "
                           "may leave this machine"),
    (["--real-http", "Nope"], "--real-http: no endpoint named 'Nope' (the plan has: Other, Service, xMatters)"),
    (["--endpoint", "Nope=http://127.0.0.1:9"], "--endpoint: no endpoint named 'Nope' (the plan has: Other, Service, "
                                                "xMatters)"),
    (["--endpoint", "Service"], "--endpoint expects NAME=URL, got 'Service'"),
    (["--endpoint", "Service=ftp://x"], "--endpoint Service: expected an http or https URL, got 'ftp://x'"),
    (["--endpoint", "Service=http://"], "--endpoint Service: expected an http or https URL, got 'http://'"),
])
def test_bad_real_http_and_endpoint_options_are_usage_errors(files, argv, message):
    code, out, err = xmplan_cli("run", files["plan"], "Inbound", "--request", files["request"], *argv)
    assert (code, out, err) == (2, "", f"xmplan: error: {message}\n")
