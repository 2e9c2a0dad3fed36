"""`xmplan run PLAN INTEGRATION --request FILE [--respond "ENDPOINT [METHOD] [PATH]=FILE" ...]`."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import xmplan_cli
from runtime_plans import make_plan

from xmplan._cli import main

SCRIPT = """\
var payload = JSON.parse(request.body);
console.log('Got ' + payload.summary + ' from ' + request.headers['user-agent']);
var r = http.request({endpoint: 'Service', path: '/lookup/' + payload.host, method: 'GET'}).write();
var r2 = http.request({endpoint: 'Service', path: '/lookup/again', method: 'GET'}).write();
trigger.properties.Summary = payload.summary + ' on ' + JSON.parse(r.body).owner + '/' + JSON.parse(r2.body).owner;
trigger.recipients = [{id: 'ops', recipientType: 'GROUP'}];
form.post(trigger);
"""


@pytest.fixture
def plan_zip(tmp_path: Path) -> Path:
    plan = make_plan({"Inbound": SCRIPT, "Broken": "var x = 1;\nthrow new Error('bad input');"},
                     endpoints=[{"name": "Service", "baseUrl": "https://svc.example"}])
    path = tmp_path / "plan.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for entry in plan.entries:
            archive.writestr(entry.name, json.dumps(entry.data, indent=2))
    return path


def write(tmp_path: Path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)




@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {
        "request": write(tmp_path, "req.json", {"body": {"summary": "Disk full", "host": "db1"},
                                                "headers": {"User-Agent": "curl"}}),
        "respond": write(tmp_path, "svc.json", [{"status": 200, "body": {"owner": "dba"}},
                                                {"status": 200, "body": {"owner": "sre"}}]),
    }


def test_text_activity_log(plan_zip, files):
    code, out, err = xmplan_cli("run", str(plan_zip), "Inbound", "--request", files["request"],
                             "--respond", f"Service={files['respond']}")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == 'Integration "Inbound"'
    assert lines[1] == "  console.log: Got Disk full from curl"
    assert lines[2] == '  HTTP GET https://svc.example/lookup/db1 (endpoint "Service") -> 200 OK (fake)'
    assert '  form.post -> event 1000001 created on form "Alert"' in lines
    assert '      properties: {"Summary": "Disk full on dba/sre"}' in lines
    assert lines[-1] == "COMPLETED 1 event, 2 HTTP requests, 1 console line"


def test_json_format(plan_zip, files):
    code, out, _ = xmplan_cli("run", str(plan_zip), "Inbound", "--request", files["request"],
                           "--respond", f"Service={files['respond']}", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["error"] is None
    assert [e["properties"] for e in data["events"]] == [{"Summary": "Disk full on dba/sre"}]
    assert [(h["method"], h["path"], h["response"]["status"]) for h in data["http"]] == [
        ("GET", "/lookup/db1", 200), ("GET", "/lookup/again", 200)]
    assert data["console"] == [{"level": "log", "text": "Got Disk full from curl"}]


def test_script_error_exits_1_with_the_place_in_the_zip_entry(plan_zip, files):
    """A script stored as a JSON string: the failing line is found inside that string."""
    text = zipfile.ZipFile(plan_zip).read("integrations/integrations.json").decode()
    offset = text.index("throw new Error")
    line, column = text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    code, out, _ = xmplan_cli("run", str(plan_zip), "Broken", "--request", files["request"])
    assert code == 1
    found = re.fullmatch(rf"FAILED {re.escape(str(plan_zip))}/integrations/integrations\.json:(\d+):(\d+): "
                         r"Error: bad input", out.splitlines()[-1])
    # js2py knows the line only (its first column); QuickJS also the column within the statement.
    assert found and int(found[1]) == line
    assert column <= int(found[2]) < column + len("throw new Error('bad input');")


def test_unanswered_request_fails_clearly(plan_zip, files):
    code, out, _ = xmplan_cli("run", str(plan_zip), "Inbound", "--request", files["request"])
    assert code == 1
    assert "No fake response for GET https://svc.example/lookup/db1" in out


@pytest.mark.parametrize("argv, message", [
    (["Nope", "--request", "{request}"], "no integration named 'Nope'"),
    (["Inbound", "--request", "{missing}"], "No such file or directory"),
    (["Inbound", "--request", "{bad}"], "bad.json:1:2: error: not JSON"),
    (["Inbound", "--request", "{list}"], 'expected a JSON object {"body"'),
    (["Inbound", "--request", "{request}", "--respond", "Service={badanswer}"], "unknown keys in fake response"),
])
def test_bad_input_is_one_line_and_exit_1(plan_zip, files, tmp_path, argv, message):
    names = dict(files, missing=str(tmp_path / "missing.json"), bad=write(tmp_path, "bad.json", "{,}"),
                 list=write(tmp_path, "list.json", []), badanswer=write(tmp_path, "ba.json", {"code": 1}))
    code, out, err = xmplan_cli("run", str(plan_zip), *[a.format(**names) for a in argv])
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and message in err, err


def test_source_tree_errors_name_the_js_file(plan_zip, files, tmp_path):
    tree = tmp_path / "tree"
    assert main(["unpack", str(plan_zip), str(tree)], io.StringIO(), io.StringIO()) == 0
    code, out, _ = xmplan_cli("run", str(tree), "Broken", "--request", files["request"])
    assert code == 1
    assert out.splitlines()[-1].startswith(f"FAILED {tree}/scripts/integrations/Broken.js:2")


def test_a_malformed_respond_option_is_a_usage_error(plan_zip, files):
    code, out, err = xmplan_cli("run", str(plan_zip), "Inbound", "--request", files["request"], "--respond", "Service")
    assert (code, out) == (2, "")
    assert err == "xmplan: error: --respond expects ENDPOINT [METHOD] [PATH]=FILE, got 'Service'\n"
    # an endpoint the plan lacks is a usage error too, as for --real-http and --endpoint
    code, out, err = xmplan_cli("run", str(plan_zip), "Inbound", "--request", files["request"],
                             "--respond", f"Other={files['respond']}")
    assert (code, out) == (2, "") and err == ("xmplan: error: --respond: no endpoint named 'Other' "
                                              "(the plan has: Service, xMatters)\n")


FLAGSHIP = Path(__file__).resolve().parents[1]
RESPONSE_CALLBACK = {"eventIdentifier": 1000001, "eventProperties": [{"Room ID": "4242"}, {"Room Name": "Ops"}],
                     "recipient": "mmcbride", "device": "Work Email", "response": "Accept", "annotation": "null"}


def test_constant_fills_in_a_constant_the_export_leaves_blank(tmp_path: Path) -> None:
    request = write(tmp_path, "callback.json", {"body": RESPONSE_CALLBACK})
    answer = write(tmp_path, "hipchat.json", {"status": 204})
    argv = ["run", str(FLAGSHIP), "Post Response to Room", "--request", request, "--respond", f"HipChat={answer}"]
    code, out, err = xmplan_cli(*argv)
    assert (code, err) == (0, "") and "constant is blank" in out and "HTTP POST" not in out
    code, out, err = xmplan_cli(*argv, "--constant", "HipChat Token=s3cr3t-t0ken-value", "--format", "json")
    assert (code, err) == (0, "")
    [call] = json.loads(out)["http"]
    assert call["method"] == "POST" and call["url"].endswith("/v2/room/4242/notification")
    assert "s3cr3t-t0ken-value" not in out  # a secret-named constant's value is masked, as in serve


def test_constant_must_name_a_constant_of_the_plan(tmp_path: Path) -> None:
    request = write(tmp_path, "callback.json", {"body": RESPONSE_CALLBACK})
    code, out, err = xmplan_cli("run", str(FLAGSHIP), "Post Response to Room", "--request", request,
                                "--constant", "Nope=1")
    assert (code, out) == (2, "")
    assert err == "xmplan: error: --constant: no constant named 'Nope' (the plan has: HipChat Token, HipChat URL)\n"
