"""Real plan exports served by `xmplan serve`, their scripts calling the emulator's own REST API back."""

from __future__ import annotations

import json

import pytest
import requests
from conftest import CORPUS
from flask import Flask, jsonify, request

from xmplan._serve.testing import local_xmatters
from xmplan._web import BackgroundServer

PGDASH = CORPUS / "xmatters__xm-labs-pgdash__pgDash.zip"
SITE24X7 = CORPUS / "xmatters__xm-labs-site24x7__Site24x7__20180704-512b15f3.zip"
pytestmark = pytest.mark.corpus


def needs(path):
    if not path.is_file():
        pytest.skip(f"{path.name} is not in ../shared/corpus/plans")


def test_generated_create_event_simple_script_triggers_through_the_rest_api(tmp_path, engine_name):
    """pgDash's system-generated script posts the body to /api/xm/1/plans/{plan}/forms/{form}/triggers
    through the built-in xMatters endpoint; the event carries the inbound requestId."""
    needs(PGDASH)
    with local_xmatters(PGDASH, data=tmp_path, engine=engine_name) as xm:
        trigger = {"properties": {"Server": "db1", "Severity": "Critical", "Alerting Rule": "replication lag"},
                   "recipients": [{"id": "Database Admins", "recipientType": "GROUP"}]}
        answer = requests.post(xm.trigger_url("pgdash-inbound-alert"), json=trigger, auth=xm.auth, timeout=10)
        assert answer.status_code == 202
        request_id = answer.json()["requestId"]
        assert xm.wait_idle()
        [run] = requests.get(f"{xm.url}/emulator/api/activity", params={"requestId": request_id},
                             timeout=10).json()["data"]
        assert run["ok"], run["error"]
        [call] = run["http"]
        assert call["endpoint"] == "xMatters" and call["method"] == "POST" and call["response"]["status"] == 202
        assert call["url"].startswith(f"{xm.url}/api/xm/1/plans/")  # shown without the emulator's path key
        assert xm.emulator.self_secret not in str(run)
        events = requests.get(f"{xm.url}/api/xm/1/events", params={"requestId": request_id, "embed": "properties"},
                              auth=xm.auth, timeout=10).json()
        assert events["total"] == 1
        event = events["data"][0]
        assert event["form"]["name"] == "Alert" and event["properties"]["Server#en"] == "db1"
        assert sorted({n["person"] for n in xm.emulator.store.notifications(event["id"])}) == ["bsmith", "mmcbride"]
        # A trigger the form refuses fails the run: the generated script throws on the 400.
        bad = requests.post(xm.trigger_url("pgdash-inbound-alert"), json={"properties": {"Severity": "Meh"}},
                            auth=xm.auth, timeout=10)
        assert xm.wait_idle()
        [failed] = requests.get(f"{xm.url}/emulator/api/activity", params={"requestId": bad.json()["requestId"]},
                                timeout=10).json()["data"]
        assert not failed["ok"] and "responded with status 400" in failed["error"]["message"]
        assert failed["error"]["line"] is not None


def test_inbound_script_searches_and_terminates_events_through_the_rest_api(tmp_path, engine_name):
    """Site24x7's inbound script asks Site24x7 for the monitor id, creates an event when a monitor is
    DOWN, and when it is UP looks the events up by property (`/api/xm/1/events?propertyName=MONITOR_ID%23en`)
    and posts {id, status: TERMINATED} to /api/xm/1/events/ for each."""
    needs(SITE24X7)
    site = Flask("site24x7")
    asked = []

    @site.get("/api/monitors/name/<name>")
    def monitor(name):
        asked.append((name, request.headers.get("Authorization")))
        return jsonify({"data": {"monitor_id": "9007199254740993"}})

    with BackgroundServer(site) as stand_in, local_xmatters(
            SITE24X7, data=tmp_path, engine=engine_name, endpoints={"Site24x7": stand_in.url},
            constants={"Zoho Authorization": "Zoho-authtoken local"}) as xm:
        down = {"MONITORNAME": "shop web", "STATUS": "DOWN", "MONITOR_ID": 9007199254740993,
                "INCIDENT_REASON": "HTTP 503"}
        first = requests.post(xm.trigger_url("24x7 inbound"), json=down, auth=xm.auth, timeout=10)
        assert first.status_code == 202
        assert xm.wait_idle()
        events = requests.get(f"{xm.url}/api/xm/1/events?embed=properties", auth=xm.auth, timeout=10).json()
        assert events["total"] == 1 and events["data"][0]["properties"]["MONITOR_ID#en"] == "9007199254740993"
        up = requests.post(xm.trigger_url("24x7 inbound"), json={**down, "STATUS": "UP"}, auth=xm.auth, timeout=10)
        assert xm.wait_idle()
        [run] = requests.get(f"{xm.url}/emulator/api/activity", params={"requestId": up.json()["requestId"]},
                             timeout=10).json()["data"]
        assert run["ok"], run["error"]
        assert [(c["endpoint"], c["method"], c["response"]["status"]) for c in run["http"]] == [
            ("Site24x7", "GET", 200), ("xMatters", "GET", 200), ("xMatters", "POST", 200)]
        assert run["http"][0]["headers"]["Authorization"] == "****"
        assert any("Terminated event. ID = " + events["data"][0]["id"] in line["text"] for line in run["console"])
        after = requests.get(f"{xm.url}/api/xm/1/events/{events['data'][0]['id']}", auth=xm.auth, timeout=10).json()
        assert after["status"] == "TERMINATED"
        # The token is the --constant's; the name arrives as it was (the script's encodeURI makes
        # `shop%20web`, which autoEncodeURI keeps).
        assert asked == [("shop web", "Zoho-authtoken local")] * 2


CLOUDWATCH = CORPUS / "castleXM__xm-labs-AWScloudwatch__AWSCloudWatch__20200106-c66f099b.zip"


def test_flow_made_inbound_integration_runs_its_canvas(tmp_path, engine_name):
    """AWS CloudWatch's inbound integration is a Flow Designer HTTP trigger (no script, URL
    authentication): its canvas parses the SNS message and creates the event."""
    needs(CLOUDWATCH)
    alarm = {"AlarmName": "cpu-high", "AlarmDescription": "CPU", "NewStateValue": "ALARM",
             "NewStateReason": "Threshold crossed", "OldStateValue": "OK", "Region": "us-east-1",
             "AWSAccountId": "1", "StateChangeTime": "2026-12-01T22:00:00.000+0000",
             "Trigger": {"ComparisonOperator": "GreaterThanThreshold", "Dimensions": [], "EvaluationPeriods": 1,
                         "MetricName": "CPUUtilization", "Namespace": "AWS/EC2", "Period": 60,
                         "Statistic": "AVERAGE", "StatisticType": "Statistic", "Threshold": 80,
                         "TreatMissingData": "", "Unit": None, "EvaluateLowSampleCountPercentile": ""}}
    body = {"Type": "Notification", "MessageId": "m-1", "Subject": "ALARM: cpu-high", "TopicArn": "arn:x",
            "Timestamp": "2026-12-01T22:00:00.000Z", "Message": json.dumps(alarm)}
    with local_xmatters(CLOUDWATCH, data=tmp_path, engine=engine_name) as xm:
        [integration] = [i for p in xm.emulator.plans for i in p.integrations if i.type == "INBOUND_WEBHOOK"]
        assert integration.flow and integration.auth == "URL"
        answer = requests.post(xm.trigger_url(integration.name, api_key=True) + "&recipients=mmcbride",
                               json=body, timeout=10)
        assert answer.status_code == 202
        assert xm.wait_idle()
        [run] = requests.get(f"{xm.url}/emulator/api/activity", params={"requestId": answer.json()["requestId"]},
                             timeout=10).json()["data"]
        assert run["ok"], run["error"]
        events = requests.get(f"{xm.url}/api/xm/1/events", params={"requestId": answer.json()["requestId"],
                              "embed": "properties"}, auth=xm.auth, timeout=10).json()
        assert events["total"] == 1, run
        assert "cpu-high" in json.dumps(events["data"][0]["properties"])
