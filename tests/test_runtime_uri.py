"""autoEncodeURI: the path a script passes and the URL xMatters sends (docs/runtime.md#paths-and-autoencodeuri)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS
from runtime_plans import make_plan, runtime

from xmplan._runtime.api import Runtime, load_plan
from xmplan._runtime.uri import auto_encode_on, auto_encoded

# (path as the script builds it, what is sent with autoEncodeURI on)
TABLE = [
    ("/api/xm/1/groups/Ops Team", "/api/xm/1/groups/Ops%20Team"),
    # An encodeURIComponent part arrives once-encoded (Cherwell On-Premise, xMatters' Post Daily On-Call).
    ("/api/xm/1/events?propertyName=Task%20Rec%20ID%23en&propertyValue=42",
     "/api/xm/1/events?propertyName=Task%20Rec%20ID%23en&propertyValue=42"),
    ("/api/xm/1/events?propertyName=alarmid%23en&propertyValue=a b",
     "/api/xm/1/events?propertyName=alarmid%23en&propertyValue=a%20b"),
    ("/api/xm/1/devices/bsmith|Work Email", "/api/xm/1/devices/bsmith%7CWork%20Email"),
    ("/api/xm/1/people/José Müller", "/api/xm/1/people/Jos%C3%A9%20M%C3%BCller"),
    ("/rest/api/2/search?jql=project = OPS&fields=*all", "/rest/api/2/search?jql=project%20=%20OPS&fields=*all"),
    ("/api/xm/1/people?search=a@b.com&offset=0", "/api/xm/1/people?search=a@b.com&offset=0"),
    ("/silences?filter={alertname=\"x\"}", "/silences?filter=%7Balertname=%22x%22%7D"),
    ("/tickets/100% done", "/tickets/100%25%20done"),
    ("/tickets/%zz/%4", "/tickets/%25zz/%254"),
    ("/events?propertyName=id#en", "/events?propertyName=id%23en"),
    ("/a/b;c,d:e'(f)*!$+~", "/a/b;c,d:e'(f)*!$+~"),
    ("/path\\with^`[x]", "/path%5Cwith%5E%60%5Bx%5D"),
    ("", ""),
]


@pytest.mark.parametrize(("path", "sent"), TABLE)
def test_table(path, sent):
    assert auto_encoded(path) == sent
    assert auto_encoded(sent) == sent  # what is sent is stable: encoding it again changes nothing


@pytest.mark.parametrize(("value", "on"), [(True, True), (None, True), ("true", True), (0, True),
                                           (False, False), ("false", False)])
def test_the_option(value, on):
    assert auto_encode_on(value) is on


def test_both_engines_send_the_table(engine_name):
    calls = "".join(f"http.request({{endpoint: 'Service', path: {json.dumps(path)}}}).write();\n"
                    for path, _ in TABLE if path)
    calls += "http.request({endpoint: 'Service', path: '/raw%2520x y', autoEncodeURI: false}).write();\n"
    r = runtime(make_plan({"Test": calls}, endpoints=[{"name": "Service", "baseUrl": "https://service.example"}]),
                engine_name)
    r.respond("Service", {"body": "{}"})
    outcome = r.run("Test")
    assert outcome.ok, outcome.error
    assert [c.url for c in outcome.http] == ["https://service.example" + sent for path, sent in TABLE if path] + [
        "https://service.example/raw%2520x y"]
    assert outcome.http[1].path == "/api/xm/1/events?propertyName=Task%20Rec%20ID%23en&propertyValue=42"


CHERWELL = CORPUS / "xmatters__xm-labs-Cherwell-On-Premise-xMatters__CherwellOnPremise.zip"
UIM = CORPUS / "xmatters__xm-labs-ca-uim__UIMNimsoft-xMatters-Comm-Plan.zip"


def _sent(plan: Path, integration: str, body: dict, engine_name: str) -> tuple[list[str], list[str]]:
    if not plan.is_file():
        pytest.skip(f"needs {plan}")
    r = Runtime(load_plan(plan), engine=engine_name)
    r.respond("xMatters", {"body": {"count": 1, "data": [{"id": "e-1", "eventId": "e-1", "status": "ACTIVE"}]}},
              method="GET")
    r.respond("xMatters", {"body": {"id": "e-1", "status": "TERMINATED"}}, method="POST")
    outcome = r.run(integration, body=body)
    assert outcome.ok, outcome.error
    return [c.url for c in outcome.http], [c.method for c in outcome.http]


@pytest.mark.corpus
def test_cherwell_finds_the_events_it_terminates(engine_name):
    """encodeURIComponent('Task Rec ID#en') with autoEncodeURI at its default is sent once-encoded."""
    urls, methods = _sent(CHERWELL, "Terminate Events", {"properties": {"Task Rec ID": "T 42"}}, engine_name)
    assert urls[0].endswith("/api/xm/1/events?status=ACTIVE&propertyName=Task%20Rec%20ID%23en&propertyValue=T%2042")
    assert methods == ["GET", "POST"]  # the search found the event, so it is terminated


@pytest.mark.corpus
def test_uim_finds_the_alarm_it_clears(engine_name):
    """UIM writes `alarmid%23en` into its path and leaves autoEncodeURI on."""
    body = {"properties": {"alarmSev": "clear", "alarmID": "AB-1"}}
    urls, methods = _sent(UIM, "UIM - Inbound", body, engine_name)
    assert urls[0].endswith("/api/xm/1/events?propertyName=alarmid%23en&propertyValue=AB-1")
    assert methods == ["GET", "POST"]
