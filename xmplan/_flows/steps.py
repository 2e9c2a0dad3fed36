"""A plan's custom Flow Designer steps (integrations/scriptSteps.json): find, load and run one."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._errors import Location, Problem, RunError, ScriptError
from .._model import SCRIPT_STEPS, Plan, objects
from .._runtime import scripts
from .._runtime.engine import Script
from .._runtime.fakes import FakeSession
from .._runtime.host import Host
from .._runtime.outcome import Outcome
from . import es5

if TYPE_CHECKING:
    from .._runtime.api import Request, Runtime

MAX_INPUT = 20_000  # xMatters: step inputs are text of at most 20,000 characters


@dataclass(frozen=True)
class StepInput:
    id: str
    name: str
    default: str
    required: bool
    max_length: int


@dataclass(frozen=True)
class Step:
    """A custom step: its inputs and outputs, its script and the libraries embedded in it."""

    id: str
    name: str
    kind: str  # scriptStepType: USER, CUSTOM_HTTP, PLAN, CALLABLE_FLOW_CALLER
    inputs: tuple[StepInput, ...]
    outputs: tuple[str, ...]
    endpoint_label: str
    code: scripts.Code
    libraries: tuple[scripts.Code, ...]

    def input_named(self, input_id: str) -> StepInput | None:
        return next((i for i in self.inputs if i.id == input_id), None)


def plan_steps(plan: Plan) -> list[Step]:
    """Every step of the plan that has a script (a CALLABLE_FLOW_CALLER's `script` is a uuid)."""
    found = []
    for i, record in objects(plan.script_steps):
        if not isinstance(record.get("script"), str) or record.get("scriptStepType") == "CALLABLE_FLOW_CALLER":
            continue
        libraries = tuple(
            scripts._code(plan, lib.get("referenceName"), SCRIPT_STEPS, f"/{i}/libraries/{j}/library/script",
                          lib["library"]["script"])
            for j, lib in objects(record.get("libraries"))
            if isinstance(lib.get("library"), dict) and isinstance(lib["library"].get("script"), str))
        inputs = tuple(StepInput(str(x.get("id", "")), str(x.get("name", "")), str(x.get("defaultValue") or ""),
                                 bool(x.get("required")), int(x.get("maxLength") or MAX_INPUT))
                       for _, x in objects(record.get("inputs")))
        found.append(Step(str(record.get("id", "")), str(record.get("name", "")),
                          str(record.get("scriptStepType", "USER")), inputs,
                          tuple(str(o.get("name", "")) for _, o in objects(record.get("outputs"))),
                          str(record.get("endpointLabel") or ""),
                          scripts._code(plan, record.get("name"), SCRIPT_STEPS, f"/{i}/script", record["script"]),
                          libraries))
    return found


def find_step(steps: list[Step], name: str, where: str) -> Step | None:
    matches = [s for s in steps if s.name == name]
    if len(matches) > 1:
        raise RunError.at(where, f"{len(matches)} steps are named {name!r}; run one through its flow instead")
    return matches[0] if matches else None


def resolve_inputs(step: Step, given: Mapping[str, str], where: str, strict: bool = True) -> dict[str, str]:
    """The step's `input` object: given values by input name, else the defaults; checked as xMatters does."""
    names = {i.name for i in step.inputs}
    unknown = sorted(set(given) - names)
    if unknown and strict:
        declared = ", ".join(repr(n) for n in sorted(names)) or "none"
        raise RunError.at(where, f"step {step.name!r} has no input {', '.join(map(repr, unknown))} "
                                f"(inputs: {declared})")
    values = {i.name: str(given[i.name]) if i.name in given else i.default for i in step.inputs}
    missing = [i.name for i in step.inputs if i.required and values[i.name] == ""]
    if missing:
        raise RunError.at(where, f"step {step.name!r}: required input{'s' if len(missing) > 1 else ''} "
                                f"{', '.join(map(repr, missing))} {'have' if len(missing) > 1 else 'has'} "
                                "no value")
    for i in step.inputs:
        if len(values[i.name]) > i.max_length:
            raise RunError.at(where, f"step {step.name!r}: input {i.name!r} is {len(values[i.name])} characters, "
                                    f"more than its maximum of {i.max_length}")
    return values


def _for_engine(code: scripts.Code, engine: str) -> scripts.Code:
    """js2py runs ES5 only: ES2015 syntax is translated first, keeping the script's line numbers."""
    if engine != "js2py":
        return code
    return dataclasses.replace(code, text=es5.to_es5(code.text, code.filename))


# A step sees request, http, console, constants, require, input and output; the event activity
# objects integrations get are not a step's, so their places in the wrapper get unused names.
_STEP_PARAMETERS = scripts.PARAMETERS
for _i, _name in enumerate(("event", "respondedTo", "response", "statusChanged", "deliveryStatusUpdated",
                            "notification", "annotation", "escalation")):
    _STEP_PARAMETERS = _STEP_PARAMETERS.replace(f" {_name},", f" __xmplan_unused{_i}__,")


def _wrapped(call: str, code: scripts.Code) -> Script:
    """As the runtime wraps scripts, plus a block: a step's top-level `let request` or `const output`
    then shadows the built-in (as at a script's top level) instead of redeclaring a parameter."""
    header = f"{call}function ({_STEP_PARAMETERS}) {{ {{"
    return Script(code.filename, f"{header}{code.text}\n}} }});", header=len(header))


def step_scripts(step: Step, engine: str, parse_only: bool = False) -> list[Script]:
    """Prelude, the step's libraries (those it requires), then the step as the wrapper function."""
    libraries = [_for_engine(lib, engine) for lib in step.libraries]
    code = _for_engine(step.code, engine)
    if parse_only:
        return [scripts.PRELUDE, _wrapped("__xmplan__.parsed(", code)]
    defined = [_wrapped(f"__xmplan__.define({json.dumps(lib.name)}, ", lib)
               for lib in scripts.needed_libraries(code.text, libraries)]
    return [scripts.PRELUDE, *defined, _wrapped("__xmplan__.main(", code)]


def _known(runtime: Runtime, step: Step) -> None:
    """Let the runtime map error lines of scripts stored as JSON strings into their entry."""
    for code in (step.code, *step.libraries):
        if code.in_json:
            runtime._in_json.setdefault(code.filename, code)


def run_step(runtime: Runtime, step: Step, inputs: Mapping[str, str], *, request: Request | None = None,
             endpoint: str | None = None, session: FakeSession | None = None) -> Outcome:
    """Run `step` with these (already resolved) inputs; `endpoint` is the plan endpoint its label stands for."""
    from .._runtime.request import Request

    _known(runtime, step)
    kind = "INBOUND_WEBHOOK" if step.kind == "CUSTOM_HTTP" else ""
    setup = runtime._setup({"type": kind, "id": step.id}, request or Request(""))
    aliases = {step.endpoint_label: endpoint} if endpoint and step.endpoint_label else {}
    setup = dataclasses.replace(setup, inputs=dict(inputs), endpoint_aliases=aliases)
    host = Host(setup, session or runtime.fakes.session())
    try:
        to_run = step_scripts(step, runtime.engine.name)
    except ScriptError as exc:
        return Outcome(step.name, (), runtime._failure(exc), outputs={}, masker=runtime.masker())
    error = runtime._execute(to_run, host)
    return Outcome(step.name, tuple(host.steps), error, outputs=dict(host.outputs), notes=tuple(host.notes),
                   masker=runtime.masker())


def load_problems(runtime: Runtime, step: Step) -> list[Problem]:
    """The step's script parses and each embedded library evaluates (and resolves its own requires)."""
    _known(runtime, step)
    quiet = dataclasses.replace(runtime._setup({}, _empty_request()), inputs={})
    engine = runtime.engine.name
    try:
        libraries = [_for_engine(lib, engine) for lib in step.libraries]
        units = [(f"step {step.name!r}", step_scripts(step, engine, parse_only=True))]
    except ScriptError as exc:
        failure = runtime._failure(exc)
        return [Problem.of(failure.location, f"step {step.name!r} does not load: {failure.message}", "script-load")]
    units += [(f"library {lib.name!r} of step {step.name!r}", _library_scripts(lib, libraries))
              for lib in libraries]
    embedded = {lib.name for lib in step.libraries}
    from .._validate.javascript import analyse  # the runtime's require detector (esprima's tree)

    missing = sorted({use.name for use in analyse(step.code.text).requires if use.name not in embedded})
    problems = [Problem.of(Location(step.code.filename), f"step {step.name!r} requires {name!r}, which is not "
                           "one of its libraries", "script-load") for name in missing]
    for what, to_run in units:
        failed = runtime._execute(to_run, Host(quiet, runtime.fakes.session()))
        if failed is not None:
            problems.append(Problem.of(failed.location, f"{what} does not load: {failed.message}", "script-load"))
    return problems


def _library_scripts(library: scripts.Code, available: list[scripts.Code]) -> list[Script]:
    others = [lib for lib in scripts.needed_libraries(library.text, available) if lib.name != library.name]
    defined = [_wrapped(f"__xmplan__.define({json.dumps(lib.name)}, ", lib) for lib in [*others, library]]
    return [scripts.PRELUDE, *defined, Script(library.filename, f"__xmplan__.require({json.dumps(library.name)});")]


def _empty_request() -> Request:
    from .._runtime.request import Request

    return Request("")
