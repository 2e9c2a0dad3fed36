"""The plans being served: their integrations (URL, authentication, trigger), forms and response options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .._model import Json, Plan
from .._runtime.api import Runtime
from .._runtime.forms import BoundForm
from .directory import stable_id

INBOUND, OUTBOUND = "INBOUND_WEBHOOK", "OUTBOUND_WEBHOOK"
# Imported inbound integrations default to URL authentication in xMatters (ib-runtime §2.5).
AUTH_NAMES = {"BASIC": "BASIC", "URL": "URL", "ANY": "ANY", "API_KEY": "BASIC", "OAUTH": "BASIC"}


@dataclass(frozen=True)
class ResponseOption:
    id: str
    text: str
    description: str
    action: str
    contribution: str
    allow_comments: bool


@dataclass(frozen=True)
class FormInfo:
    uuid: str
    name: str
    plan: str
    bound: BoundForm
    responses: tuple[ResponseOption, ...]
    callback_properties: frozenset[str]  # "Include in Outbound Integrations"

    def response(self, text: str) -> ResponseOption | None:
        return next((r for r in self.responses if r.text.lower() == text.strip().lower()), None)


@dataclass(frozen=True)
class Integration:
    plan: str
    id: str
    name: str
    type: str
    action: str
    trigger: str  # triggeredBy for outbound, INBOUND for inbound
    form: str | None
    auth: str  # BASIC, URL or ANY (inbound); NONE (outbound)
    auth_declared: str
    response_choice: str | None
    has_script: bool
    flow: bool  # made in Flow Designer: its logic is a canvas, not a script
    deployed: bool

    @property
    def path(self) -> str:
        return f"/api/integration/1/functions/{self.id}/triggers"


class ServedPlan:
    """One plan with its Runtime (shared by the run threads) and what the routes look up."""

    def __init__(self, plan: Plan, runtime: Runtime) -> None:
        self.plan = plan
        self.runtime = runtime
        self.name = plan.name or plan.origin
        self.id = stable_id("plan", self.name)
        self.forms: dict[str, FormInfo] = {}
        for _, form in plan.forms():
            if isinstance(form, dict) and form.get("uuid"):
                bound = runtime.forms.get(form["uuid"])
                if bound is not None:
                    self.forms[form["uuid"]] = FormInfo(form["uuid"], bound.name, self.name, bound,
                                                        _responses(form), _callback_properties(form))
        self.integrations = [_integration(self.name, record) for record in plan.integrations
                             if isinstance(record, dict) and record.get("id")]

    def outbound(self, form_uuid: str, trigger: str, response: str | None = None) -> list[Integration]:
        """The outbound integrations a change to an event of this form fires (RESPONSE: bound to the
        response text, or to none)."""
        found = []
        for i in self.integrations:
            if i.type != OUTBOUND or i.trigger != trigger or i.form != form_uuid or not i.deployed:
                continue
            if trigger == "RESPONSE" and i.response_choice and (response or "").lower() != i.response_choice.lower():
                continue
            found.append(i)
        return found


def _integration(plan: str, record: Mapping[str, Json]) -> Integration:
    kind = str(record.get("type") or "")
    declared = str(record.get("authType") or ("URL" if kind == INBOUND else "NONE"))
    auth = AUTH_NAMES.get(declared, "URL") if kind == INBOUND else "NONE"
    return Integration(plan, str(record["id"]), str(record.get("name", "")), kind, str(record.get("action", "")),
                       str(record.get("triggeredBy") or "INBOUND") if kind == OUTBOUND else "INBOUND",
                       record.get("form"), auth, declared, record.get("responseChoice"),
                       bool(record.get("script")), record.get("createdBy") == "FLOW" and not record.get("script"),
                       record.get("deployed", True) is not False)


def _responses(form: Mapping[str, Json]) -> tuple[ResponseOption, ...]:
    options = []
    for index, r in enumerate(form.get("responses") or []):
        if isinstance(r, dict) and r.get("textResponse"):
            options.append(ResponseOption(str(r.get("id") or stable_id("response", f"{form.get('uuid')}:{index}")),
                                          str(r["textResponse"]), str(r.get("description") or ""),
                                          str(r.get("action") or "RECORD_RESPONSE"),
                                          str(r.get("contribution") or "NONE"), r.get("isAllowComments") is not False))
    return tuple(options)


def _callback_properties(form: Mapping[str, Json]) -> frozenset[str]:
    return frozenset(item["propertyName"] for section in form.get("layoutSections") or []
                     for item in section.get("sectionItems") or []
                     if isinstance(item, dict) and item.get("isIncludeInCallbacks") and "propertyName" in item)
