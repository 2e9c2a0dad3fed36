"""Real flows of the corpus run to their expected end on both engines, with fakes for endpoints and
built-in steps. Each test says what the flow's code implies; the expected values were worked out by
reading the step scripts and the canvas, not copied from a run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS

from xmplan._runtime.api import Runtime, load_plan


@pytest.fixture(autouse=True, scope="module")
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """js2py caches large translations (moment.js) on disk: in a tmp folder, never ~/.cache."""
    before = os.environ.get("XMPLAN_CACHE_DIR")
    os.environ["XMPLAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("js2py-cache"))
    yield
    if before is None:
        os.environ.pop("XMPLAN_CACHE_DIR", None)
    else:
        os.environ["XMPLAN_CACHE_DIR"] = before


def runtime(name: str, engine: str) -> Runtime:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/corpus/plans")
    return Runtime(load_plan(Path(path)), engine=engine)


AZURE = "xmatters__xm-labs-azure-monitor__AzureMonitor__20200827-c25d3745.zip"


def azure_alert(condition: str) -> dict[str, Any]:
    essentials = {"alertId": "/subscriptions/s1/alerts/9", "alertRule": "CPU high", "severity": "Sev3",
                  "monitorCondition": condition, "monitoringService": "Platform",
                  "firedDateTime": "2020-01-01T00:00:00Z", "description": "CPU over 90%"}
    return {"schemaId": "azureMonitorCommonAlertSchema",
            "data": {"essentials": essentials, "alertContext": {"threshold": 90, "window": {"size": "PT5M"}}}}


def test_azure_fired_alert_creates_an_event(engine_name: str) -> None:
    # HTTP trigger, SWITCH, CREATE_EVENT. The trigger step (ES6: template literals, default
    # parameters, `let`) copies essentials into outputs, builds the alert context as table rows
    # "<tr><td>path</td><td>value</td></tr>" with nested keys joined by dots, and takes the
    # recipients from the `recipients` URL parameter. "Switch" has one case, "Resolved": a fired
    # alert takes the default path to "xMatters Create Event", whose recipients mapping is the
    # trigger's Recipients output (target names separated by commas).
    rt = runtime(AZURE, engine_name)
    outcome = rt.run("Integrated Alert - Azure Monitor Inbound", body=azure_alert("Fired"),
                     parameters={"recipients": "ops-team,mjones"})
    assert outcome.ok, outcome.error
    assert outcome.path == ["Integrated Alert - Azure Monitor Inbound", "Switch",
                            "xMatters Create Event - Integrated Alert"]
    assert outcome.block("Switch").port == "default"
    (event,) = outcome.events
    assert event.recipients == ({"id": "ops-team"}, {"id": "mjones"})
    assert event.properties["Alert Name"] == "CPU high"
    assert event.properties["AlertContext"] == ("<table><tr><td>threshold</td><td>90</td></tr>"
                                                "<tr><td>window.size</td><td>PT5M</td></tr></table>")
    assert event.properties["Portal Link"].endswith("/alertId/%2Fsubscriptions%2Fs1%2Falerts%2F9")


def test_azure_resolved_alert_terminates_through_built_in_steps(engine_name: str) -> None:
    # "Resolved" takes the case path to the built-in "Get Events" (v5 step), then "Events Found?"
    # switches on its "Total Event Count": "0" is the only case and leads nowhere, so any other
    # count takes the default path to the built-in "Terminate Events", fed "Get Events"' Event IDs.
    rt = runtime(AZURE, engine_name)
    rt.step_outputs["Get Events"] = {"Total Event Count": "2", "Event IDs": "1001,1002"}
    rt.step_outputs["Terminate Events"] = {}
    outcome = rt.run("Integrated Alert - Azure Monitor Inbound", body=azure_alert("Resolved"))
    assert outcome.ok, outcome.error
    assert outcome.path[1:] == ["Switch", "Get Events", "Events Found?", "Terminate Events"]
    assert outcome.block("Get Events").inputs["b58893a5-ffaf-502d-982b-613dcd7b2232"] == "/subscriptions/s1/alerts/9"
    assert outcome.block("Terminate Events").inputs == {"4fdf2591-4925-5682-8911-f0163d7f98dd": "1001,1002"}
    assert outcome.events == ()


def test_azure_built_in_step_without_a_fake_stops_clearly(engine_name: str) -> None:
    rt = runtime(AZURE, engine_name)
    outcome = rt.run("Integrated Alert - Azure Monitor Inbound", body=azure_alert("Resolved"))
    assert not outcome.ok and outcome.error is None
    assert outcome.path[-1] == "Get Events"
    assert outcome.stopped is not None and '--step-output "Get Events=FILE"' in outcome.stopped


def test_moment_step_converts_to_the_zone(engine_name: str) -> None:
    # HTTP trigger "Time Trigger" outputs payload.time; "Convert Time" (libraries moment and
    # moment-tz, embedded in the step) gets epoch? "false" (the default branch: moment(text)),
    # zone America/New_York and no Output Format, so the input is its default "": the script's
    # `format !== undefined` holds and moment formats "" as its default format
    # YYYY-MM-DDTHH:mm:ssZ. 12:00 UTC on 16 July 2020 is 08:00 EDT (UTC-4).
    rt = runtime("ipugh-xm__xm-labs-steps-moment__MomentSteps__20200716-d5b1211b.zip", engine_name)
    outcome = rt.run_flow("Steps - Time Trigger", body={"time": "2020-07-16T12:00:00Z"})
    assert outcome.ok, outcome.error
    assert outcome.block("Convert Time").outputs == {"formattedDate": "2020-07-16T08:00:00-04:00"}


def test_slack_slash_command_creates_an_event(engine_name: str) -> None:
    # The trigger step copies the slash command's form parameters to outputs; the Create Event
    # block maps none of them (no inputMappings), so the event has no properties and goes to the
    # form's default recipients.
    rt = runtime("ipugh-xm__xm-labs-steps-slack-slash-command__SlackSlashCommandSteps__20200219-c474c076.zip",
                 engine_name)
    outcome = rt.run("Slack Slash Command - Slack - Parse Slash Command",
                     body="command=%2Fxm&text=db+down&user_name=ana",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert outcome.ok, outcome.error
    trigger = outcome.block("Slack Slash Command - Slack - Parse Slash Command")
    assert trigger.outputs["command"] == "/xm" and trigger.outputs["text"] == "db down"
    (event,) = outcome.events
    assert event.properties == {} and event.recipients is None


def test_topdesk_acknowledgement_updates_the_ticket(engine_name: str) -> None:
    # Response-triggered: "Acknowledge" leads to "TOPDesk: Update Incident" with Processing Status
    # "Acknowledged" and Operator = the responder; the step looks the operator up (GET
    # operators?...loginName==<responder>), finds none in an empty answer, then PUTs the status.
    # Then "TOPDesk: Add Action" PUTs the action text "<first> <last> (<responder>) responded
    # <response>"; its "Visible to caller" input "true" is sent as actionInvisibleForCaller false.
    rt = runtime("InfoJester__xm-labs-topdesk__TopDesk.zip", engine_name)
    rt.respond("TOPDesk App Key", {"status": 200, "body": "[]"})
    callback = {"event": {"eventId": 123, "properties": {"Ticket UNID": "u-1"}},
                "respondedTo": {"at": "2019-05-09T21:38:11Z",
                                "by": {"targetName": "msteele", "firstName": "Matt", "lastName": "Steele"}},
                "response": {"response": "Acknowledge", "deviceName": "Work Email"}}
    outcome = rt.run("Incident Alerts - Acknowledge", body=callback)
    assert outcome.ok, outcome.error
    assert outcome.path == ["Acknowledge", "TOPDesk: Update Incident", "TOPDesk: Add Action"]
    lookup, status, action = outcome.http
    assert lookup.method == "GET" and "loginName==msteele" in lookup.url
    assert (status.method, status.path, status.json) == ("PUT", "/tas/api/incidents/id/u-1",
                                                         {"processingStatus": {"name": "Acknowledged"}})
    assert action.json == {"action": "Matt Steele (msteele) responded Acknowledge", "actionInvisibleForCaller": False}


def test_topdesk_other_response_does_not_run_this_flow(engine_name: str) -> None:
    rt = runtime("InfoJester__xm-labs-topdesk__TopDesk.zip", engine_name)
    outcome = rt.run("Incident Alerts - Acknowledge", body={"eventIdentifier": 1, "response": "Complete"})
    assert outcome.flow == () and "not this trigger's response" in outcome.notes[0]


def test_handy_steps_status_flow_merges_into_an_event(engine_name: str) -> None:
    # Status-triggered: "Active?" has one case, ACTIVE (a callback status "active" is the event
    # status ACTIVE); "Step to Run?" switches on the event property "Step To Run" to "Reverse",
    # which reverses stringToReverse. The Merge maps, for the path from Reverse,
    # "Forwards: <input> \nREVERSED: <output>\n\n\n" to "Step Output", and "Results" creates an
    # event on the Results form with Script Output = that text and Parent Alert ID = the event id.
    rt = runtime("richselby7878__xm-labs-handy-flow-steps__HandyFlowSteps.zip", engine_name)
    callback = {"eventIdentifier": 4321, "eventProperties": [{"Step To Run": "Reverse"}, {"stringToReverse": "flow"}],
                "status": "active", "username": "ana"}
    outcome = rt.run("Run Flow Step - Alert Status Updates - 3a553a39-0432-45be-9b7f-829bef7076c2", body=callback)
    assert outcome.ok, outcome.error
    assert outcome.path == ["Run Flow Step - Alert Status Updates", "Active?", "Step to Run?", "Reverse", "Merge",
                            "Results"]
    assert outcome.block("Reverse").outputs == {"backwardsText": "wolf"}
    (event,) = outcome.events
    assert event.form == "Results"
    assert event.properties == {"Script Output": "Forwards: flow \nREVERSED: wolf\n\n\n", "Step To Run": "Reverse",
                                "Parent Alert ID": "4321"}


def test_handy_steps_inactive_event_ends_at_the_first_switch(engine_name: str) -> None:
    # "Active?" has no default path: a terminated event runs no further block.
    rt = runtime("richselby7878__xm-labs-handy-flow-steps__HandyFlowSteps.zip", engine_name)
    outcome = rt.run("Run Flow Step - Alert Status Updates - 3a553a39-0432-45be-9b7f-829bef7076c2",
                     body={"eventIdentifier": 1, "eventProperties": [], "status": "terminated"})
    assert outcome.ok and outcome.path == ["Run Flow Step - Alert Status Updates", "Active?"]
    assert outcome.block("Active?").port == "default"


def test_consul_failed_check_creates_an_event(engine_name: str) -> None:
    # The trigger step (ES6 template literals) writes resolved = false for a non-empty body (the
    # boolean as text "false") and marks up each check as "<p><strong>name</strong></p><table>"
    # with a row per field; alertname joins the check names. "Switch" has the one case "true",
    # so a failed check takes the default path to Create Event, whose recipients mapping is the
    # literal text "person".
    rt = runtime("xmatters__xm-labs-consul__Consul__20200518-f43bb108.zip", engine_name)
    body = {"web": {"Status": "critical", "Output": "timeout"}, "db": {"Status": "warning", "Notes": None}}
    outcome = rt.run("Check Failed - Inbound from Consul", body=body)
    assert outcome.ok, outcome.error
    assert outcome.path == ["Check Failed - Inbound from Consul", "Switch", "xMatters Create Event - Check Failed"]
    trigger = outcome.block("Check Failed - Inbound from Consul")
    assert trigger.outputs["resolved"] == "false" and trigger.outputs["alertname"] == "web, db"
    assert trigger.outputs["result"] == "[object Object]"  # an object written to output[...] becomes text
    (event,) = outcome.events
    assert event.recipients == ({"id": "person"},)
    assert sorted(event.properties.values()) == sorted([
        "<p><strong>web</strong></p><table><tr><td>Status</td><td>critical</td></tr>"
        "<tr><td>Output</td><td>timeout</td></tr></table>"
        "<p><strong>db</strong></p><table><tr><td>Status</td><td>warning</td></tr>"
        "<tr><td>Notes</td><td>null</td></tr></table>", "web, db"])


def test_consul_all_clear_goes_to_the_built_in_steps(engine_name: str) -> None:
    # A body of exactly "{}" is the all clear: resolved "true" takes the case path to "Get Events".
    rt = runtime("xmatters__xm-labs-consul__Consul__20200518-f43bb108.zip", engine_name)
    rt.step_outputs.update({"Get Events": {"Total Event Count": "0", "Event IDs": ""}})
    outcome = rt.run("Check Failed - Inbound from Consul", body="{}")
    assert outcome.ok, outcome.error
    assert outcome.path[1:] == ["Switch", "Get Events", "Switch"] and outcome.events == ()


def test_freshservice_comment_becomes_a_private_note(engine_name: str) -> None:
    # Comment-triggered (ANNOTATION): "FreshService - Create Note" gets the ticket id from the
    # event property ticket_id, "<author> made a comment to their <response> response: <comment>"
    # and Make Comment Private "true"; the script POSTs {"body": comment, "private": true} to
    # /api/v2/tickets/<the part of the id after "-">/notes on the FreshService endpoint.
    rt = runtime("xmatters__xm-labs-Freshservice__FreshserviceITSMv2__20200422-918ba4ef.zip", engine_name)
    rt.respond("FreshService", {"status": 200, "body": {"conversation": {"id": 7}}})
    callback = {"event": {"eventId": 77, "properties": {"ticket_id": "INC-42"}},
                "annotation": {"comment": "on it", "author": {"targetName": "ana"},
                               "response": {"response": "Acknowledge"}}}
    outcome = rt.run("Freshservice - Engage with xMatters - Event Comments", body=callback)
    assert outcome.ok, outcome.error
    assert outcome.path == ["Freshservice - Engage with xMatters - Event Comments", "FreshService - Create Note"]
    (call,) = outcome.http
    assert (call.method, call.path) == ("POST", "/api/v2/tickets/42/notes")
    assert call.json == {"body": "ana made a comment to their Acknowledge response: on it", "private": True}


BITBUCKET = "xmatters__xm-labs-bitbucket-pipeline__BitbucketPipeline__20200804-aee541e5.zip"


def bitbucket_status(state: str) -> dict[str, Any]:
    commit = {"hash": "c0ffee", "message": "fix build", "author": {"raw": "Ana <ana@example.com>"}}
    return {"commit_status": {"type": "build", "state": state, "url": "https://bb/p/1", "refname": "main",
                              "commit": commit, "repository": {"full_name": "acme/app",
                                                               "links": {"html": {"href": "https://bb/acme/app"}}}},
            "actor": {"links": {"avatar": {"href": "https://bb/a.png"}}}, "repository": {"owner": {"username": "acme"}}}


def test_bitbucket_failed_build_creates_an_event(engine_name: str) -> None:
    # The trigger step writes state first; only a FAILED build of type "build" gets past its
    # top-level `return` to write the other outputs. "Switch" has one case, FAILED, whose path is
    # the Create Event block; the default path has no edge.
    rt = runtime(BITBUCKET, engine_name)
    outcome = rt.run("Build Failure - Inbound from Bitbucket Pipelines", body=bitbucket_status("FAILED"))
    assert outcome.ok, outcome.error
    assert outcome.path[1:] == ["Switch", "Create Event - Build Failure"]
    (event,) = outcome.events
    for value in ("Ana <ana@example.com>", "https://bb/p/1", "acme", "fix build", "c0ffee"):
        assert value in event.properties.values()


def test_bitbucket_passing_build_stops_at_the_switch(engine_name: str) -> None:
    rt = runtime(BITBUCKET, engine_name)
    outcome = rt.run("Build Failure - Inbound from Bitbucket Pipelines", body=bitbucket_status("SUCCESSFUL"))
    assert outcome.ok, outcome.error
    assert outcome.block("Build Failure - Inbound from Bitbucket Pipelines").outputs == {"state": "SUCCESSFUL"}
    assert outcome.path[1:] == ["Switch"] and outcome.block("Switch").port == "default" and outcome.events == ()


def test_flows_on_activity_runs_the_flows_of_that_trigger() -> None:
    # TopDesk's form has three RESPONSE flows (Acknowledge, Complete, Escalate) and one ANNOTATION
    # flow: a "Complete" response runs only the Complete flow (Update Incident, then Add Action).
    from xmplan._flows.api import flows_on_activity

    rt = runtime("InfoJester__xm-labs-topdesk__TopDesk.zip", "quickjs")
    rt.respond("TOPDesk App Key", {"status": 200, "body": "[]"})
    callback = {"eventIdentifier": 9, "eventProperties": [{"Ticket UNID": "u-2"}], "recipient": "bo",
                "response": "Complete", "device": "Work Email", "annotation": "null"}
    (outcome,) = flows_on_activity(rt, "61e47a5e-ae79-490f-8b8f-78f47d456681", "RESPONSE", callback)
    assert outcome.integration == "Incident Alerts - Complete" and outcome.ok, outcome.error
    assert outcome.path == ["Complete", "TOPDesk: Update Incident", "TOPDesk: Add Action"]
    assert outcome.block("TOPDesk: Update Incident").inputs["Processing Status"] == "Completed"
    comments = flows_on_activity(rt, "61e47a5e-ae79-490f-8b8f-78f47d456681", "ANNOTATION",
                                 {"eventIdentifier": 9, "eventProperties": [{"Ticket UNID": "u-2"}],
                                  "author": {"targetName": "bo"}, "comment": "hi"})
    assert [o.integration for o in comments] == ["Incident Alerts - Event Comments"]
