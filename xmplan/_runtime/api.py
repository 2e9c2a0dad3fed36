"""Run a plan's integrations locally: load a plan, fake its endpoints, run a script, get its outcome."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import parse_qsl

from .._errors import InputError, Location, Problem, RunError, ScriptError, ScriptTimeout
from .._locate import Locator
from .._model import Json, Plan
from .._source import load_plan
from . import callbacks, scripts
from .engine import Engine, Script
from .engines import get_engine
from .fakes import Answer, FakeServer
from .forms import BoundForm, plan_forms
from .host import Host, InboundRequest, RunSetup
from .masking import Masker
from .outcome import Failure, Outcome
from .reproducible import RunIds, parse_clock
from .request import Request
from .triggers import XMATTERS

__all__ = ["Request", "Runtime", "load_plan"]  # load_plan: how runtime users load a plan

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_XMATTERS_URL = "https://xmatters.invalid"


class Runtime:
    """One plan, its fake endpoints and options; `run()` any of its integrations, any number of times.

    Fake answers are registered per endpoint with `respond()`. Real HTTP is sent (through
    `requests`, to the endpoint's base URL) only for the endpoints named in `real_http`
    (or all when it is True), and only when no fake answers.

    `clock` (ISO 8601 text with a zone, or an aware datetime) starts every run's clock at that
    instant, and `seed` makes the ids and `Math.random` of every run the same: two runs of the
    same integration on the same request then give the same outcome (docs/runtime.md).
    """

    def __init__(self, plan: Plan, *, engine: Engine | str | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
                 real_http: bool | Iterable[str] = False, base_urls: Mapping[str, str] | None = None,
                 tokens: Mapping[str, str] | None = None, xmatters_url: str = DEFAULT_XMATTERS_URL,
                 clock: str | datetime | None = None, seed: int | None = None) -> None:
        self.plan = plan
        self.clock = None if clock is None else parse_clock(clock)  # a ValueError for a time without a zone
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an integer, not {seed!r}")
        self.seed = seed
        self.engine = engine if engine is not None and not isinstance(engine, str) else get_engine(engine)
        self.time_limit = time_limit
        self.real_http = real_http if isinstance(real_http, bool) else frozenset(real_http)
        self.tokens = dict(tokens or {})
        self.fakes = FakeServer()
        self.endpoints = {XMATTERS: xmatters_url}
        self.endpoints.update({e["name"]: str(e.get("baseUrl") or "") for e in plan.endpoints
                               if isinstance(e, dict) and "name" in e})
        self.endpoints.update(base_urls or {})
        self.constants = {str(c["name"]): str(c.get("value", "")) for c in plan.constants
                          if isinstance(c, dict) and "name" in c}
        self._libraries = scripts.libraries(plan)
        self._integrations = scripts.integrations(plan)
        self._in_json = {code.filename: code for code in [*self._libraries, *(c for _, c in self._integrations if c)]
                         if code.in_json}
        # Per integration, what every run of it repeats: the scripts to run and the bound form.
        self._prepared: dict[int, tuple[list[Script], BoundForm | None]] = {}
        self.forms = plan_forms(plan)  # by uuid: what form.post and REST triggers to this plan's forms check
        # Outputs of xMatters' built-in Flow Designer steps (their code is not in the export), by
        # block label or step id.
        self.step_outputs: dict[str, Mapping[str, Json]] = {}

    def respond(self, endpoint: str, *answers: Answer, method: str | None = None, path: str | None = None) -> None:
        """Answer requests to `endpoint` (optionally only `method` and a `path` glob) with these answers
        in order, the last repeating. An answer is `{"status", "body", "headers"}`, an HttpResponse,
        or a function of the sent request returning one. Later and more specific rules win."""
        if endpoint not in self.endpoints:
            raise RunError.at(self.plan.origin or "plan", f"no endpoint named {endpoint!r} in the plan "
                                                           f"(endpoints: {', '.join(sorted(self.endpoints))})")
        try:
            self.fakes.add(endpoint, answers, method, path)
        except ValueError as exc:
            raise InputError.at(self.plan.origin or "plan", str(exc)) from None

    def integration(self, name: str) -> Json:
        for record, _ in self._integrations:
            if record.get("name") == name:
                return record
        from .._flows.flow import is_flow

        names = ", ".join(sorted(repr(r.get("name")) for r, code in self._integrations if code or is_flow(r)))
        raise RunError.at(self.plan.origin or "plan", f"no integration named {name!r} (scripts: {names})")

    def run(self, name: str, request: Request | Mapping[str, Json] | None = None, *, body: Json = None,
            headers: Mapping[str, Json] | None = None, parameters: Mapping[str, Json] | None = None) -> Outcome:
        """Run integration `name` on `request` (or `body`/`headers`/`parameters`) and return what it did."""
        if request is None:
            request = Request("" if body is None else body, headers or {}, parameters or {})
        elif not isinstance(request, Request):
            request = Request.from_json(dict(request))
        record = self.integration(name)
        code = next(c for r, c in self._integrations if r is record)
        if code is None:
            from .._flows.flow import is_flow, run_flow

            if is_flow(record):  # made by Flow Designer: its work is the canvas it triggers
                return run_flow(self, record, request, self.step_outputs)
            raise RunError.at(self.plan.origin or "plan", f"integration {name!r} has no script "
                                                           f"(action {record.get('action')})")
        to_run, form = self._prepare(record, code)
        host = Host(self._setup(record, request, form), self.fakes.session())
        error = self._execute(to_run, host)
        return Outcome(name, tuple(host.steps), error, notes=host.notes, masker=self.masker())

    def run_step(self, name: str, inputs: Mapping[str, str] | None = None, *, endpoint: str | None = None,
                 request: Request | Mapping[str, Json] | None = None) -> Outcome:
        """Run the custom Flow Designer step `name` with these inputs (by input name; defaults fill the rest)."""
        from .._flows.api import run_named_step

        return run_named_step(self, name, inputs or {}, endpoint=endpoint, request=request)

    def run_flow(self, integration: str, request: Request | Mapping[str, Json] | None = None, *, body: Json = None,
                 headers: Mapping[str, Json] | None = None, parameters: Mapping[str, Json] | None = None,
                 step_outputs: Mapping[str, Mapping[str, Json]] | None = None) -> Outcome:
        """Run the flow `integration` triggers; `step_outputs` fakes built-in steps by block label or step id."""
        self.step_outputs.update(step_outputs or {})
        return self.run(integration, request, body=body, headers=headers, parameters=parameters)

    def masker(self) -> Masker:
        """Masks the credentials of this runtime's runs: secret-named constants and the tokens."""
        return Masker.for_constants(self.constants, self.tokens.values())

    def _prepare(self, record: Json, code: scripts.Code) -> tuple[list[Script], BoundForm | None]:
        prepared = self._prepared.get(id(record))
        if prepared is None:
            prepared = (scripts.run_scripts(code, self._libraries), self.forms.get(str(record.get("form"))))
            self._prepared[id(record)] = prepared
        return prepared

    def _setup(self, record: Json, request: Request, form: BoundForm | None = None) -> RunSetup:
        body: Json = request.body
        objects = None
        if record.get("type") == "OUTBOUND_WEBHOOK":
            if isinstance(body, str) and body.strip().startswith("{"):
                try:
                    body = json.loads(body)
                except json.JSONDecodeError as exc:
                    raise InputError.at(Location("request body", exc.lineno, exc.colno),
                                        f"an outbound integration's callback is not JSON: {exc.msg}") from None
            body, objects = callbacks.both_styles(body, str(record.get("triggeredBy") or ""))
        text = body if isinstance(body, str) else json.dumps(body)
        headers = {str(k): _text(v) for k, v in request.headers.items() if v is not None}
        parameters = {str(k): _text(v) for k, v in request.parameters.items() if v is not None}
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            for key, value in parse_qsl(text, keep_blank_values=True):
                parameters.setdefault(key, value)
        inbound = InboundRequest(text, headers, parameters, request.request_id or RunIds(self.seed).uuid("request"),
                                 str(record.get("id", "")))
        form_uuid = record.get("form")
        if form is None:
            form = self.forms.get(str(form_uuid))
        return RunSetup(inbound, self.constants, self.endpoints, form_uuid, form,
                        objects, self.real_http, self.tokens, min(self.time_limit, 30.0), forms=self.forms,
                        clock=self.clock, seed=self.seed)

    def _execute(self, to_run: list[Script], host: Host) -> Failure | None:
        try:
            self.engine.run(to_run, host, time_limit=self.time_limit)
        except ScriptError as exc:
            return self._failure(exc)
        return None

    def _failure(self, exc: ScriptError) -> Failure:
        problem = exc.problems[0] if exc.problems else Problem(Location("<script>"), str(exc))
        message = "\n".join(p.message for p in exc.problems) or str(exc)
        loc = problem.location
        code = self._in_json.get(loc.file)
        if code is not None:  # a line of a script stored as a JSON string: its place in the entry
            locator = Locator(self.plan)
            mapped = (locator.in_script(code.entry, code.pointer, code.text, loc.line, loc.column or 1) if loc.line
                      else locator.location(code.entry, code.pointer))
            if mapped.line is not None:  # else the entry's text is unknown (a plan made in code): keep `#pointer`
                loc = mapped
        return Failure(message, loc, isinstance(exc, ScriptTimeout))

    def check(self) -> list[Problem]:
        """Every integration script compiles and every shared library evaluates; one problem per failure."""
        problems: list[Problem] = []
        quiet = RunSetup(InboundRequest("", {}, {}, "", ""), self.constants, self.endpoints, None, None)
        units = [(f"integration {code.name!r}", scripts.parse_scripts(code))
                 for _, code in self._integrations if code is not None]
        units += [(f"shared library {lib.name!r}", scripts.library_scripts(lib, self._libraries))
                  for lib in self._libraries]
        for what, to_run in units:
            failure = self._execute(to_run, Host(quiet, FakeServer().session()))
            if failure is not None:
                problems.append(Problem.of(failure.location,
                                           f"{what} does not load: {failure.message}", "script-load"))
        return problems

    @property
    def script_count(self) -> tuple[int, int]:
        """(integration scripts, shared libraries) in the plan."""
        return sum(code is not None for _, code in self._integrations), len(self._libraries)


def _text(value: Json) -> str:
    """A header or parameter value as HTTP carries it: text; other JSON values as compact JSON text."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
