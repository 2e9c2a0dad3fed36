"""The Python side of a run: answer the prelude's host operations and record what the script did."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .._model import Json
from .budget import OUTPUT_LIMIT, OutputBudget
from .fakes import FakeSession
from .forms import BoundForm, left_out, shape_problems, trigger_accepted, trigger_problems
from .outcome import ConsoleLine, Event, HttpCall, HttpResponse, Rejected, SentRequest, Step, reason_phrase
from .pool import remaining_time
from .reproducible import RunIds, time_text
from .triggers import trigger_form
from .uri import auto_encode_on, auto_encoded


class HostFailure(Exception):
    """Becomes a JavaScript Error thrown at the call in the script."""


@dataclass(frozen=True)
class InboundRequest:
    """The request the script sees as `request` (for outbound integrations the body is the callback)."""

    body: str
    headers: Mapping[str, str]
    parameters: Mapping[str, str]
    request_id: str
    integration_uuid: str


@dataclass(frozen=True)
class RunSetup:
    """Everything a host needs for one run, apart from the fake answers' state."""

    request: InboundRequest
    constants: Mapping[str, str]
    endpoints: Mapping[str, str]  # endpoint name -> base URL
    form_uuid: str | None
    form: BoundForm | None
    callback: Mapping[str, Json] | None = None
    real_http: bool | frozenset[str] = False
    tokens: Mapping[str, str] = field(default_factory=dict)
    http_timeout: float = 10.0
    inputs: Mapping[str, str] | None = None  # a Flow Designer step's inputs (None: not a step run)
    endpoint_aliases: Mapping[str, str] = field(default_factory=dict)  # a step's endpoint label -> plan endpoint
    forms: Mapping[str, BoundForm] = field(default_factory=dict)  # every form of the plan, by uuid
    clock: int | None = None  # the script's clock starts here (ms since the epoch); None: the real time
    seed: int | None = None  # ids and Math.random the same every run; None: random


def header_aliases(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case and Canonical-Case names for each header, so both lookups scripts use work."""
    aliases: dict[str, str] = {}
    for name in headers:
        for alias in (name.lower(), "-".join(part.capitalize() for part in name.split("-"))):
            if alias not in headers:
                aliases.setdefault(alias, name)
    return aliases


class Host:
    """Callable as the engine's host function; `steps` holds what happened, in order."""

    def __init__(self, setup: RunSetup, fakes: FakeSession, send: Callable[..., HttpResponse] | None = None,
                 output_limit: int = OUTPUT_LIMIT) -> None:
        self.setup = setup
        self.fakes = fakes
        self.send = send or send_real
        self.steps: list[Step] = []
        self.outputs: dict[str, str] = {}  # what a Flow Designer step wrote to `output`
        self.budget = OutputBudget(output_limit)
        self.ids = RunIds(setup.seed)
        self._next_event_id = 1000001
        self._operations: dict[str, Callable[[Json], Json]] = {
            "init": self._init, "console": self._console, "http": self._http, "authenticate": self._authenticate,
            "form.post": self._form_post, "jxon.parse": self._jxon_parse, "jxon.stringify": self._jxon_stringify,
            "output": self._output,
        }

    def __call__(self, operation: str, text: str) -> str:
        handler = self._operations.get(operation)
        try:
            if handler is None:
                raise HostFailure(f"unknown host operation {_shown(operation)}")
            value = _argument(operation, text)
            return json.dumps({"ok": handler(value)})
        except HostFailure as exc:
            return json.dumps({"error": str(exc)})

    @property
    def notes(self) -> tuple[str, ...]:
        """What the run did that is not all in `steps`: output past the run's limit."""
        return self.budget.notes()

    def _init(self, _: Json) -> Json:
        request = self.setup.request
        return {
            "request": {"body": request.body, "headers": dict(request.headers),
                        "parameters": dict(request.parameters), "requestId": request.request_id,
                        "integrationUuid": request.integration_uuid},
            "headerAliases": header_aliases(request.headers),
            "constants": dict(self.setup.constants),
            "callback": self.setup.callback,
            "input": dict(self.setup.inputs) if self.setup.inputs is not None else None,
            "clock": self.setup.clock,
            "random": self.ids.math_random_seed(),
        }

    def _output(self, values: Json) -> None:
        self.outputs = {str(k): str(v) for k, v in (values or {}).items()}

    def _console(self, value: Json) -> None:
        text = self.budget.fit(str(value.get("text", "")), "console")
        if text is not None:
            self.steps.append(ConsoleLine(str(value.get("level", "log"))[:20], text))

    def _base_url(self, endpoint: Json) -> str:
        endpoint = self.setup.endpoint_aliases.get(endpoint, endpoint) if isinstance(endpoint, str) else endpoint
        if not isinstance(endpoint, str) or endpoint not in self.setup.endpoints:
            raise HostFailure(f"Endpoint {json.dumps(endpoint)} is not defined in this plan "
                              f"(endpoints: {', '.join(sorted(self.setup.endpoints))})")
        return self.setup.endpoints[endpoint].rstrip("/")

    def _http(self, options: Json) -> Json:
        endpoint = options.get("endpoint")
        endpoint = self.setup.endpoint_aliases.get(endpoint, endpoint) if isinstance(endpoint, str) else endpoint
        if not isinstance(options.get("headers") or {}, dict):
            raise HostFailure("http.request: 'headers' must be an object")
        base = self._base_url(endpoint)
        path = str(options.get("path") or "")
        method = str(options.get("method") or "GET").upper()
        joined = path if not path or path.startswith("/") else "/" + path
        url = base + (auto_encoded(joined) if auto_encode_on(options.get("autoEncodeURI", True)) else joined)
        headers = {str(k): str(v) for k, v in (options.get("headers") or {}).items()}  # the prelude made them text
        if options.get("json") and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
        body = options.get("body")
        if body is not None and not isinstance(body, str):
            raise HostFailure("http.request: the body must be text")
        sent = SentRequest(endpoint, method, path, url, headers, body)
        mark = len(self.steps)  # the call goes before the event an emulated trigger records
        response, real = self._answer(sent)
        recorded = {**vars(sent), "body": self.budget.fit(body, "http")}
        if isinstance(response, str):
            self.steps.append(HttpCall(**recorded, response=None, error=response, real=real))
            raise HostFailure(response)
        kept = self.budget.fit(response.body, "http")
        shown = response if kept == response.body else HttpResponse(response.status, kept or "", response.headers,
                                                                      response.reason)
        self.steps.insert(mark, HttpCall(**recorded, response=shown, real=real, emulated=len(self.steps) > mark))
        return {"statusCode": response.status, "statusMessage": response.reason or reason_phrase(response.status),
                "body": response.body, "headers": dict(response.headers)}

    def _answer(self, sent: SentRequest) -> tuple[HttpResponse | str, bool]:
        """The response, or the error text when there is none."""
        trigger = trigger_form(sent, self.setup.endpoints)
        # A trigger to a form of this plan is an event: only a fake that names its method or path
        # answers it instead, not one registered for the whole endpoint (meant for its GETs).
        fake = self.fakes.answer(sent, explicit_only=trigger is not None and trigger in self.setup.forms)
        if fake is not None:
            return fake, False
        real = self.setup.real_http
        if real is True or (real and sent.endpoint in real):
            try:
                return self._send_bounded(sent), True
            except OSError as exc:
                return f"{sent.method} {sent.url} failed: {exc}", True
        if trigger is not None:
            return self._rest_trigger(sent, trigger), False
        name = json.dumps(sent.endpoint)
        return (f"No fake response for {sent.method} {sent.url} (endpoint {name}); register one "
                f"(--respond {name[:-1]}=FILE\") or allow real HTTP (--real-http {name})"), False

    def _send_bounded(self, sent: SentRequest) -> HttpResponse:
        """A real request, given no more than the run's remaining time (a slow server cannot hold the
        run past its limit: requests' own timeout is per socket operation, not for the whole answer)."""
        remaining = remaining_time()
        timeout = self.setup.http_timeout if remaining is None else max(0.0, min(self.setup.http_timeout, remaining))
        result: list[HttpResponse | OSError] = []

        def send() -> None:
            try:
                result.append(self.send(sent, timeout=max(timeout, 0.001)))
            except OSError as exc:
                result.append(exc)

        worker = threading.Thread(target=send, name="xmplan-http", daemon=True)
        worker.start()
        worker.join(timeout)
        if not result:
            raise TimeoutError(f"no answer within the run's remaining {timeout:.1f} s")
        if isinstance(result[0], OSError):
            raise result[0]
        return result[0]

    def _rest_trigger(self, sent: SentRequest, form_uuid: str) -> HttpResponse:
        """xMatters' trigger API creates an event on the form and answers 202 with a requestId."""
        try:
            posted = json.loads(sent.body or "null")
        except (ValueError, RecursionError):
            posted = sent.body
        status, body = self._create_event(posted, self.setup.forms.get(form_uuid), form_uuid, "REST trigger")
        if status < 300:
            given = posted.get("requestId") if isinstance(posted, dict) else None
            request_id = given if isinstance(given, str) and given else self.ids.uuid("trigger request")
            status, body = trigger_accepted(request_id)
        return HttpResponse(status, json.dumps(body), {"Content-Type": "application/json"}, reason_phrase(status))

    def _authenticate(self, value: Json) -> str:
        endpoint = value.get("endpoint")
        self._base_url(endpoint)
        return self.setup.tokens.get(endpoint, f"fake-token-for-{endpoint}")

    def _form_post(self, posted: Json) -> Json:
        if not self.setup.form_uuid:
            body = _error_body(400, "This integration is not bound to a form, so it cannot post one.")
            self.steps.append(Rejected(400, body, self._recorded(posted)))
            return {"statusCode": 400, "body": json.dumps(body)}
        status, body = self._create_event(posted, self.setup.form, self.setup.form_uuid)
        return {"statusCode": status, "body": json.dumps(body)}

    def _create_event(self, posted: Json, form: BoundForm | None, form_uuid: str,
                      via: str = "form.post") -> tuple[int, Json]:
        notes = []
        if form is None:
            notes.append(f"form {form_uuid} is not in this plan, so only the trigger's shape was checked")
            problems = shape_problems(posted)
        else:
            problems = trigger_problems(form, posted)
        if problems:
            body = _error_body(400, " ".join(problems))
            self.steps.append(Rejected(400, body, self._recorded(posted), via))
            return 400, body
        recipients = posted.get("recipients")
        if not recipients:
            notes.append("no recipients: xMatters sends to the form's default recipients (not in the export)")
        event_id, self._next_event_id = self._next_event_id, self._next_event_id + 1
        properties = dict(posted.get("properties") or {})
        if form is not None:
            dropped, why = left_out(form, properties)
            properties = {k: v for k, v in properties.items() if k not in dropped}
            notes += why
        recorded_properties, recorded_posted = properties, self._recorded(posted)
        if recorded_posted is None:
            recorded_properties, recorded_posted = {}, {}
            notes.append("properties and trigger not recorded: the run reached its output limit")
        event = Event(self.ids.uuid("event"), event_id, form.name if form else form_uuid,
                      recorded_properties, tuple(recipients) if recipients else None,
                      recorded_posted, tuple(notes), via)
        self.steps.append(event)
        return 200, {"id": event.id, "eventId": event_id, "status": "ACTIVE", "created": time_text(self.setup.clock),
                     "requestId": self.setup.request.request_id,
                     "form": {"id": form_uuid, "name": event.form}, "properties": properties,
                     "links": {"self": f"/api/xm/1/events/{event.id}"}}

    def _recorded(self, value: Json) -> Json:
        """`value` while the run's output limit lasts, then None."""
        text = json.dumps(value)
        return value if self.budget.fit(text, "event") == text else None

    def _jxon_parse(self, value: Json) -> Json:
        from . import jxon  # here: xml.dom.minidom is a cost only the scripts that use JXON pay

        try:
            tree = jxon.parse(str(value.get("xml", "")), _config(value))
        except jxon.XmlError as exc:
            raise HostFailure(f"JXON.parse: {exc}") from None
        return {"tree": tree, "dated": jxon.DATE_KEY in json.dumps(tree)}

    def _jxon_stringify(self, value: Json) -> str:
        from . import jxon

        try:
            return jxon.stringify(value.get("value"), _config(value))
        except jxon.XmlError as exc:
            raise HostFailure(f"JXON.stringify: {exc}") from None


# The operations whose value must be an object (form.post takes any value: xMatters refuses the wrong ones).
_OBJECT_ARGUMENTS = frozenset({"console", "http", "authenticate", "jxon.parse", "jxon.stringify"})
_RECORDED_VALUES = frozenset({"form.post", "jxon.stringify"})
MAX_DEPTH = 200  # objects inside objects in a value a script hands the host


def _argument(operation: str, text: str) -> Json:
    """The host call's JSON value; misuse (a script calling the host function itself) is a JS error."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise HostFailure(f"{operation}: the value is nested too deeply") from None
    except ValueError:
        raise HostFailure(f"{operation}: the host function takes JSON text") from None
    if operation in _OBJECT_ARGUMENTS and not isinstance(value, dict):
        raise HostFailure(f"{operation}: the host function takes a JSON object")
    if operation in _RECORDED_VALUES and _deeper_than(value, MAX_DEPTH):
        # Recorded and printed later (dataclasses.asdict and json recurse): refused here instead.
        raise HostFailure(f"{operation}: the value is nested more than {MAX_DEPTH} deep")
    return value


def _deeper_than(value: Json, limit: int) -> bool:
    """Whether `value` nests objects or arrays more than `limit` deep (a loop, not recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _config(value: Json) -> Json:
    config = value.get("config")
    if config is not None and not isinstance(config, dict):
        raise HostFailure("JXON.config: the options must be an object")
    return config


def _shown(text: str) -> str:
    return json.dumps(text if len(text) <= 60 else text[:57] + "...")


def _error_body(status: int, message: str) -> dict[str, Json]:
    return {"code": status, "reason": reason_phrase(status), "message": message}


def send_real(sent: SentRequest, *, timeout: float) -> HttpResponse:
    """Send the request for real (only when the caller allowed real HTTP for its endpoint)."""
    import requests

    try:
        answer = requests.request(sent.method, sent.url, headers=dict(sent.headers),
                                  data=sent.body.encode("utf-8") if sent.body is not None else None,
                                  timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise OSError(str(exc)) from None
    return HttpResponse(answer.status_code, answer.text, dict(answer.headers), answer.reason or "")
