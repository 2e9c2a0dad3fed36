"""Acceptance 2: real corpus integrations run against fake endpoints and do what their code implies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime_plans import engine_name  # noqa: F401 - fixture
from xmplan.runtime.api import Runtime, load_plan

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus" / "plans"
SIGNALFX = "Pquincyl__xm-labs-signalfx__SignalFx__20171003-b97b0b2a.zip"
SFX_TOKEN = "lW9fFN7RveeTE5lZvbXZpQ"  # the plan's 'API Token' constant, as exported

pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/plans")]


@pytest.fixture(scope="module")
def plans():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = load_plan(CORPUS / name)
        return cache[name]

    return get


@pytest.fixture
def corpus(plans, engine_name):
    return lambda name, **options: Runtime(plans(name), engine=engine_name, **options)


def sfx_callback(**fields):
    properties = [{"incidentId": "INC-7"}, {"inputs": "{}"},
                  {"detectorUrl": "https://app.signalfx.com/#/detector/DET1/edit"}]
    return {"eventIdentifier": 4242, "date": "2019-05-09 21:38:11.868", "eventProperties": properties, **fields}


def test_signalfx_inbound_terminates_old_events_and_posts(corpus):
    rt = corpus(SIGNALFX)
    rt.respond("xMatters", {"body": {"count": 1, "data": [{"id": "old-1"}]}}, method="GET")
    rt.respond("xMatters", {"body": {"id": "old-1", "status": "TERMINATED"}}, method="POST")
    body = {"incidentId": "INC-7", "status": "anomalous", "severity": "Critical", "detector": "CPU",
            "inputs": {"a": 1}}
    outcome = rt.run("Alert - Inbound", body=body)
    assert outcome.ok, outcome.error
    get, terminate = outcome.http
    assert get.path == "/api/xm/1/events?status=ACTIVE&propertyName=incidentId%23EN&propertyValue=INC-7"
    assert (terminate.method, terminate.path, terminate.json) == (
        "POST", "/api/xm/1/events", {"id": "old-1", "status": "TERMINATED"})
    [event] = outcome.events
    assert event.properties == {**body, "inputs": '{"a":1}'}
    assert event.recipients is None and "default recipients" in event.notes[0]
    assert outcome.lines[-1] == "Creating new event for Signal Fx incident INC-7"


def test_signalfx_inbound_with_unknown_property_fails_the_post(corpus):
    rt = corpus(SIGNALFX)
    rt.respond("xMatters", {"body": {"count": 0, "data": []}})
    outcome = rt.run("Alert - Inbound", body={"incidentId": "INC-7", "status": "anomalous", "recipient": "ops"})
    # trigger.properties = data also sends 'recipient', which the form does not have.
    assert "has no property named 'recipient'" in outcome.rejected[0].body["message"]
    assert "Error attempting form post" in outcome.error.message and outcome.events == ()


def test_signalfx_terminate_events_run_script(corpus):
    rt = corpus(SIGNALFX)
    rt.respond("xMatters", {"body": {"data": [{"id": "e1"}, {"id": "e2"}]}}, method="GET")
    rt.respond("xMatters", {"body": "{}"}, method="POST")
    outcome = rt.run("Alert - Inbound Terminate Events", body={"incidentId": "INC-9"})
    assert outcome.ok, outcome.error
    assert [c.json for c in outcome.http[1:]] == [{"id": "e1", "status": "TERMINATED"},
                                                  {"id": "e2", "status": "TERMINATED"}]
    assert outcome.events == ()


def test_signalfx_outbound_response_resolves_the_incident(corpus):
    rt = corpus(SIGNALFX)
    rt.respond("Signal Fx Ingest", {"body": "OK"})
    rt.respond("Signal Fx API", {"status": 204, "body": ""})
    outcome = rt.run("Alert - Outbound Response",
                     body=sfx_callback(recipient="msteele", device="Work Email", response="Resolve", annotation="null"))
    assert outcome.ok, outcome.error
    ingest, clear = outcome.http
    assert (ingest.endpoint, ingest.method, ingest.url) == ("Signal Fx Ingest", "POST", "https://ingest.signalfx.com/v2/event")
    assert ingest.headers["X-SF-TOKEN"] == SFX_TOKEN
    [sent] = ingest.json
    assert sent["dimensions"] == {"outboundWebhook": "RESPONSE", "response": "Resolve"}
    assert sent["properties"]["description"] == "msteele responded with Resolve on their Work Email device to xMatters event 4242."
    assert (clear.endpoint, clear.method, clear.path) == ("Signal Fx API", "PUT", "/v2/incident/INC-7/clear")


def test_signalfx_outbound_delivery(corpus):
    rt = corpus(SIGNALFX)
    rt.respond("Signal Fx Ingest", {"body": "OK"})
    outcome = rt.run("Alert - Outbound Delivery",
                     body=sfx_callback(recipient="msteele", device="Work Phone", deliveryStatus="Delivered"))
    assert outcome.ok, outcome.error
    [sent] = outcome.http[0].json
    assert sent["dimensions"] == {"outboundWebhook": "DELIVERY"}
    assert sent["properties"] == {"incidentId": "INC-7", "eventIdentifier": 4242,
                                  "description": "xMatters delivered a notification to msteele on their Work Phone device."}


@pytest.mark.parametrize("style", ["legacy", "objects"])
def test_signalfx_outbound_status_hits_its_own_bug(corpus, style):
    # The script builds its message with buildResponseMessage(), which reads callback.response:
    # a status callback has none, so the script fails before it sends anything.
    payload = sfx_callback(status="terminated_external", username="msteele")
    if style == "objects":
        payload = {"event": {"eventId": 4242, "status": "TERMINATED", "properties": {"incidentId": "INC-7"}},
                   "statusChanged": {"at": "2019-05-09T21:40:02Z", "by": {"targetName": "msteele"}}}
    outcome = corpus(SIGNALFX).run("Alert - Outbound Status", body=payload)
    assert "TypeError" in outcome.error.message and "toLowerCase" in outcome.error.message
    assert outcome.http == () and outcome.lines == ["Executing outbound status integration for xMatters event ID: 4242"]
