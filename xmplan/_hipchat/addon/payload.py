"""The inbound payload of docs/hipchat.md, built from what HipChat says and checked against the plan's schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema


@cache
def schema() -> dict[str, Any]:
    text = resources.files("xmplan").joinpath("schemas/invite-payload.schema.json").read_text("utf-8")
    return dict(json.loads(text))


def message_limit() -> int:
    """The plan's limit on the description (the form's Message property)."""
    return int(schema()["properties"]["message"]["maxLength"])


def recipient_limit() -> int:
    return int(schema()["properties"]["recipients"]["maxItems"])


def build_payload(room: dict[str, Any], room_link: str, recipients: list[dict[str, str]], message: str,
                  user: dict[str, Any], hipchat_url: str) -> dict[str, Any]:
    invited_by: dict[str, Any] = {"name": str(user["name"])}
    if isinstance(user.get("mention_name"), str) and user["mention_name"]:
        invited_by["mentionName"] = user["mention_name"]
    if isinstance(user.get("id"), (int, str)) and not isinstance(user.get("id"), bool):
        invited_by["id"] = user["id"]
    return {
        "room": {"id": room["id"], "name": str(room["name"]), "link": room_link},
        "recipients": [{"id": r["id"], "type": r["type"]} for r in recipients],
        "message": message,
        "invitedBy": invited_by,
        "hipchatUrl": hipchat_url,
    }


def payload_problems(payload: dict[str, Any]) -> list[str]:
    """What the inbound integration would reject, in words (empty when the payload is good)."""
    validator = jsonschema.Draft7Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(payload), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(p) for p in error.absolute_path) or "the invitation"
        problems.append(f"{where}: {error.message}")
    return problems
