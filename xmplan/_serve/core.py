"""The emulator's logic behind the routes: accept requests, create events, record responses, fire outbound runs."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from .._model import Json
from .._runtime.api import Runtime
from .._runtime.forms import left_out, trigger_problems
from .._runtime.triggers import XMATTERS
from .config import ServeConfig
from .directory import Directory, Person
from .events import iso, new_event, payload, person_ref
from .plans import INBOUND, FormInfo, Integration, ServedPlan
from .store import NewEvent, NewRequest, Row, Store

SELF_PREFIX = "/emulator/self/"
STATUSES = {"TERMINATED", "SUSPENDED", "ACTIVE"}


class ApiError(Exception):
    """An xMatters-style error answer: `{code, reason, message}` with this status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Emulator:
    """The plans, directory and store of one `xmplan serve`; safe to call from many request threads."""

    def __init__(self, config: ServeConfig, self_secret: str | None = None) -> None:
        """`self_secret`: the xMatters endpoint's path key (default: a new random one)."""
        self.config = config
        self.directory: Directory = config.directory
        self.store = config.store or Store(config.data / "xmplan.db")
        self.clock = config.clock
        self.self_secret = self_secret or secrets.token_urlsafe(24)  # acts as the integration user
        self.url = "http://127.0.0.1"
        self.queued: Callable[[Sequence[str]], None] = lambda ids: None  # the run queue listens here
        self.plans: list[ServedPlan] = []
        for plan in config.plans:
            runtime = Runtime(plan, engine=config.engine, time_limit=config.time_limit, real_http=True,
                              base_urls=config.endpoints)
            for name, value in config.constants.items():
                if name in runtime.constants:
                    runtime.constants[name] = value
            self.plans.append(ServedPlan(plan, runtime))
        self.integrations = {i.id: (p, i) for p in self.plans for i in p.integrations}
        self.forms = {uuid_: (p, f) for p in self.plans for uuid_, f in p.forms.items()}
        self.api_keys = {i.id: self.store.setting(f"apikey:{i.id}", secrets.token_urlsafe(24))
                         for _, i in self.integrations.values() if i.type == INBOUND}
        self.set_url(self.url)

    def set_url(self, url: str) -> None:
        """Where this emulator answers: scripts' `xMatters` endpoint calls come back here."""
        self.url = url.rstrip("/")
        for plan in self.plans:
            plan.runtime.endpoints[XMATTERS] = self.self_base

    @property
    def self_base(self) -> str:
        return f"{self.url}{SELF_PREFIX}{self.self_secret}"

    def now(self) -> datetime:
        return self.clock()

    def integration_user(self) -> Person | None:
        return self.directory.person(self.config.integration_user)

    # inbound
    def accept(self, integration: Integration, *, method: str, headers: Mapping[str, str],
               parameters: Mapping[str, str], body: str, remote: str, user: str) -> str:
        """Store the request (before the 202 is sent) and return its requestId."""
        request = NewRequest(str(uuid.uuid4()), integration.plan, integration.id, "INBOUND", body, iso(self.now()),
                             method, dict(headers), dict(parameters), remote, user)
        self.store.add_requests([request])
        self.queued([request.id])
        return request.id

    def trigger_form(self, form_key: str, posted: Json, user: str) -> str:
        """`POST /forms/{id}/triggers`: the event is created at once; the answer is a requestId."""
        found = self.form(form_key)
        if found is None:
            raise ApiError(404, f"Could not find a form with id {form_key!r} in the plans being served.")
        _, form = found
        problems = trigger_problems(form.bound, posted)
        if problems:
            raise ApiError(400, " ".join(problems))
        # Generated CREATE_EVENT_SIMPLE scripts pass on the inbound requestId, which the event then carries.
        given = posted.get("requestId") if isinstance(posted, dict) else None
        request_id = given if isinstance(given, str) and given else str(uuid.uuid4())
        properties = dict(posted.get("properties") or {})
        dropped, notes = left_out(form.bound, properties)  # properties the form lacks: not refused, not kept
        kept = {**posted, "properties": {k: v for k, v in properties.items() if k not in dropped}}
        event = new_event(self.directory, form, kept, event_id=str(uuid.uuid4()), submitter=user,
                          request_id=request_id, at=self.now(), notes=notes)
        follow = self.deliveries(event)
        self.store.add_event(event, follow)
        self.queued([r.id for r in follow])
        return request_id

    def form(self, key: str) -> tuple[ServedPlan, FormInfo] | None:
        if key in self.forms:
            return self.forms[key]
        return next(((p, f) for p, f in self.forms.values() if f.name.lower() == key.lower()), None)

    # what a run's events and changes fire
    def deliveries(self, event: NewEvent) -> list[NewRequest]:
        """A DELIVERYSTATUS run per delivered notification (each is simulated as delivered at once)."""
        stored = {"id": event.id, "event_id": None, "status": "ACTIVE", "priority": event.priority,
                  "properties": event.properties, "form_uuid": event.form_uuid, "plan": event.plan}
        follow = []
        for n in event.notifications:
            person = self.directory.person(n["person"])
            follow += self.fire(stored, "DELIVERYSTATUS", by=person_ref(person, n["person"]), device=n["device"])
        return follow

    def fire(self, event: Row, trigger: str, response: str | None = None, **parts: Json) -> list[NewRequest]:
        """The outbound runs of the event's plan for this trigger, as stored requests to run."""
        found = self.forms.get(event["form_uuid"])
        if found is None:
            return []
        plan, form = found
        at = self.now()
        runs = []
        for integration in plan.outbound(form.uuid, trigger, response):
            objects = payload(trigger, event, form, at, response=response, **parts)
            runs.append(NewRequest(str(uuid.uuid4()), plan.name, integration.id, trigger, json.dumps(objects),
                                   iso(at), user=str((parts.get("by") or {}).get("targetName") or ""),
                                   event=event["id"]))
        return runs

    # responses, status, comments
    def event(self, key: str) -> Row:
        event = self.store.event(key)
        if event is None:
            raise ApiError(404, f"Could not find an event with id {key!r}.")
        return event

    def respond(self, key: str, recipient: str, response: str, comment: str | None,
                device: str | None = None) -> Row:
        event = self.event(key)
        if event["status"] != "ACTIVE":
            raise ApiError(409, f"Event {event['event_id']} is {event['status']}: it takes no responses.")
        found = self.forms.get(event["form_uuid"])
        if found is None:
            raise ApiError(409, "The event's form is not in the plans being served.")
        _, form = found
        option = form.response(response)
        if option is None:
            choices = ", ".join(r.text for r in form.responses) or "none"
            raise ApiError(400, f"{response!r} is not a response of the form {form.name!r} (responses: {choices}).")
        notified = [n for n in self.store.notifications(event["id"]) if n["person"].lower() == recipient.lower()]
        if not notified:
            raise ApiError(404, f"{recipient!r} was not notified about event {event['event_id']}.")
        person_name = notified[0]["person"]
        if comment is not None and not comment.strip():
            comment = None
        if comment and not option.allow_comments:
            raise ApiError(400, f"The response {option.text!r} does not allow comments.")
        person = self.directory.person(person_name)
        by = person_ref(person, person_name)
        at = self.now()
        stop = self._stopped(event, person_name, notified[0]["via"], option.action)
        end = option.action == "END"
        follow = self.fire(event, "RESPONSE", response=option.text, by=by, device=device or notified[0]["device"],
                           comment=comment)
        annotation = None
        if comment:
            annotation = {"id": str(uuid.uuid4()), "author": person_name, "comment": comment,
                          "answer": {"response": option.text}, "created": iso(at)}
            follow += self.fire(event, "ANNOTATION", response=option.text, by=by, comment=comment)
        if end:
            follow += self.fire({**event, "status": "TERMINATED"}, "STATUS", by=by)
        self.store.respond(event["id"], person_name, option.text, comment, iso(at), stop, end, annotation, follow)
        self.queued([r.id for r in follow])
        return {"event": event["id"], "recipient": person_name, "response": option.text, "action": option.action,
                "contribution": option.contribution, "comment": comment, "fired": [r.id for r in follow]}

    def _stopped(self, event: Row, person: str, via: str | None, action: str) -> list[str]:
        """Who stops being notified: the responder (STOP_NOTIFYING_USER, RECORD_RESPONSE, ESCALATE,
        COUNT_RESPONSE), the whole group they were reached through (STOP_NOTIFYING_TARGET, and
        ASSIGN_TO_USER, which gives the event to the responder), or everyone (END)."""
        notifications = self.store.notifications(event["id"])
        if action == "END":
            return sorted({n["person"] for n in notifications})
        if action in ("STOP_NOTIFYING_TARGET", "ASSIGN_TO_USER") and via:
            return sorted({n["person"] for n in notifications if n["via"] == via})
        return [person]

    def change_status(self, key: str, status: str, user: str) -> Row:
        status = status.upper()  # published scripts send "terminated" (Cherwell's "Terminate Events")
        if status not in STATUSES:
            raise ApiError(400, f"status must be one of {', '.join(sorted(STATUSES))}, got {status!r}.")
        event = self.event(key)
        if event["status"] == "TERMINATED":
            raise ApiError(409, f"Event {event['event_id']} is terminated; its status cannot change.")
        if event["status"] == status:
            return event
        changed = {**event, "status": status}
        person = self.directory.person(user)
        follow = self.fire(changed, "STATUS", by=person_ref(person, user))
        self.store.set_status(event["id"], status, iso(self.now()), follow)
        self.queued([r.id for r in follow])
        return self.event(event["id"])

    def annotate(self, key: str, comment: Json, user: str) -> Row:
        if not isinstance(comment, str) or not comment.strip():
            raise ApiError(400, "An annotation needs a non-empty 'comment'.")
        event = self.event(key)
        person = self.directory.person(user)
        annotation = {"id": str(uuid.uuid4()), "author": user, "comment": comment, "answer": None,
                      "created": iso(self.now())}
        follow = self.fire(event, "ANNOTATION", by=person_ref(person, user), comment=comment)
        self.store.annotate(event["id"], annotation, follow)
        self.queued([r.id for r in follow])
        return annotation
