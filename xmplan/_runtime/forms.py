"""Check an object posted with `form.post` against the bound form, as xMatters' trigger API does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .._model import Json, Plan

BOOLEAN, NUMBER, TEXT, HIERARCHY, PASSWORD, SINGLE_SELECT, MULTI_SELECT = 0, 1, 3, 5, 7, 21, 22
TYPE_NAMES = {BOOLEAN: "Boolean", NUMBER: "Number", TEXT: "Text", HIERARCHY: "Hierarchy",
              PASSWORD: "Password", SINGLE_SELECT: "List", MULTI_SELECT: "List (multiple)"}
RECIPIENT_TYPES = {"PERSON", "GROUP", "DYNAMIC_TEAM", "DEVICE"}

# Fields only one of the two trigger formats has (xMatters refuses a call that mixes them).
OLD_FIELDS = {"conferences", "responses", "callbacks"}
NEW_FIELDS = {"conference", "responseOptions", "expirationInMinutes", "targetAllDevices", "targetDeviceNames",
              "otherResponseCountThreshold", "voicemailOptions", "bypassPhoneIntro", "escalationOverride",
              "overrideDeviceRestrictions", "requirePhonePassword", "senderOverrides"}
TRIGGER_FIELDS = OLD_FIELDS | NEW_FIELDS | {"recipients", "priority", "attachments"}


@dataclass(frozen=True)
class BoundForm:
    name: str
    uuid: str
    properties: Mapping[str, Json]  # property name -> its definition in properties.json
    plan_properties: frozenset[str] = frozenset()  # every property of the plan, on this form or not


def plan_forms(plan: Plan) -> dict[str, BoundForm]:
    """Every form of the plan, by uuid, with the definitions of the properties on its layout."""
    definitions = {p.get("name"): p for p in plan.properties if isinstance(p, dict)}
    known = frozenset(str(n) for n in definitions if n is not None)
    forms: dict[str, BoundForm] = {}
    for _, form in plan.forms():
        if isinstance(form, dict) and isinstance(form.get("uuid"), str):
            names = [item["propertyName"] for section in form.get("layoutSections") or []
                     for item in section.get("sectionItems") or [] if "propertyName" in item]
            forms.setdefault(form["uuid"], BoundForm(
                str(form.get("name", "")), form["uuid"],
                {n: definitions.get(n, {"name": n, "baseType": TEXT}) for n in names}, known))
    return forms


def trigger_accepted(request_id: str) -> tuple[int, dict[str, Json]]:
    """What xMatters' trigger API (`POST .../forms/{id}/triggers`) answers when it takes a trigger:
    202 Accepted and the request's id (ib-runtime.md §2.4); the runtime and `xmplan serve` both answer so."""
    return 202, {"requestId": request_id}


def left_out(form: BoundForm, properties: Mapping[str, Json]) -> tuple[set[str], list[str]]:
    """The posted properties the form lacks, and notes saying so.

    xMatters does not refuse them: published integrations post whole payloads as properties
    (TeamCity's `payload.build`, Salesforce's `Type`), JIRA's Conference form gets `conferences`
    and HPSM's `Acknowledge`. The event carries only the form's properties (docs/runtime.md).
    """
    missing = [name for name in properties if name not in form.properties]
    if not missing:
        return set(), []
    notes = []
    fields = [n for n in missing if n in TRIGGER_FIELDS]
    planned = [n for n in missing if n in form.plan_properties and n not in TRIGGER_FIELDS]
    others = [n for n in missing if n not in form.plan_properties and n not in TRIGGER_FIELDS]
    if fields:
        notes.append(f"{_names(fields)} posted inside 'properties': a trigger field, which xMatters reads beside "
                     "'properties', not inside it; the event has no such property")
    if planned:
        notes.append(f"{_names(planned)} not on the layout of form '{form.name}' (a property of the plan, "
                     "but not of this form): left out of the event, as xMatters does")
    if others:
        notes.append(f"{_names(others)} not on form '{form.name}': left out of the event, as xMatters does")
    return set(missing), notes


def _names(names: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return f"propert{'y' if len(names) == 1 else 'ies'} {shown}"


def trigger_problems(form: BoundForm, posted: Json) -> list[str]:
    """Every reason xMatters would refuse `posted`; empty when it would create the event."""
    if not isinstance(posted, dict):
        return ["The request body must be a JSON object."]
    problems: list[str] = []
    properties = posted.get("properties")
    if properties is not None and not isinstance(properties, dict):
        problems.append("'properties' must be an object of property names and values.")
        properties = None
    formats = _formats(posted)
    for name, value in (properties or {}).items():
        definition = form.properties.get(name)  # one the form lacks is left out of the event (left_out)
        problem = _value_problem(definition, value, formats) if definition is not None else None
        if problem:
            problems.append(f"Property '{name}': {problem}")
    problems += _recipient_problems(posted.get("recipients"), formats)
    if formats == {"old", "new"}:
        problems.append("The request mixes the old and new trigger formats; use one of them.")
    return problems


def shape_problems(posted: Json) -> list[str]:
    """What xMatters refuses in any trigger, whatever its form: the shape of the object."""
    if not isinstance(posted, dict):
        return ["The request body must be a JSON object."]
    problems = []
    if posted.get("properties") is not None and not isinstance(posted["properties"], dict):
        problems.append("'properties' must be an object of property names and values.")
    return problems + _recipient_problems(posted.get("recipients"), _formats(posted))


def _formats(posted: dict[str, Json]) -> set[str]:
    formats = set()
    if OLD_FIELDS & posted.keys():
        formats.add("old")
    if NEW_FIELDS & posted.keys():
        formats.add("new")
    recipients = posted.get("recipients")
    for recipient in recipients if isinstance(recipients, list) else []:
        if isinstance(recipient, dict) and "targetName" in recipient:
            formats.add("old")
        if isinstance(recipient, dict) and ("id" in recipient or "recipientType" in recipient):
            formats.add("new")
    return formats


def _value_problem(definition: Json, value: Json, formats: set[str]) -> str | None:
    kind = definition.get("baseType")
    if value is None:
        return None
    if kind == BOOLEAN and not (isinstance(value, bool) or value in ("true", "false")):
        return f"expected a Boolean (true or false), got {_shown(value)}."
    if kind == NUMBER and not _is_number(value):
        return f"expected a Number, got {_shown(value)}."
    if kind in (SINGLE_SELECT, MULTI_SELECT):
        return _list_problem(definition, value, kind == MULTI_SELECT)
    if kind == HIERARCHY:
        return _hierarchy_problem(value, formats)
    if kind in (TEXT, PASSWORD) and isinstance(value, (dict, list)):
        return f"expected Text, got {_shown(value)}."
    return None


def _list_problem(definition: Json, value: Json, multiple: bool) -> str | None:
    items = value if multiple and isinstance(value, list) else [value]
    allowed = [v.get("value") for v in definition.get("values") or [] if isinstance(v, dict)]
    for item in items:
        if not isinstance(item, str):
            wanted = "a list of strings" if multiple else "a string"
            return f"expected {wanted} from the list values, got {_shown(value)}."
        if allowed and item not in allowed:
            return f"'{item}' is not one of the list values ({', '.join(map(str, allowed))})."
    return None


def _hierarchy_problem(value: Json, formats: set[str]) -> str | None:
    if not isinstance(value, list):
        return f"expected a Hierarchy as a list, got {_shown(value)}."
    if all(isinstance(v, str) for v in value):
        formats.add("old")
    elif all(isinstance(v, dict) and {"category", "value"} <= v.keys() for v in value):
        formats.add("new")
    else:
        return "expected a Hierarchy as a list of strings or of {category, value} objects."
    return None


def _recipient_problems(recipients: Json, formats: set[str]) -> list[str]:
    if recipients is None:
        return []
    if not isinstance(recipients, list):
        return [f"'recipients' must be a list, got {_shown(recipients)}."]
    problems = []
    for index, recipient in enumerate(recipients):
        where = f"recipients[{index}]"
        if not isinstance(recipient, dict):
            problems.append(f"{where}: expected an object like {{\"id\": ..., \"recipientType\": ...}}, "
                            f"got {_shown(recipient)}.")
        elif "targetName" in recipient:
            if not isinstance(recipient["targetName"], str) or not recipient["targetName"]:
                problems.append(f"{where}: 'targetName' must be a non-empty string.")
            devices = recipient.get("devices")
            if devices is not None and not (isinstance(devices, list) and all(isinstance(d, str) for d in devices)):
                problems.append(f"{where}: 'devices' must be a list of device names.")
        elif "id" in recipient:
            if not isinstance(recipient["id"], str) or not recipient["id"]:
                problems.append(f"{where}: 'id' must be a non-empty string.")
            kind = recipient.get("recipientType")
            if kind is not None and kind not in RECIPIENT_TYPES:
                problems.append(f"{where}: unknown recipientType {_shown(kind)} "
                                f"(expected one of {', '.join(sorted(RECIPIENT_TYPES))}).")
        else:
            problems.append(f"{where}: a recipient needs an 'id' (or 'targetName' in the old format).")
    return problems


def _is_number(value: Json) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _shown(value: Json) -> str:
    import json

    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
