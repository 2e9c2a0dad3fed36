"""The control API, outside xMatters' paths: respond as a recipient, read the activity stream and requests.

Its state-changing routes take JSON only: a web page on another site cannot send
`Content-Type: application/json` here without a CORS preflight, which this server never grants.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..core import ApiError
from ..web import emulator, json_body

blueprint = Blueprint("control", __name__, url_prefix="/emulator/api")


@blueprint.post("/events/<key>/responses")
def respond(key: str) -> Response:
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("recipient"), str) \
            or not isinstance(body.get("response"), str):
        raise ApiError(400, 'Send {"recipient": "<targetName>", "response": "<response text>", "comment": "..."}.')
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ApiError(400, "comment must be a string.")
    device = body.get("device")
    answer = jsonify(emulator().respond(key, body["recipient"], body["response"], comment,
                                        device if isinstance(device, str) else None))
    answer.status_code = 201
    return answer


@blueprint.get("/activity")
def activity() -> Response:
    xm = emulator()
    try:
        limit = max(1, min(int(request.args.get("limit", "200")), 1000))
    except ValueError:
        raise ApiError(400, "limit must be a whole number.") from None
    integration = request.args.get("integration")
    if integration and not any(i.name == integration or i.id == integration for _, i in xm.integrations.values()):
        raise ApiError(404, f"No integration named {integration!r} in the plans being served.")
    ids = {i.name: i.name for _, i in xm.integrations.values()} | {i.id: i.name for _, i in xm.integrations.values()}
    records = xm.store.activity(request_id=request.args.get("requestId"),
                                integration=ids.get(integration or "", None), limit=limit)
    return jsonify({"count": len(records), "data": records})


@blueprint.get("/requests/<request_id>")
def stored_request(request_id: str) -> Response:
    """Where an accepted request is: queued, running, done or failed, and its activity."""
    xm = emulator()
    row = xm.store.request(request_id)
    if row is None:
        raise ApiError(404, f"No request with id {request_id!r}.")
    return jsonify({"requestId": row["id"], "integration": row["integration"], "trigger": row["trigger"],
                    "state": row["state"], "attempts": row["attempts"], "received": row["received"],
                    "note": row["note"], "activity": xm.store.activity(request_id=request_id)})


@blueprint.get("/integrations")
def integrations() -> Response:
    """Each integration with its URL and authentication (the apiKey URL included: this is the local console)."""
    xm = emulator()
    data = []
    for plan in xm.plans:
        for i in plan.integrations:
            item = {"plan": plan.name, "id": i.id, "name": i.name, "type": i.type, "trigger": i.trigger,
                    "authentication": i.auth if i.type == "INBOUND_WEBHOOK" else None}
            if i.type == "INBOUND_WEBHOOK":
                item["url"] = xm.url + i.path
                if i.auth in ("URL", "ANY"):
                    item["apiKeyUrl"] = f"{xm.url}{i.path}?apiKey={xm.api_keys[i.id]}"
            data.append(item)
    return jsonify({"count": len(data), "data": data})
