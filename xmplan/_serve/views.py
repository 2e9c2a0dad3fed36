"""The REST API's JSON shapes: people, groups, members, events, annotations and the paging envelope."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from .._model import Json
from .._runtime.forms import TEXT
from .directory import Directory, Group, Person
from .plans import FormInfo
from .store import Row

API = "/api/xm/1"
MAX_LIMIT = 1000


def page(items: Sequence[Json], path: str, args: dict[str, str], offset: int, limit: int,
         total: int | None = None) -> Json:
    """`{count, total, data, links}` for one page of `items` (already cut when `total` is given)."""
    if total is None:
        total = len(items)
        items = items[offset:offset + limit]

    def link(at: int) -> str:
        return f"{path}?{urlencode({**args, 'offset': at, 'limit': limit})}"

    links = {"self": link(offset)}
    if offset + limit < total:
        links["next"] = link(offset + limit)
    if offset > 0:
        links["previous"] = link(max(0, offset - limit))
    return {"count": len(items), "total": total, "data": list(items), "links": links}


def reference(kind: str, id_: str, name: str) -> Json:
    collection = "people" if kind == "PERSON" else "groups"
    return {"id": id_, "targetName": name, "recipientType": kind, "links": {"self": f"{API}/{collection}/{id_}"}}


def person(p: Person, embed: set[str] = frozenset()) -> Json:  # type: ignore[assignment]
    data = {**reference("PERSON", p.id, p.target_name), "externallyOwned": False, "firstName": p.first_name,
            "lastName": p.last_name, "licenseType": "FULL_USER", "language": p.language, "timezone": p.timezone,
            "webLogin": p.target_name, "site": {"name": p.site}, "status": p.status,
            "properties": dict(p.properties)}
    if "devices" in embed:
        devices = [{"id": f"{p.id}:{d.name}", "name": d.name, "deviceType": d.device_type,
                    "targetName": f"{p.target_name}|{d.name}", "recipientType": "DEVICE",
                    ("emailAddress" if d.device_type == "EMAIL" else "phoneNumber"): d.address}
                   for d in p.devices]
        data["devices"] = {"count": len(devices), "total": len(devices), "data": devices}
    if "roles" in embed:
        roles = [{"name": r} for r in p.roles]
        data["roles"] = {"count": len(roles), "total": len(roles), "data": roles}
    return data


def group(g: Group) -> Json:
    return {**reference("GROUP", g.id, g.target_name), "status": g.status, "groupType": "ON_CALL",
            "description": g.description, "allowDuplicates": True, "useDefaultDevices": True,
            "observedByAll": True, "externallyOwned": False}


def members(directory: Directory, g: Group) -> list[Json]:
    return [{"group": reference("GROUP", g.id, g.target_name), "member": reference("PERSON", p.id, p.target_name)}
            for p in directory.members(g)]


def property_key(form: FormInfo | None, name: str) -> str:
    """Text properties carry the language in the REST API (`Summary#en`); others do not (ib-runtime §5.2)."""
    definition = form.bound.properties.get(name) if form else None
    return f"{name}#en" if definition is None or definition.get("baseType") == TEXT else name


def event(e: Row, form: FormInfo | None, directory: Directory, embed: set[str],
          recipients: Callable[[], list[Row]]) -> Json:
    submitter = directory.person(e["submitter"] or "")
    data: Json = {"id": e["id"], "eventId": e["event_id"], "status": e["status"], "priority": e["priority"],
                  "created": e["created"], "eventType": "USER", "incident": None, "responseCountsEnabled": False,
                  "requestId": e["request_id"],
                  "submitter": reference("PERSON", submitter.id, submitter.target_name) if submitter
                  else {"targetName": e["submitter"]},
                  "plan": {"id": None, "name": e["plan"]}, "form": {"id": e["form_uuid"], "name": e["form_name"]},
                  "links": {"self": f"{API}/events/{e['id']}"}}
    if e["terminated"]:
        data["terminated"] = e["terminated"]
    if "properties" in embed:
        data["properties"] = {property_key(form, k): v for k, v in (e["properties"] or {}).items()}
    if "recipients" in embed:
        rows = [_recipient(r, directory) for r in recipients()]
        data["recipients"] = {"count": len(rows), "total": len(rows), "data": rows}
    return data


def _recipient(r: Row, directory: Directory) -> Json:
    found: Person | Group | None = (directory.person(r["name"]) if r["type"] == "PERSON" else
                                    directory.group(r["name"]) if r["type"] == "GROUP" else None)
    data = reference(r["type"], found.id, found.target_name) if found else {"targetName": r["name"],
                                                                           "recipientType": r["type"]}
    if r["note"]:
        data["note"] = r["note"]  # the emulator's own field: why nobody was notified
    return data


def annotation(a: Row, e: Row, directory: Directory) -> Json:
    author = directory.person(a["author"])
    return {"id": a["id"], "event": {"id": e["id"], "eventId": e["event_id"]},
            "author": reference("PERSON", author.id, author.target_name) if author else {"targetName": a["author"]},
            "comment": a["comment"], "created": a["created"], **({"response": a["answer"]} if a["answer"] else {})}
