"""The entry points the runtime, the CLI and the emulator call: run a step by name, a flow by integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._errors import RunError
from .._model import Json
from .._runtime.outcome import Outcome
from . import steps as step_module
from .flow import EVENT_TRIGGERS, is_flow, run_flow
from .outcome import FlowOutcome

if TYPE_CHECKING:
    from .._runtime.api import Request, Runtime

__all__ = ["EVENT_TRIGGERS", "FlowOutcome", "flows_on_activity", "is_flow", "run_flow", "run_named_step"]


def run_named_step(runtime: Runtime, name: str, inputs: Mapping[str, str], *, endpoint: str | None = None,
                   request: Request | Mapping[str, Json] | None = None) -> Outcome:
    from .._runtime.request import Request

    where = runtime.plan.origin or "plan"
    steps = step_module.plan_steps(runtime.plan)
    step = step_module.find_step(steps, name, where)
    if step is None:
        names = ", ".join(sorted(repr(s.name) for s in steps)) or "none"
        runnable = ", ".join(sorted(repr(r.get("name")) for r in runtime.plan.integrations
                                    if isinstance(r, dict) and (isinstance(r.get("script"), str) or is_flow(r))))
        raise RunError.at(where, f"no integration named {name!r}, nor a step (integrations: {runnable or 'none'}; "
                                f"steps: {names})")
    if endpoint is not None and endpoint not in runtime.endpoints:
        raise RunError.at(where, f"no endpoint named {endpoint!r} in the plan "
                                f"(endpoints: {', '.join(sorted(runtime.endpoints))})")
    values = step_module.resolve_inputs(step, inputs, where)
    if request is not None and not isinstance(request, Request):
        request = Request.from_json(dict(request))
    return step_module.run_step(runtime, step, values, endpoint=endpoint, request=request)


def flows_on_activity(runtime: Runtime, form_uuid: str, trigger: str, callback: Json,
                      step_outputs: Mapping[str, Mapping[str, Json]] | None = None) -> list[FlowOutcome]:
    """Run every flow that event activity on a form starts (what xMatters does when it happens).

    `trigger` is RESPONSE, STATUS, DELIVERYSTATUS, ANNOTATION or ESCALATION; `callback` is the
    payload in either style (the old `request.body` JSON or the newer objects). A RESPONSE flow
    bound to another response choice is skipped, as in xMatters.
    """
    from .._runtime.request import Request

    if trigger not in EVENT_TRIGGERS:
        raise ValueError(f"unknown event activity {trigger!r} (one of {', '.join(EVENT_TRIGGERS)})")  # a caller's slip
    ran = []
    for record in runtime.plan.integrations:
        if (isinstance(record, dict) and is_flow(record) and record.get("type") == "OUTBOUND_WEBHOOK"
                and record.get("triggeredBy") == trigger and record.get("form") == form_uuid):
            outcome = run_flow(runtime, record, Request(callback), step_outputs or runtime.step_outputs)
            if outcome.flow:
                ran.append(outcome)
    return ran
