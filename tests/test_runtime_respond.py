"""`xmplan run --respond "ENDPOINT [METHOD] [PATH]=FILE"`, and REST triggers left to the plan (issue #9.1, 9.2)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import CORPUS, xmplan_cli
from runtime_plans import ENGINES, FORM_UUID, make_plan, runtime

from xmplan._cli import main
from xmplan._cli.respond import Fake, RespondOption, parse, resolve
from xmplan._errors import UsageError
from xmplan._runtime.api import Runtime, load_plan

ROOT = Path(__file__).resolve().parents[1]
RESULTS_FORM = "cb45fef6-1d98-4d8d-bec6-e14a38e7c5b7"  # Shift Gaps Results, which Shift Gaps triggers by REST


def shift_gaps_versions() -> list[str]:
    index = CORPUS / "INDEX.tsv"
    if not index.is_file():
        return []
    with index.open(encoding="utf-8") as stream:
        return [row["file"] for row in csv.DictReader(stream, delimiter="\t") if row["plan_name"] == "Shift Gaps"]


SHIFT_GAPS = shift_gaps_versions()
needs_corpus = pytest.mark.skipif(not SHIFT_GAPS, reason="the corpus (../shared) is not here")




def write(folder: Path, name: str, data: object) -> str:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


# --- the option's syntax -------------------------------------------------------------------------------------

ENDPOINTS = ["xMatters", "TOPDesk no auth", "TOPDesk"]


@pytest.mark.parametrize(("given", "fake"), [
    ("xMatters=a.json", Fake("xMatters", None, None)),
    ("xMatters GET=a.json", Fake("xMatters", "GET", None)),
    ("xMatters post=a.json", Fake("xMatters", "POST", None)),
    ("xMatters GET /api/xm/1/on-call*=a.json", Fake("xMatters", "GET", "/api/xm/1/on-call*")),
    ("xMatters /api/xm/1/people?targetName=*=a.json", Fake("xMatters", None, "/api/xm/1/people?targetName=*")),
    ("TOPDesk no auth=a.json", Fake("TOPDesk no auth", None, None)),
    ("TOPDesk no auth PUT /tas/api/incidents/*=a.json", Fake("TOPDesk no auth", "PUT", "/tas/api/incidents/*")),
    ("TOPDesk */actions=a.json", Fake("TOPDesk", None, "*/actions")),
    ("Nope GET /x=a.json", Fake("Nope", "GET", "/x")),
])
def test_the_option_names_endpoint_method_and_path(given: str, fake: Fake) -> None:
    [option] = parse([given])
    assert option.filename == "a.json"
    assert resolve(option, ENDPOINTS) == fake


@pytest.mark.parametrize("given", ["xMatters", "=a.json", "xMatters GET /x=", " =a.json"])
def test_an_option_without_endpoint_or_file_is_a_usage_error(given: str) -> None:
    with pytest.raises(UsageError, match=r"--respond expects ENDPOINT \[METHOD\] \[PATH\]=FILE"):
        parse([given])


def test_a_word_that_is_neither_method_nor_path_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'GTE' is neither a METHOD"):
        resolve(RespondOption("xMatters GTE /x=a.json", "xMatters GTE /x", "a.json"), ENDPOINTS)


def test_the_cli_exits_2_on_a_malformed_option_or_an_unknown_endpoint(tmp_path: Path) -> None:
    plan = ROOT  # the flagship plan's source tree
    request = write(tmp_path, "request.json", {"body": {}})
    answer = write(tmp_path, "answer.json", {"status": 204})
    code, out, err = xmplan_cli("run", str(plan), "Post Response to Room", "--request", request,
                             "--respond", "HipChat DELET /v2/room/1=" + answer)
    assert (code, out) == (2, "") and "'DELET' is neither a METHOD" in err
    code, out, err = xmplan_cli("run", str(plan), "Post Response to Room", "--request", request,
                             "--respond", "Hip Chat POST /v2/*=" + answer)
    assert (code, out) == (2, "")
    assert err == "xmplan: error: --respond: no endpoint named 'Hip Chat' (the plan has: HipChat, xMatters)\n"


def test_run_help_says_the_option_repeats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert stop.value.code == 0 and "--respond ENDPOINT [METHOD] [PATH]=FILE" in out and "can be repeated" in out


# --- which fake answers ---------------------------------------------------------------------------------------

CALLS = """\
var paths = ['/api/xm/1/on-call?groups=Ops', '/api/xm/1/on-call?groups=DBA', '/api/xm/1/people/x', 'api/xm/1/people/y'];
for (var i = 0; i < paths.length; i++) {
    console.log(http.request({endpoint: 'xMatters', path: paths[i]}).write().body);
}
console.log(http.request({endpoint: 'xMatters', path: '/api/xm/1/people/z', method: 'DELETE'}).write().body);
"""


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_most_specific_rule_answers_whatever_the_order(engine_name: str) -> None:
    r = runtime(make_plan({"Test": CALLS}), engine_name)
    r.respond("xMatters", {"body": "exact"}, path="/api/xm/1/on-call?groups=Ops")
    r.respond("xMatters", {"body": "people"}, path="/api/xm/1/people/*")
    r.respond("xMatters", {"body": "delete"}, method="DELETE", path="/api/xm/1/people/*")
    r.respond("xMatters", {"body": "on-call"}, path="/api/xm/1/on-call*")  # later, but fewer literal characters
    r.respond("xMatters", {"body": "any"})
    assert r.run("Test").lines == ["exact", "on-call", "people", "people", "delete"]


# --- Shift Gaps: its GETs are faked, its POST to the results form is an event --------------------------------

STATUS = {"body": {"eventIdentifier": 1234, "status": "active", "username": "mmcbride",
                   "eventProperties": [{"Which groups?": "Ops"}]}}
SHIFTS = [{"start": "2026-12-03T00:00:00Z", "end": "2026-12-03T08:00:00Z", "members": {"count": 1}},
          {"start": "2026-12-03T09:00:00Z", "end": "2026-12-03T17:00:00Z", "members": {"count": 0}},
          {"start": "2026-12-03T17:00:00Z", "end": "2026-12-04T00:00:00Z", "members": {"count": 2}}]
ON_CALL = {"status": 200, "body": {"count": 3, "total": 3, "data": SHIFTS}}
EVENT = {"status": 200, "body": {"id": "e1", "eventId": 1234, "submitter": {"targetName": "mmcbride"}}}
GAPS = ("Group Ops has a gap between 2026-12-03 08:00:00 and 2026-12-03 09:00:00<br>"
        "Group Ops has a shift with no members between 2026-12-03 09:00:00 and 2026-12-03 17:00:00<br>")


@pytest.fixture
def shift_files(tmp_path: Path) -> dict[str, str]:
    return {"request": write(tmp_path, "status.json", STATUS), "on-call": write(tmp_path, "oncall.json", ON_CALL),
            "event": write(tmp_path, "event.json", EVENT), "both": write(tmp_path, "both.json", [ON_CALL, EVENT]),
            "refused": write(tmp_path, "refused.json", {"status": 403, "body": {"message": "no"}})}


@needs_corpus
@pytest.mark.parametrize("version", SHIFT_GAPS)
def test_shift_gaps_fakes_per_method_and_path_and_its_trigger_is_an_event(version: str, shift_files) -> None:
    code, out, err = xmplan_cli("run", str(CORPUS / version), "Shift Gaps", "--request", shift_files["request"],
                             "--respond", f"xMatters GET /api/xm/1/on-call*={shift_files['on-call']}",
                             "--respond", f"xMatters GET /api/xm/1/events/*={shift_files['event']}",
                             "--format", "json", "--engine", ENGINES[0])
    assert (code, err) == (0, ""), out
    outcome = json.loads(out)
    on_call, event_get, trigger = outcome["http"]
    assert on_call["path"].startswith("/api/xm/1/on-call?groups=Ops&from=") and event_get["path"].endswith("/1234")
    assert trigger["path"] == f"/reapi/2015-04-01/forms/{RESULTS_FORM}/triggers"
    assert trigger["response"]["status"] == 202 and trigger["emulated"] and "requestId" in trigger["response"]["body"]
    [event] = outcome["events"]
    assert (event["form"], event["via"], event["notes"]) == ("Shift Gaps Results", "REST trigger", [])
    assert event["properties"] == {"Text": GAPS} and event["recipients"] == [{"targetName": "mmcbride"}]


@needs_corpus
def test_shift_gaps_one_fake_for_the_whole_endpoint_leaves_the_trigger_to_the_plan(shift_files) -> None:
    # Before issue #9.1/9.2 the POST got the event answer meant for the GET, and no event was recorded.
    code, out, _ = xmplan_cli("run", str(CORPUS / SHIFT_GAPS[-1]), "Shift Gaps", "--request", shift_files["request"],
                           "--respond", f"xMatters={shift_files['both']}", "--engine", ENGINES[0])
    assert code == 0, out
    assert 'REST trigger -> event 1000001 created on form "Shift Gaps Results"' in out
    assert "-> 202 Accepted (xMatters trigger API, emulated)" in out


@needs_corpus
def test_shift_gaps_a_fake_naming_the_trigger_wins_over_the_event(shift_files) -> None:
    code, out, _ = xmplan_cli("run", str(CORPUS / SHIFT_GAPS[-1]), "Shift Gaps", "--request", shift_files["request"],
                           "--respond", f"xMatters={shift_files['both']}",
                           "--respond", f"xMatters POST /reapi/*/triggers={shift_files['refused']}",
                           "--format", "json", "--engine", ENGINES[0])
    outcome = json.loads(out)
    assert code == 0 and outcome["events"] == [] and outcome["http"][-1]["response"]["status"] == 403
    assert not outcome["http"][-1]["emulated"]


# --- the flagship plan ----------------------------------------------------------------------------------------

def test_flagship_fakes_per_path_answer_each_room(tmp_path: Path) -> None:
    ok = write(tmp_path, "204.json", {"status": 204})
    gone = write(tmp_path, "404.json", {"status": 404, "body": {"error": {"message": "Room not found"}}})
    logs = []
    for room in ("4242", "7"):
        body = {"eventIdentifier": 1000001, "eventProperties": [{"Room ID": room}, {"Room Name": "Ops"}],
                "recipient": "mmcbride", "response": "Accept", "annotation": "null"}
        request = write(tmp_path, f"cb{room}.json", {"body": body})
        code, out, err = xmplan_cli("run", str(ROOT), "Post Response to Room", "--request", request,
                                    "--constant", "HipChat Token=t0k3n-test",
                                    "--respond", f"HipChat POST /v2/room/4242/notification={ok}",
                                    "--respond", f"HipChat /v2/room/*={gone}", "--engine", ENGINES[0])
        assert (code, err) == (0, ""), out
        logs.append(out)
    assert "/v2/room/4242/notification (endpoint \"HipChat\") -> 204" in logs[0]
    assert "/v2/room/7/notification (endpoint \"HipChat\") -> 404" in logs[1]


def test_flagship_rest_trigger_to_its_own_form_is_checked_against_it(engine_name: str) -> None:
    """A script of the plan posting to the Invite to Room form by REST (as generated scripts do) gets
    that form's checks: a wrong property value is refused, a good trigger is an event by the form's name."""
    plan = load_plan(ROOT)
    uuid = next(f["uuid"] for _, f in plan.forms() if f.get("name") == "Invite to Room")
    script = (f"var req = http.request({{endpoint: 'xMatters', method: 'POST', path: '/api/xm/1/plans/p/forms/{uuid}"
              "/triggers', headers: {'Content-Type': 'application/json'}});\n"
              "var r = req.write(JSON.parse(request.body));\nconsole.log(r.statusCode + ' ' + r.body);")
    document = next(e for e in plan.entries if e.name == "integrations/integrations.json").data
    record = {"id": "00000000-0000-4000-8000-0000000000ff", "name": "By REST", "type": "INBOUND_WEBHOOK",
              "action": "RUN_SCRIPT", "script": script}
    entries = tuple(type(e)(e.name, {**document, "integrations": [*document["integrations"], record]})
                    if e.name == "integrations/integrations.json" else e for e in plan.entries)
    rt = Runtime(type(plan)(entries, origin=plan.origin), engine=engine_name)
    rt.respond("xMatters", {"status": 500, "body": "meant for the GETs"})
    good = {"properties": {"Room ID": "4242", "Room Name": "Ops", "Room Link": "https://h/r", "Message": "m",
                           "Invited By": "x"}, "recipients": [{"id": "jdoe", "recipientType": "PERSON"}]}
    outcome = rt.run("By REST", body=good)
    [event] = outcome.events
    assert (event.form, event.via, event.properties["Room Name"]) == ("Invite to Room", "REST trigger", "Ops")
    assert outcome.lines[0].startswith('202 {"requestId": ')
    outcome = rt.run("By REST", body={"properties": {"Room ID": {"id": 1}}})
    assert outcome.events == () and outcome.rejected[0].via == "REST trigger"
    assert outcome.lines[0].startswith("400 ") and "Property 'Room ID': expected Text" in outcome.lines[0]


def test_a_trigger_through_another_endpoint_on_an_xmatters_host_is_an_event(engine_name: str) -> None:
    # Salesforce's "SalesForce Engage" posts its triggers through "xMatters2" (https://advisors.na5.xmatters.com).
    script = (f"http.request({{endpoint: 'xMatters2', method: 'POST', path: '/reapi/2015-04-01/forms/{FORM_UUID}"
              "/triggers'}).write({properties: {Summary: 's'}});\n"
              "http.request({endpoint: 'Elsewhere', method: 'POST', path: '/api/xm/1/forms/x/triggers'}).write('{}');")
    endpoints = [{"name": "xMatters2", "baseUrl": "https://acme.na5.xmatters.com"},
                 {"name": "Elsewhere", "baseUrl": "https://xmatters.example.com"}]
    outcome = runtime(make_plan({"Test": script}, endpoints=endpoints), engine_name).run("Test")
    [event] = outcome.events
    assert (event.form, event.via) == ("Alert", "REST trigger")
    assert "No fake response for POST https://xmatters.example.com/api/xm/1/forms/x/triggers" in outcome.error.message
