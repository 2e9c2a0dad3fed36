"""Small in-memory plans for the runtime tests (one form, typed properties, endpoints, constants)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xmplan._model import Entry, Plan
from xmplan._runtime.api import Runtime
from xmplan._runtime.engines import available_engines

FORM_UUID = "0f0f0f0f-0000-4000-8000-000000000001"
PROPERTIES = [
    {"baseType": 3, "name": "Summary"},
    {"baseType": 21, "name": "Severity", "values": [{"value": "Low"}, {"value": "High"}]},
    {"baseType": 22, "name": "Tags", "values": [{"value": "db"}, {"value": "web"}]},
    {"baseType": 1, "name": "Count"},
    {"baseType": 0, "name": "Urgent"},
    {"baseType": 5, "name": "Location", "categories": ["Country", "City"]},
]
FORM = {"name": "Alert", "uuid": FORM_UUID, "layoutSections": [
    {"sectionType": 1, "sectionItems": [{"propertyName": p["name"]} for p in PROPERTIES]}]}
ENGINES = available_engines()


def make_plan(scripts: Mapping[str, str], *, libraries: Mapping[str, str] | None = None,
              outbound: Mapping[str, str] | None = None, endpoints: Sequence[Mapping[str, Any]] = (),
              constants: Mapping[str, str] | None = None, form: str | None = FORM_UUID) -> Plan:
    """Inbound CREATE_EVENT integrations named by `scripts`; `outbound` maps a name to its triggeredBy
    (the script is still taken from `scripts`)."""
    outbound = outbound or {}
    integrations = []
    for index, (name, text) in enumerate(scripts.items()):
        record = {"id": f"00000000-0000-4000-8000-{index:012d}", "name": name, "script": text}
        if name in outbound:
            record.update(type="OUTBOUND_WEBHOOK", action="RUN_SCRIPT", triggeredBy=outbound[name])
        else:
            record.update(type="INBOUND_WEBHOOK", action="CREATE_EVENT")
        if form:
            record["form"] = form
        integrations.append(record)
    document = {"integrations": integrations, "endpoints": list(endpoints),
                "constants": [{"name": k, "value": v, "description": ""} for k, v in (constants or {}).items()]}
    entries = [Entry("engine.json", {"name": "Test plan"}), Entry("properties/properties.json", PROPERTIES),
               Entry("forms/Alert/1.json", FORM), Entry("integrations/integrations.json", document),
               Entry("integrations/sharedfunctions.json",
                     [{"name": k, "script": v} for k, v in (libraries or {}).items()])]
    return Plan(tuple(entries), origin="test.zip")


def runtime(plan: Plan, engine_name: str, **options: Any) -> Runtime:
    return Runtime(plan, engine=engine_name, **options)
