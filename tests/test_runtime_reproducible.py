"""Reproducible runs: `--clock` and `--seed` on the command line, in the API and the pytest plugin (#9.4)."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, xmplan_cli
from runtime_plans import make_plan, runtime

from xmplan._runtime.api import Runtime, load_plan
from xmplan._runtime.reproducible import RunIds, parse_clock

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
CLOCK = "2026-01-05T09:00:00Z"
START = parse_clock(CLOCK)
# Two of the six Shift Gaps exports: its script asks moment.js for "tomorrow" and "in 8 days".
SHIFT_GAPS = ["xmatters__xM-Labs-Shift_Gaps__ShiftGaps__20170918-dd308be2.zip",
              "xmatters__xM-Labs-Shift_Gaps__ShiftGaps__20180418-959dd2be.zip"]
STATUS = {"status": "active", "eventIdentifier": 123, "eventProperties": [{"Which groups?": "Ops, Database"}]}
ON_CALL = {"count": 3, "submitter": {"targetName": "mary"}, "eventId": 123, "id": "e-1", "data": [
    {"start": "2026-01-06T00:00:00Z", "end": "2026-01-06T08:00:00Z", "members": {"count": 1}},
    {"start": "2026-01-06T09:00:00Z", "end": "2026-01-06T16:00:00Z", "members": {"count": 0}},
    {"start": "2026-01-06T16:00:00Z", "end": "2026-01-07T00:00:00Z", "members": {"count": 2}}]}
INVITE = {"room": {"id": 4242, "name": "Ops War Room", "link": "https://hipchat.example.com/chat/room/4242"},
          "recipients": [{"id": "mmcbride", "type": "PERSON"}], "message": "Database is down, please join",
          "invitedBy": {"name": "Jane Doe", "mentionName": "JaneDoe", "id": 17},
          "hipchatUrl": "https://hipchat.example.com"}


def corpus_plan(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/corpus/plans")
    return path




def write(folder: Path, name: str, data: object) -> str:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.corpus
@pytest.mark.parametrize("export", SHIFT_GAPS, ids=["2017-09-18", "2018-04-18"])
@pytest.mark.parametrize("output", ["text", "json"])
def test_shift_gaps_twice_with_the_same_flags_prints_the_same_bytes(engine_name, export, output, tmp_path):
    request = write(tmp_path, "status.json", {"body": STATUS})
    respond = write(tmp_path, "on-call.json", {"status": 200, "body": ON_CALL})
    argv = ["run", str(corpus_plan(export)), "Shift Gaps", "--request", request, "--respond", f"xMatters={respond}",
            "--engine", engine_name, "--format", output, "--clock", CLOCK, "--seed", "42"]
    first, second = xmplan_cli(*argv), xmplan_cli(*argv)
    assert first == second
    code, out, err = first
    assert (code, err) == (0, "")
    # moment() is the clock's day: "tomorrow" and "in 8 days" from 2026-01-05.
    assert "from=2026-01-06T00:00:00Z&to=2026-01-13T00:00:00Z" in out
    if output == "json":  # its REST trigger to the results form is an event, with the seed's id
        assert [e["id"] for e in json.loads(out)["events"]] == [RunIds(42).uuid("event")]


@pytest.mark.corpus
def test_a_flow_run_twice_with_the_same_flags_prints_the_same_bytes(engine_name, tmp_path):
    """Azure Monitor's flow: the trigger step's script, a switch, and a Create Event block's event."""
    essentials = {"alertId": "/subscriptions/s1/alerts/9", "alertRule": "CPU high", "severity": "Sev3",
                  "monitorCondition": "Fired", "monitoringService": "Platform",
                  "firedDateTime": "2020-01-01T00:00:00Z", "description": "CPU over 90%"}
    request = write(tmp_path, "alert.json", {"body": {"schemaId": "azureMonitorCommonAlertSchema",
                                                      "data": {"essentials": essentials, "alertContext": {}}},
                                             "parameters": {"recipients": "ops-team"}})
    argv = ["run", str(corpus_plan("xmatters__xm-labs-azure-monitor__AzureMonitor__20200827-c25d3745.zip")),
            "Integrated Alert - Azure Monitor Inbound", "--request", request, "--engine", engine_name,
            "--format", "json", "--clock", CLOCK, "--seed", "5"]
    first, second = xmplan_cli(*argv), xmplan_cli(*argv)
    assert first == second and first[0] == 0
    assert [e["id"] for e in json.loads(first[1])["events"]] == [RunIds(5).uuid("event")]


@pytest.mark.parametrize("output", ["text", "json"])
def test_the_flagship_plan_twice_with_a_seed_prints_the_same_bytes(engine_name, output, tmp_path):
    request = write(tmp_path, "invite.json", {"body": INVITE})
    argv = ["run", str(ROOT), "Invite to Room", "--request", request, "--engine", engine_name, "--format", output]
    seeded = [xmplan_cli(*argv, "--seed", "7", "--clock", CLOCK) for _ in range(2)]
    assert seeded[0] == seeded[1] and seeded[0][0] == 0
    if output == "json":
        [event] = json.loads(seeded[0][1])["events"]
        assert event["id"] == RunIds(7).uuid("event")
        unseeded = [json.loads(xmplan_cli(*argv)[1])["events"][0]["id"] for _ in range(2)]
        assert unseeded[0] != unseeded[1]  # without --seed, each event gets a random id, as in xMatters


CLOCK_PROBE = r"""
var first = Date.now(), second = Date.now(), made = new Date();
console.log(first + ' ' + second + ' ' + made.getTime() + ' ' + made.toISOString());
console.log((made instanceof Date) + ' ' + (made.constructor === Date) + ' ' + typeof Date() + ' ' + Date.length);
console.log(new Date(2020, 0, 15, 10, 30).toISOString() + ' ' + new Date(0).getTime() + ' ' + Date.UTC(2020, 1));
var start = Date.now(), now;
do { now = Date.now(); } while (now - start < 60000);  // a busy-wait sleep, as UserAdminWorkflow's
console.log('slept ' + (now - start));
"""


def test_the_clock_starts_at_the_instant_and_moves_on_one_millisecond_per_read(engine_name):
    outcome = runtime(make_plan({"T": CLOCK_PROBE}), engine_name, clock=CLOCK).run("T")
    assert outcome.ok, outcome.error
    assert outcome.lines == [
        f"{START} {START + 1} {START + 2} 2026-01-05T09:00:00.002Z",
        "true true string 7",
        "2020-01-15T10:30:00.000Z 0 1580515200000",  # dates made from their parts are not the clock's
        "slept 60000",
    ]


def test_a_run_without_a_clock_after_one_with_gets_the_real_time(engine_name):
    script = "console.log(String(Date.now()) + ' ' + String(new Date().getTime()));"
    assert runtime(make_plan({"T": script}), engine_name, clock=CLOCK).run("T").lines == [f"{START} {START + 1}"]
    before = time.time() * 1000
    [line] = runtime(make_plan({"T": script}), engine_name).run("T").lines
    assert all(before - 1000 <= int(value) <= time.time() * 1000 + 1000 for value in line.split())


def park_miller(state: int, count: int) -> list[float]:
    values = []
    for _ in range(count):
        state = state * 48271 % 2147483647
        values.append((state - 1) / 2147483646)
    return values


def test_a_seed_fixes_the_ids_math_random_and_times_of_each_run(engine_name):
    script = ("console.log(request.requestId + ' ' + [Math.random(), Math.random(), Math.random()].join(' '));\n"
              "var answer = JSON.parse(form.post({properties: {Summary: 'x'}}).body);\n"
              "console.log(answer.id + ' ' + answer.created);")
    rt = runtime(make_plan({"T": script}), engine_name, clock=CLOCK, seed=3)
    first, second = rt.run("T"), rt.run("T")
    assert first.to_json() == second.to_json()  # each run starts from the seed and the clock
    ids = RunIds(3)
    request_id, event_id = ids.uuid("request"), ids.uuid("event")
    randoms = " ".join(str(v) for v in park_miller(ids.math_random_seed() or 0, 3))
    assert first.lines == [f"{request_id} {randoms}", f"{event_id} 2026-01-05T09:00:00.000Z"]
    assert first.events[0].id == event_id
    assert RunIds(4).uuid("event") != event_id


def test_shift_gaps_trigger_to_its_results_form_is_the_same_each_run(engine_name):
    """Its POST to /reapi/.../triggers gets xMatters' 202 with a request id: the seed's."""
    rt = Runtime(load_plan(corpus_plan(SHIFT_GAPS[1])), engine=engine_name, clock=CLOCK, seed=1)
    rt.respond("xMatters", {"status": 200, "body": ON_CALL}, method="GET")
    first, second = (rt.run("Shift Gaps", body=STATUS) for _ in range(2))
    assert first.ok, first.error
    assert first.to_json() == second.to_json()
    posted = first.http[-1]
    assert posted.method == "POST" and posted.response is not None
    assert json.loads(posted.response.body)["requestId"] == RunIds(1).uuid("trigger request")


@pytest.mark.parametrize("clock, message", [
    ("2026-01-05T09:00", "'2026-01-05T09:00' has no time zone: add Z (UTC) or an offset such as +01:00"),
    ("tomorrow", "expected an ISO 8601 time such as 2026-01-05T09:00:00Z, got 'tomorrow'"),
])
def test_a_clock_without_a_zone_or_not_a_time_is_a_usage_error(clock, message):
    assert xmplan_cli("run", "plan.zip", "X", "--clock", clock) == (2, "", f"xmplan: error: --clock: {message}\n")
    with pytest.raises(ValueError, match="time zone|ISO 8601"):
        Runtime(make_plan({}), clock=clock)


def test_an_offset_is_the_same_instant():
    assert parse_clock("2026-01-05T10:00:00+01:00") == START == parse_clock("2026-01-05T09:00:00.000Z")


PLUGIN_TEST = f"""
def test_snapshot(xmplan):
    first, second = xmplan.run("T"), xmplan.run("T")
    assert first.to_json() == second.to_json()
    assert first.lines[0] == "{START}"
    assert first.events[0].id == {RunIds(11).uuid("event")!r}
"""


def test_the_pytest_plugin_takes_a_clock_and_seed_from_the_ini_file(pytester):
    plan = make_plan({"T": "console.log(String(Date.now())); form.post({properties: {Summary: 'x'}});"})
    with zipfile.ZipFile(pytester.path / "plan.zip", "w") as archive:
        for entry in plan.entries:
            archive.writestr(entry.name, json.dumps(entry.data))
    pytester.makeini(f"[pytest]\nxmplan_plan = plan.zip\nxmplan_clock = {CLOCK}\nxmplan_seed = 11\n")
    pytester.makepyfile(test_user=PLUGIN_TEST)
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nxmplan_plan = plan.zip\n")  # the same from the command line
    pytester.runpytest("--xmplan-clock", CLOCK, "--xmplan-seed", "11").assert_outcomes(passed=1)
