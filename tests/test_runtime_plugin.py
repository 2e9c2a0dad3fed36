"""The pytest plugin, registered through the pytest11 entry point, gives users fixtures for their plan."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from runtime_plans import make_plan

pytest_plugins = ["pytester"]

USER_TEST = """
def test_alert(xmplan):
    xmplan.respond("Service", {"status": 200, "body": {"owner": "dba"}})
    outcome = xmplan.run("Inbound", body={"summary": "Disk"})
    assert outcome.ok, outcome.error
    assert outcome.events[0].properties == {"Summary": "Disk by dba"}
    assert outcome.http[0].path == "/owner"

def test_factory(xmplan_runtime, tmp_path):
    runtime = xmplan_runtime(time_limit=5)
    assert runtime.time_limit == 5 and runtime.integration("Inbound")["name"] == "Inbound"
"""
SCRIPT = ("var p = JSON.parse(request.body);\n"
          "var owner = JSON.parse(http.request({endpoint: 'Service', path: '/owner'}).write().body).owner;\n"
          "form.post({properties: {Summary: p.summary + ' by ' + owner}});")


def test_entry_point_is_registered():
    from importlib.metadata import entry_points

    assert "xmplan._runtime.pytest_plugin" in [e.value for e in entry_points(group="pytest11")]


def test_fixtures_run_the_configured_plan(pytester):
    plan = make_plan({"Inbound": SCRIPT}, endpoints=[{"name": "Service", "baseUrl": "https://svc.example"}])
    with zipfile.ZipFile(pytester.path / "plan.zip", "w") as archive:
        for entry in plan.entries:
            archive.writestr(entry.name, json.dumps(entry.data))
    pytester.makeini("[pytest]\nxmplan_plan = plan.zip\n")
    pytester.makepyfile(test_user=USER_TEST)
    pytester.runpytest().assert_outcomes(passed=2)


def test_missing_configuration_is_a_clear_failure(pytester):
    pytester.makepyfile(test_user="def test_it(xmplan):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no plan configured: set xmplan_plan*"])


def test_one_tests_change_to_its_plan_does_not_reach_the_next(pytester):
    plan = make_plan({"Inbound": "console.log('original');"})
    with zipfile.ZipFile(pytester.path / "plan.zip", "w") as archive:
        for entry in plan.entries:
            archive.writestr(entry.name, json.dumps(entry.data))
    pytester.makeini("[pytest]\nxmplan_plan = plan.zip\n")
    pytester.makepyfile(test_user="""
def test_a_changes_its_plan(xmplan):
    xmplan.plan.integrations[0]["name"] = "Changed"

def test_b_sees_the_plan_as_loaded(xmplan):
    assert xmplan.plan.integrations[0]["name"] == "Inbound"
""")
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_the_docs_example_passes_on_the_flagship_plan(pytester):
    # docs/runtime.md's "From pytest" block, its outage test run as a user would (the callback it leaves out added).
    docs = (Path(__file__).parents[1] / "docs" / "runtime.md").read_text("utf-8")
    block = docs.split("## From pytest", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    example = block[block.index("def test_hipchat_outage_is_logged"):]
    callback = {"eventIdentifier": 1000001, "recipient": "mmcbride", "response": "Accept", "annotation": "null",
                "eventProperties": [{"Room ID": "4242"}, {"Room Name": "Ops War Room"}]}
    pytester.makepyfile(test_user=f"callback = {callback!r}\n\n\n{example}")
    pytester.runpytest("--xmplan-plan", str(Path(__file__).parents[1])).assert_outcomes(passed=1)
