"""`xmplan run PLAN STEP`: custom steps by name, their inputs, libraries, endpoint and outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS

from xmplan._cli import main
from xmplan._runtime.api import Runtime, load_plan

HANDY = CORPUS / "richselby7878__xm-labs-handy-flow-steps__HandyFlowSteps.zip"
TOPDESK = CORPUS / "InfoJester__xm-labs-topdesk__TopDesk.zip"


@pytest.fixture
def handy() -> Path:
    if not HANDY.is_file():
        pytest.skip("the corpus is not here")
    return HANDY


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_step_outputs_in_json(handy: Path, engine_name: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Truncate keeps the first "Character Limit" characters and says whether it cut anything.
    code, out, _ = run_cli(capsys, "run", str(handy), "Truncate", "--input", "String=hello world",
                           "--input", "Character Limit=5", "--engine", engine_name, "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert shown["outputs"]["String"] == "hello" and shown["outputs"]["isTruncated"] == "true"
    assert shown["error"] is None and shown["console"]


def test_step_text_lists_outputs(handy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", str(handy), "Reverse", "--input", "text=abc")
    assert code == 0 and out.startswith('Step "Reverse"') and 'output["backwardsText"] = "cba"' in out


def test_missing_required_input_is_named(handy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", str(handy), "Truncate", "--input", "String=x")
    assert code == 1 and "required input 'Character Limit' has no value" in err and "\n" == err[-1]


def test_unknown_input_and_too_long_input(handy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", str(handy), "Reverse", "--input", "txt=abc")
    assert code == 1 and "has no input 'txt' (inputs: 'text')" in err
    # Reverse declares maxLength 2000 for "text" (xMatters' own limit is 20,000).
    code, _, err = run_cli(capsys, "run", str(handy), "Reverse", "--input", "text=" + "x" * 2001)
    assert code == 1 and "input 'text' is 2001 characters, more than its maximum of 2000" in err


def test_defaults_fill_inputs(handy: Path, engine_name: str) -> None:
    # Strip Prefix's "Trim Whitespace" defaults to "true": the rest after the prefix is trimmed.
    rt = Runtime(load_plan(handy), engine=engine_name)
    outcome = rt.run_step("Strip Prefix", {"String": "INC:  42 ", "Prefix": "INC:"})
    assert outcome.ok, outcome.error
    assert outcome.outputs == {"trimmedString": "42"}


def test_endpoint_for_redirects_the_step_label(engine_name: str) -> None:
    # "TOPDesk: Add Action" names its endpoint label "TOPDesk"; the plan's endpoints are
    # "TOPDesk App Key" and "TOPDesk no auth": the block (or --endpoint-for) picks one.
    if not TOPDESK.is_file():
        pytest.skip("the corpus is not here")
    rt = Runtime(load_plan(TOPDESK), engine=engine_name)
    rt.respond("TOPDesk no auth", {"status": 204, "body": ""})
    outcome = rt.run_step("TOPDesk: Add Action", {"Incident UNID": "u-9", "Action Text": "hi"},
                          endpoint="TOPDesk no auth")
    assert outcome.ok, outcome.error
    (call,) = outcome.http
    assert call.endpoint == "TOPDesk no auth" and call.path == "/tas/api/incidents/id/u-9"
    without = rt.run_step("TOPDesk: Add Action", {"Incident UNID": "u-9", "Action Text": "hi"})
    assert without.error is not None and 'Endpoint "TOPDesk" is not defined' in without.error.message


def test_flow_cli_text_log_and_step_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = CORPUS / "xmatters__xm-labs-azure-monitor__AzureMonitor__20200827-c25d3745.zip"
    if not plan.is_file():
        pytest.skip("the corpus is not here")
    request = tmp_path / "alert.json"
    request.write_text(json.dumps({"body": {"schemaId": "azureMonitorCommonAlertSchema", "data": {
        "essentials": {"alertId": "a1", "monitorCondition": "Resolved"}, "alertContext": {}}}}))
    events = tmp_path / "get-events.json"
    events.write_text(json.dumps({"Total Event Count": "0", "Event IDs": ""}))
    code, out, _ = run_cli(capsys, "run", str(plan), "Integrated Alert - Azure Monitor Inbound", "--request",
                           str(request), "--step-output", f"Get Events={events}")
    assert code == 0, out
    assert '[3] SCRIPT_STEP "Get Events"' in out and '-> path "0"' in out and "COMPLETED 4 blocks" in out
    code, out, _ = run_cli(capsys, "run", str(plan), "Integrated Alert - Azure Monitor Inbound", "--request",
                           str(request), "--format", "json")
    assert code == 1
    shown = json.loads(out)
    assert shown["stopped"].startswith("block 'Get Events' runs xMatters' built-in step")
    assert [b["block"] for b in shown["flow"]] == shown["path"]


CASE = Path(__file__).parent / "validate_cases" / "flow_wiring"


@pytest.mark.parametrize("command, path, message", [
    ("/page", ["Slack Slash Command - Slack - Parse Slash Command", "Urgent?", "Shout", "Merge",
               "xMatters Create Event - Slack Slash Command"], "DB DOWN! (from ana)"),
    ("/note", ["Slack Slash Command - Slack - Parse Slash Command", "Urgent?", "Merge",
               "xMatters Create Event - Slack Slash Command"], "db down (from ana)"),
])
def test_hand_made_flow_switch_merge_event(engine_name: str, command: str, path: list[str], message: str) -> None:
    # The case plan of the wiring checks: "Urgent?" sends /page through "Shout" (upper-cases and
    # adds "!"), anything else by its default path straight to the Merge, which maps Shout's
    # output on the first path and the trigger's text on the other; the event's Message is
    # "<merged> (from <user>)" and its recipient the Slack user name.
    rt = Runtime(load_plan(CASE), engine=engine_name)
    outcome = rt.run("Slack Slash Command - Slack - Parse Slash Command",
                     parameters={"command": command, "text": "db down", "user_name": "ana"})
    assert outcome.ok, outcome.error
    assert outcome.path == path
    (event,) = outcome.events
    assert event.properties == {"Message": message} and event.recipients == ({"id": "ana"},)


def test_condition_paths_take_the_first_that_holds() -> None:
    from xmplan._flows.conditions import condition_port
    from xmplan._flows.mappings import Scope

    def path(pid: str, order: int, *conditions: tuple[str, str, str], connector: str = "AND") -> dict[str, object]:
        config = {"sets": [], "connector": connector,
                  "conditions": [{"left": left, "right": right, "operator": op} for left, right, op in conditions]}
        return {"id": pid, "name": pid, "orderNum": order, "config": json.dumps(config)}

    scope = Scope({}, trigger={"statusChanged": {"auditType": "EVENT_TERMINATED", "by": {"id": ""}}})
    audit, by = "${triggerOutputSTATUS.statusChanged.auditType}", "${triggerOutputSTATUS.statusChanged.by.id}"
    block = {"conditionPaths": [path("created", 1, (audit, "EVENT_CREATED", "EQUALS")),
                                path("timed-out", 2, (audit, "EVENT_TERMINATED", "EQUALS"), (by, "", "IS_EMPTY")),
                                path("by-someone", 3, (audit, "EVENT_TERMINATED", "EQUALS"), (by, "", "IS_NOT_EMPTY"))]}
    assert condition_port(block, scope)[:2] == ("timed-out", "timed-out")
    scope.trigger = {"statusChanged": {"auditType": "EVENT_SUSPENDED"}}
    assert condition_port(block, scope)[:2] == (None, "default")
