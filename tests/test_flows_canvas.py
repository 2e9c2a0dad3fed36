"""The canvas interpreter on the wiring case plan, changed in a tmp copy: loops, joins, failures."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from xmplan._flows.activity import flow_log
from xmplan._flows.flow import MAX_BLOCK_RUNS
from xmplan._runtime.api import Runtime, load_plan

CASE = Path(__file__).parent / "validate_cases" / "flow_wiring"
TRIGGER = "Slack Slash Command - Slack - Parse Slash Command"
T, S, SH, M = ("9060387d-8736-4b29-91b1-f8ca3ae406ee", "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e01",
               "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e02", "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e03")
PAGE = {"command": "/page", "text": "db down", "user_name": "ana"}


def changed(tmp_path: Path, change: Callable[[dict[str, Any]], None], engine: str) -> Runtime:
    folder = tmp_path / "plan"
    shutil.copytree(CASE, folder)
    canvas_file = folder / "plan" / "canvases" / "SlackSlashCommand.json"
    canvas = json.loads(canvas_file.read_text())
    change(canvas)
    canvas_file.write_text(json.dumps(canvas, indent=2))
    return Runtime(load_plan(folder), engine=engine)


def test_a_loop_is_capped_with_a_note(tmp_path: Path) -> None:
    # An edge from Shout back to the switch: /page goes round Urgent? -> Shout for ever.
    def loop(canvas: dict[str, Any]) -> None:
        canvas["edges"].append({"fromBlock": SH, "fromPort": "output", "toBlock": S, "toPort": "input"})

    outcome = changed(tmp_path, loop, "quickjs").run(TRIGGER, parameters=PAGE)
    assert outcome.stopped == f"block runs capped at {MAX_BLOCK_RUNS}"
    assert len(outcome.flow) == MAX_BLOCK_RUNS + 1  # the trigger, then the capped block runs
    assert outcome.path.count("Shout") >= MAX_BLOCK_RUNS // 3
    assert f"stopped after {MAX_BLOCK_RUNS} block runs: the canvas loops" in flow_log(outcome)


def test_merge_waits_for_both_parallel_paths(tmp_path: Path, engine_name: str) -> None:
    # The trigger also feeds the Merge directly: with /page both paths reach it (the direct one
    # first); the Merge waits for Shout's, runs once, and its output is the last arrival's.
    def join(canvas: dict[str, Any]) -> None:
        canvas["edges"].append({"fromBlock": T, "fromPort": "output", "toBlock": M, "toPort": T})
        merge = next(b for b in canvas["blocks"] if b["id"] == M)
        output = merge["mergeOutputs"][0]["outputId"]
        merge["inputMappings"].append({"inputPort": T, "mapping": "direct", "outputId": output})

    outcome = changed(tmp_path, join, engine_name).run(TRIGGER, parameters=PAGE)
    assert outcome.ok, outcome.error
    assert outcome.path == [TRIGGER, "Urgent?", "Shout", "Merge", "xMatters Create Event - Slack Slash Command"]
    merge = outcome.block("Merge")
    assert merge.outputs == {"Message": "DB DOWN!"} and "2 paths arrived" in merge.notes[-1]


def test_a_failing_step_ends_its_path(tmp_path: Path, engine_name: str) -> None:
    # Shout's required input "text" mapped to a trigger output that is empty: the block fails
    # (the step is not run), nothing after it runs, and the outcome names the block.
    def unmapped(canvas: dict[str, Any]) -> None:
        shout = next(b for b in canvas["blocks"] if b["id"] == SH)
        shout["inputMappings"][0]["mapping"] = "${" + T + ".team_id}"

    outcome = changed(tmp_path, unmapped, engine_name).run(TRIGGER, parameters=PAGE)
    assert outcome.path == [TRIGGER, "Urgent?", "Shout"]
    assert outcome.error is not None and "block 'Shout'" in outcome.error.message
    assert "required input 'text' has no value" in outcome.error.message
    assert outcome.events == ()


@pytest.mark.parametrize("script, message", [("throw new Error('boom');", "boom")])
def test_a_throwing_step_reports_its_error(tmp_path: Path, engine_name: str, script: str, message: str) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(CASE, folder)
    (folder / "scripts" / "steps" / "Shout.js").write_text(script + "\n")
    outcome = Runtime(load_plan(folder), engine=engine_name).run(TRIGGER, parameters=PAGE)
    run = outcome.block("Shout")
    assert run.error is not None and message in run.error and "Shout.js:1" in run.error
    assert outcome.path[-1] == "Shout" and not outcome.ok


def test_secrets_read_by_mappings_are_masked(tmp_path: Path) -> None:
    # Shout's input maps a constant named like a secret: the block's inputs show it, so JSON and
    # text outcomes mask it (its upper-cased output is another text and stays).
    folder = tmp_path / "plan"
    shutil.copytree(CASE, folder)
    integrations = folder / "plan" / "integrations" / "integrations.json"
    data = json.loads(integrations.read_text())
    data["constants"] = [{"name": "API Token", "value": "tok-0123456789abcdef", "description": ""}]
    integrations.write_text(json.dumps(data, indent=2))
    canvas_file = folder / "plan" / "canvases" / "SlackSlashCommand.json"
    canvas = json.loads(canvas_file.read_text())
    next(b for b in canvas["blocks"] if b["id"] == SH)["inputMappings"][0]["mapping"] = "${constants.API Token}"
    canvas_file.write_text(json.dumps(canvas, indent=2))
    outcome = Runtime(load_plan(folder), engine="quickjs").run(TRIGGER, parameters=PAGE)
    assert outcome.ok and outcome.block("Shout").inputs == {"text": "tok-0123456789abcdef"}
    shown = json.dumps(outcome.to_json()) + flow_log(outcome)
    assert "tok-0123456789abcdef" not in shown and "****" in shown and "TOK-0123456789ABCDEF!" in shown
