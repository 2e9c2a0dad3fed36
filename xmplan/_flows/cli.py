"""`xmplan run` on Flow Designer work: a step by name, or a flow with fakes for built-in steps (options: cli/run.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .._errors import InputError, Location, UsageError

# The flow modules are imported by the functions that use them: running an integration (the
# common case) needs none of them, and they are a fifth of what `xmplan run` would load.
if TYPE_CHECKING:
    from .._runtime.api import Runtime
    from .._runtime.outcome import Outcome


def is_step_run(runtime: Runtime, name: str) -> bool:
    """The name is no integration's (integrations win), so it names a step."""
    return not any(isinstance(r, dict) and r.get("name") == name for r in runtime.plan.integrations)


def pairs(options: list[str], option: str, what: str) -> list[tuple[str, str]]:
    found = []
    for text in options:
        name, sep, value = text.partition("=")
        if not sep or not name:
            raise UsageError(f"{option} expects {what}, got {text!r}")
        found.append((name, value))
    return found


def run_step_command(runtime: Runtime, args: argparse.Namespace, request: Any, out: TextIO) -> int:
    from .activity import step_log
    from .api import run_named_step

    inputs = dict(pairs(args.input, "--input", "NAME=VALUE"))
    outcome = run_named_step(runtime, args.integration, inputs, endpoint=args.endpoint_for, request=request)
    return _print(outcome, args.format, out, step_log(outcome))


def register_step_outputs(runtime: Runtime, args: argparse.Namespace) -> None:
    for name, filename in pairs(args.step_output, "--step-output", "STEP NAME=FILE"):
        text = Path(filename).read_text(encoding="utf-8")
        try:
            outputs = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError.at(Location(filename, exc.lineno, exc.colno), f"not JSON: {exc.msg}") from None
        if not isinstance(outputs, dict):
            raise InputError.at(filename, "expected a JSON object of output names and values")
        runtime.step_outputs[name] = outputs


def print_outcome(outcome: Outcome, fmt: str, out: TextIO) -> int | None:
    """Print a flow's outcome; None when it is not a flow's (the caller prints it)."""
    from .outcome import FlowOutcome

    if not isinstance(outcome, FlowOutcome):
        return None
    from .activity import flow_log

    return _print(outcome, fmt, out, flow_log(outcome))


def _print(outcome: Outcome, fmt: str, out: TextIO, text: str) -> int:
    if fmt == "json":
        json.dump(outcome.to_json(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(text)
    return 0 if outcome.ok else 1
