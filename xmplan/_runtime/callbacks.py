"""Outbound callback payloads in both styles: the old `request.body` JSON and the newer objects."""

from __future__ import annotations

from .._model import Json

OBJECT_NAMES = ("event", "respondedTo", "response", "statusChanged", "deliveryStatusUpdated",
                "notification", "annotation", "escalation")
_EVENT_STATUS = {"active": "ACTIVE", "suspended": "SUSPENDED"}


def is_object_style(payload: Json) -> bool:
    """The newer style names the trigger's objects at the top level, starting with `event`."""
    return isinstance(payload, dict) and isinstance(payload.get("event"), dict)


def both_styles(payload: Json, trigger: str) -> tuple[Json, dict[str, Json]]:
    """(the old-style body, the newer-style objects) for a payload given in either style."""
    if is_object_style(payload):
        objects = {name: payload[name] for name in OBJECT_NAMES if name in payload}
        return to_legacy(objects, trigger), objects
    if isinstance(payload, dict):
        return payload, to_objects(payload, trigger)
    return payload, {}


def _flat(properties: Json) -> dict[str, Json]:
    if isinstance(properties, dict):
        return dict(properties)
    flat: dict[str, Json] = {}
    for item in properties or []:
        if isinstance(item, dict):
            flat.update(item)
    return flat


def to_objects(legacy: dict[str, Json], trigger: str) -> dict[str, Json]:
    at = legacy.get("date")
    event: dict[str, Json] = {"eventId": legacy.get("eventIdentifier"),
                              "properties": _flat(legacy.get("eventProperties"))}
    objects: dict[str, Json] = {"event": event}
    if trigger == "RESPONSE":
        objects["respondedTo"] = {"at": at, "by": {"targetName": legacy.get("recipient")}}
        comment = legacy.get("annotation")
        objects["response"] = {"response": legacy.get("response"), "deviceName": legacy.get("device"),
                               "comment": None if comment in (None, "null") else comment}
    elif trigger == "STATUS":
        status = str(legacy.get("status") or "")
        event["status"] = _EVENT_STATUS.get(status, "TERMINATED" if status.startswith("terminated") else status)
        objects["statusChanged"] = {"at": at, "by": {"targetName": legacy.get("username")}}
    elif trigger == "DELIVERYSTATUS":
        objects["deliveryStatusUpdated"] = {"at": at}
        objects["notification"] = {"deliveryStatus": legacy.get("deliveryStatus"),
                                   "recipient": {"name": legacy.get("device"),
                                                 "owner": {"targetName": legacy.get("recipient")}}}
    elif trigger == "ANNOTATION":
        objects["annotation"] = {"comment": legacy.get("comment"), "author": legacy.get("author")}
    return objects


def to_legacy(objects: dict[str, Json], trigger: str) -> dict[str, Json]:
    event = objects.get("event") or {}
    properties = event.get("properties") or {}
    legacy: dict[str, Json] = {"eventIdentifier": event.get("eventId"),
                               "eventProperties": [{k: v} for k, v in properties.items()]}
    if trigger == "RESPONSE":
        response = objects.get("response") or {}
        responded = objects.get("respondedTo") or {}
        legacy.update(date=responded.get("at"), recipient=(responded.get("by") or {}).get("targetName"),
                      response=response.get("response"), device=response.get("deviceName"),
                      annotation=response.get("comment") or "null")
    elif trigger == "STATUS":
        changed = objects.get("statusChanged") or {}
        legacy.update(date=changed.get("at"), status=str(event.get("status") or "").lower(),
                      username=(changed.get("by") or {}).get("targetName"))
    elif trigger == "DELIVERYSTATUS":
        notification = objects.get("notification") or {}
        recipient = notification.get("recipient") or {}
        legacy.update(date=(objects.get("deliveryStatusUpdated") or {}).get("at"),
                      recipient=(recipient.get("owner") or {}).get("targetName") or recipient.get("targetName"),
                      device=recipient.get("name"), deliveryStatus=notification.get("deliveryStatus"))
    elif trigger == "ANNOTATION":
        annotation = objects.get("annotation") or {}
        legacy.update(author=annotation.get("author"), comment=annotation.get("comment"))
    return legacy
