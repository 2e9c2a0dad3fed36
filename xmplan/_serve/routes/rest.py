"""The xMatters REST API subset under /api/xm/1: people, groups, members, events, annotations, form triggers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..._model import Json
from ..._runtime.forms import trigger_accepted
from .. import views
from ..core import ApiError
from ..web import api_user, emulator, json_body, paging, query_args

blueprint = Blueprint("rest", __name__, url_prefix=views.API)
# The deprecated API's trigger route, which published scripts still call (Shift Gaps, Salesforce, CA Agile Central).
deprecated = Blueprint("reapi", __name__, url_prefix="/reapi/<version>")
_EMBEDS = {"properties", "recipients"}


@blueprint.before_request
def _authenticate() -> None:
    api_user()


def _json(data: Json, status: int = 200) -> Response:
    answer = jsonify(data)
    answer.status_code = status
    return answer


@blueprint.get("/people")
def people() -> Response:
    offset, limit = paging()
    xm = emulator()
    found = xm.directory.search_people(request.args.get("search", "")) if request.args.get("search") \
        else list(xm.directory.people)
    for field, attribute in (("firstName", "first_name"), ("lastName", "last_name"), ("targetName", "target_name")):
        if field in request.args:
            found = [p for p in found if getattr(p, attribute).lower() == request.args[field].lower()]
    embed = _embed({"devices", "roles"})
    data = [views.person(p, embed) for p in found]
    args = query_args("search", "firstName", "lastName", "targetName", "embed")
    return _json(views.page(data, f"{views.API}/people", args, offset, limit))


@blueprint.get("/people/<key>")
def person(key: str) -> Response:
    found = emulator().directory.person(key)
    if found is None:
        raise ApiError(404, f"Could not find a person with id or targetName {key!r}.")
    return _json(views.person(found, _embed({"devices", "roles"})))


@blueprint.get("/groups")
def groups() -> Response:
    offset, limit = paging()
    xm = emulator()
    found = xm.directory.search_groups(request.args.get("search", "")) if request.args.get("search") \
        else list(xm.directory.groups)
    data = [views.group(g) for g in found]
    return _json(views.page(data, f"{views.API}/groups", query_args("search"), offset, limit))


@blueprint.get("/groups/<key>")
def group(key: str) -> Response:
    return _json(views.group(_group(key)))


@blueprint.get("/groups/<key>/members")
def members(key: str) -> Response:
    offset, limit = paging()
    found = _group(key)
    data = views.members(emulator().directory, found)
    return _json(views.page(data, f"{views.API}/groups/{found.id}/members", {}, offset, limit))


def _group(key: str) -> Any:
    found = emulator().directory.group(key)
    if found is None:
        raise ApiError(404, f"Could not find a group with id or targetName {key!r}.")
    return found


def _embed(allowed: set[str]) -> set[str]:
    asked = {part.strip() for part in request.args.get("embed", "").split(",") if part.strip()}
    unknown = asked - allowed
    if unknown:
        raise ApiError(400, f"embed: the emulator models {', '.join(sorted(allowed))}, "
                            f"not {', '.join(sorted(unknown))}.")
    return asked


@blueprint.get("/events")
def events() -> Response:
    offset, limit = paging()
    xm = emulator()
    status = request.args.get("status")
    if status and status not in ("ACTIVE", "SUSPENDED", "TERMINATED"):
        raise ApiError(400, f"status must be ACTIVE, SUSPENDED or TERMINATED, got {status!r}.")
    embed = _embed(_EMBEDS)
    _, rows = xm.store.events(request_id=request.args.get("requestId"), status=status, limit=0)
    name = request.args.get("propertyName")
    if name:
        rows = _with_property(rows, name, request.args.get("propertyValue"),
                              request.args.get("propertyValueOperator", "EQUALS").upper())
    data = [_event(e, embed) for e in rows[offset:offset + limit]]
    args = query_args("requestId", "status", "propertyName", "propertyValue", "propertyValueOperator", "embed")
    return _json(views.page(data, f"{views.API}/events", args, offset, limit, total=len(rows)))


def _with_property(rows: list[Json], name: str, value: str | None, operator: str) -> list[Json]:
    if operator not in ("EQUALS", "CONTAINS"):
        raise ApiError(400, f"propertyValueOperator must be EQUALS or CONTAINS, got {operator!r}.")
    bare = name.rsplit("#", 1)[0] if "#" in name else name  # `Summary#en`: text properties carry the language

    def matches(event: Json) -> bool:
        properties = event["properties"] or {}
        if bare not in properties:
            return False
        if value is None:
            return True
        text = str(properties[bare]).lower()
        return value.lower() in text if operator == "CONTAINS" else text == value.lower()

    return [e for e in rows if matches(e)]


def _event(e: Json, embed: set[str]) -> Json:
    xm = emulator()
    form = xm.forms.get(e["form_uuid"])
    return views.event(e, form[1] if form else None, xm.directory, embed, lambda: xm.store.recipients(e["id"]))


@blueprint.get("/events/<key>")
def event(key: str) -> Response:
    return _json(_event(emulator().event(key), _embed(_EMBEDS)))


@blueprint.post("/events")
@blueprint.post("/events/")  # published scripts post here too (Cherwell's "Terminate Events")
def change_status() -> Response:
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("id"), (str, int)) or "status" not in body:
        raise ApiError(400, 'Send {"id": "<event id>", "status": "TERMINATED" | "SUSPENDED" | "ACTIVE"}.')
    changed = emulator().change_status(str(body["id"]), str(body["status"]), api_user().target_name)
    return _json(_event(changed, set()))


@blueprint.route("/events/<key>/annotations", methods=["GET", "POST"])
def event_annotations(key: str) -> Response:
    xm = emulator()
    e = xm.event(key)
    if request.method == "POST":
        body = json_body()
        comment = body.get("comment") if isinstance(body, dict) else None
        made = xm.annotate(e["id"], comment, api_user().target_name)
        return _json(views.annotation(made, e, xm.directory), 201)
    offset, limit = paging()
    data = [views.annotation(a, e, xm.directory) for a in xm.store.annotations(e["id"])]
    return _json(views.page(data, f"{views.API}/events/{e['id']}/annotations", {}, offset, limit))


@blueprint.post("/forms/<form>/triggers")
@blueprint.post("/plans/<plan>/forms/<form>/triggers")
def form_trigger(form: str, plan: str | None = None) -> Response:
    # The plan in the path is not checked: generated scripts name the plan's id on the real instance.
    request_id = emulator().trigger_form(form, json_body(), api_user().target_name)
    status, body = trigger_accepted(request_id)
    return _json(body, status)


@deprecated.post("/forms/<form>/triggers")
def deprecated_form_trigger(version: str, form: str) -> Response:
    return form_trigger(form)


@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_modelled(rest: str) -> Response:
    raise ApiError(404, f"{request.method} {views.API}/{rest} is not modelled by the xmplan emulator "
                        "(see docs/serve.md for the routes it has).")
