"""Events as xMatters keeps them: recipients resolved against the directory, notifications, callback payloads."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from .._model import Json
from .directory import Directory, Person
from .plans import FormInfo
from .store import NewEvent, Row


def iso(at: datetime) -> str:
    """REST timestamps: `2026-12-01T22:30:00.123Z`."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def callback_date(at: datetime) -> str:
    """Outbound callback dates: `2019-05-09 21:38:11.868` (ib-runtime §3.1)."""
    return at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def resolve(directory: Directory, posted: Json) -> tuple[list[Row], list[Row], list[str]]:
    """(recipient rows, notification rows, notes) for a trigger's `recipients`, both trigger formats."""
    recipients: list[Row] = []
    notifications: list[Row] = []
    notes: list[str] = []
    reached: set[str] = set()

    def notify(person: Person, via: str | None, devices: Sequence[str] | None) -> None:
        if person.target_name in reached:  # xMatters notifies a person once per event
            return
        reached.add(person.target_name)
        chosen = [d for d in person.devices if devices is None or d.name in devices]
        if not chosen:
            notes.append(f"{person.target_name} has no devices{' named ' + ', '.join(devices) if devices else ''}: "
                         "nothing delivered")
        for device in chosen:
            notifications.append({"id": str(uuid.uuid4()), "person": person.target_name, "device": device.name,
                                  "device_type": device.device_type, "via": via})

    for item in posted if isinstance(posted, list) else []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("id") or item.get("targetName") or "")
        kind = str(item.get("recipientType") or "")
        devices = item.get("devices") if isinstance(item.get("devices"), list) else None
        if kind == "DEVICE" or (not kind and "|" in name):
            owner, _, device = name.partition("|")
            person = directory.person(owner)
            _add(recipients, name, "DEVICE", person is not None and any(d.name == device for d in person.devices),
                 None if person else f"no person named {owner!r} in the directory")
            if person is not None:
                notify(person, None, [device])
            continue
        person = directory.person(name) if kind in ("", "PERSON") else None
        group = directory.group(name) if kind in ("", "GROUP") and person is None else None
        if person is not None:
            _add(recipients, person.target_name, "PERSON", True)
            notify(person, None, devices)
        elif group is not None:
            members = directory.members(group)
            _add(recipients, group.target_name, "GROUP", True,
                 None if members else "the group has no members: nobody notified")
            for member in members:
                notify(member, group.target_name, devices)
        elif kind == "DYNAMIC_TEAM":
            _add(recipients, name, kind, False, "dynamic teams are not modelled by the emulator: nobody notified")
        else:
            what = {"PERSON": "person", "GROUP": "group"}.get(kind, "person or group")
            _add(recipients, name, kind or "UNKNOWN", False,
                 f"no {what} named {name!r} in the directory: recorded, nobody notified")
    if not recipients:
        notes.append("no recipients: xMatters would notify the form's default recipients (not in the export)")
    return recipients, notifications, notes


def _add(rows: list[Row], name: str, kind: str, resolved: bool, note: str | None = None) -> None:
    rows.append({"name": name, "type": kind, "resolved": resolved, "note": note})


def new_event(directory: Directory, form: FormInfo, posted: Mapping[str, Json], *, event_id: str,
              submitter: str, request_id: str | None, at: datetime, notes: Sequence[str] = ()) -> NewEvent:
    recipients, notifications, more = resolve(directory, posted.get("recipients"))
    priority = str(posted.get("priority") or "MEDIUM").upper()
    return NewEvent(event_id, form.plan, form.uuid, form.name, dict(posted.get("properties") or {}), submitter,
                    iso(at), request_id, recipients, notifications, priority, dict(posted), [*notes, *more])


def person_ref(person: Person | None, name: str) -> Row:
    if person is None:
        return {"targetName": name}
    return {"id": person.id, "targetName": person.target_name, "firstName": person.first_name,
            "lastName": person.last_name, "recipientType": "PERSON"}


def event_object(event: Row, form: FormInfo | None) -> Row:
    """The `event` object of an outbound payload: only "Include in Outbound Integrations" properties."""
    keep = form.callback_properties if form else frozenset()
    properties = {k: v for k, v in (event["properties"] or {}).items() if k in keep}
    return {"id": event["id"], "eventId": event["event_id"], "status": event["status"],
            "priority": event["priority"], "properties": properties}


def payload(trigger: str, event: Row, form: FormInfo | None, at: datetime, **parts: Json) -> Row:
    """The object-style payload (ib-runtime §3.2); the runtime derives the legacy `request.body` from it.

    `at` is written in the legacy callback format, which is what the old style's `date` carries.
    """
    when = callback_date(at)
    objects: Row = {"event": event_object(event, form)}
    if trigger == "RESPONSE":
        objects["respondedTo"] = {"at": when, "by": parts["by"]}
        objects["response"] = {"response": parts["response"], "deviceName": parts.get("device"),
                               "comment": parts.get("comment")}
    elif trigger == "STATUS":
        objects["statusChanged"] = {"at": when, "by": parts["by"], "auditType": f"EVENT_{event['status']}"}
    elif trigger == "DELIVERYSTATUS":
        owner = parts["by"]
        objects["deliveryStatusUpdated"] = {"at": when, "auditType": "DELIVERY_STATUS_DELIVERED"}
        objects["notification"] = {"deliveryStatus": "Delivered",
                                   "recipient": {"name": parts["device"],
                                                 "targetName": f"{owner['targetName']}|{parts['device']}",
                                                 "owner": owner}}
    elif trigger == "ANNOTATION":
        objects["annotation"] = {"comment": parts["comment"], "author": parts["by"],
                                 **({"response": {"response": parts["response"]}} if parts.get("response") else {})}
    return objects
