"""The pytest plugin's fixture runs custom steps and flows: `xmplan.run_step`, `xmplan.run_flow`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
CASE = Path(__file__).parent / "validate_cases" / "flow_wiring"

USER_TEST = '''
def test_step(xmplan):
    outcome = xmplan.run_step("Shout", {"text": "db down"})
    assert outcome.ok and outcome.outputs == {"loud": "DB DOWN!"}


def test_flow(xmplan):
    outcome = xmplan.run_flow("Slack Slash Command - Slack - Parse Slash Command",
                              parameters={"command": "/page", "text": "db down", "user_name": "ana"})
    assert outcome.path[-2:] == ["Merge", "xMatters Create Event - Slack Slash Command"]
    assert outcome.block("Shout").outputs == {"loud": "DB DOWN!"}
    assert outcome.events[0].properties == {"Message": "DB DOWN! (from ana)"}


def test_built_in_fake(xmplan):
    outcome = xmplan.run_flow("Slack Slash Command - Slack - Parse Slash Command", body="",
                              step_outputs={"Get Events": {"Total Event Count": "0"}})
    assert xmplan.step_outputs["Get Events"] == {"Total Event Count": "0"} and outcome.ok
'''


def test_fixture_runs_steps_and_flows(pytester: pytest.Pytester) -> None:
    shutil.copytree(CASE, pytester.path / "plan")
    pytester.makeini("[pytest]\nxmplan_plan = plan\n")
    pytester.makepyfile(test_user=USER_TEST)
    pytester.runpytest().assert_outcomes(passed=3)
