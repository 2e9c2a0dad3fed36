"""`xmplan run`: run one integration against fake endpoints and print what happened."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from .._errors import UsageError
from . import respond
from .options import add_constant, add_endpoint, add_format, add_set, check_names, parse_assignments, parse_endpoints

# The runtime's engine names, spelled here so that `xmplan run --help` imports no runtime
# (tests/test_cli.py checks they agree with xmplan._runtime.engines.ENGINE_NAMES).
ENGINES = ("js2py", "quickjs")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", help="a plan zip or source tree")
    parser.add_argument("integration", help="the integration's name (or a Flow Designer step's)")
    parser.add_argument("--request", metavar="FILE",
                        help='JSON {"body": ..., "headers": {...}, "parameters": {...}} (required for integrations)')
    parser.add_argument("--respond", action="append", default=[], metavar="ENDPOINT [METHOD] [PATH]=FILE",
                        help=respond.HELP)
    parser.add_argument("--engine", choices=ENGINES, default=None, help="JavaScript engine")
    add_format(parser)
    add_set(parser)
    parser.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                        help="a step's input (running a step); its default fills the inputs not given")
    parser.add_argument("--endpoint-for", default=None, metavar="ENDPOINT",
                        help="the plan endpoint a step's requests go to (default: the step's endpoint label)")
    parser.add_argument("--step-output", action="append", default=[], metavar="STEP NAME=FILE",
                        help="outputs of a built-in xMatters step in a flow (by block label or step id): a JSON object")
    parser.add_argument("--real-http", action="append", default=[], metavar="ENDPOINT",
                        help="send this endpoint's requests for real when no fake answers them (repeatable; "
                             "no wildcard: name each endpoint)")
    add_endpoint(parser, "base URL for a plan endpoint, e.g. a test server for --real-http (repeatable)")
    add_constant(parser)
    parser.add_argument("--clock", metavar="ISO-TIME", default=None,
                        help="start the script's clock at this instant, e.g. 2026-01-05T09:00:00Z (it moves on "
                             "1 ms per read)")
    parser.add_argument("--seed", metavar="N", type=int, default=None,
                        help="make request and event ids and Math.random the same on every run")


def run(args: argparse.Namespace, out: TextIO) -> int:
    _check_clock(args.clock)
    base_urls = parse_endpoints(args.endpoint)
    constants = parse_assignments(args.constant, "--constant", "NAME=VALUE")
    if "*" in args.real_http:  # a wildcard would also reach endpoints added to the plan later
        raise UsageError("--real-http takes an endpoint's name, not '*': name each endpoint whose requests "
                         "may leave this machine")
    from .._runtime.engines import available_engines
    from .._runtime.pool import default_pool

    fakes = respond.parse(args.respond)  # a malformed option is a usage error before anything loads
    engines = available_engines()
    if engines and (args.engine or engines[0]) in engines:  # the worker starts while the plan loads
        default_pool().start(args.engine or engines[0])
    from .._flows import cli as flows_cli
    from .._runtime.activity import activity_log
    from .._runtime.api import Request, Runtime, load_plan

    runtime = Runtime(load_plan(args.plan, parse_assignments(args.set)), engine=args.engine,
                      clock=args.clock, seed=args.seed, real_http=args.real_http)
    check_names(args.real_http, "--real-http", list(runtime.endpoints), "endpoint")
    check_names(list(base_urls), "--endpoint", list(runtime.endpoints), "endpoint")
    runtime.endpoints.update(base_urls)
    check_names(list(constants), "--constant", list(runtime.constants), "constant")
    runtime.constants.update(constants)
    step_run = flows_cli.is_step_run(runtime, args.integration)
    if args.request is None and not step_run:
        raise UsageError("running an integration needs --request FILE")
    if not step_run and (args.input or args.endpoint_for):
        raise UsageError(f"--input and --endpoint-for are for running a Flow Designer step; "
                         f"{args.integration!r} is an integration")
    request = Request.from_json(_read_json(args.request), args.request) if args.request else None
    flows_cli.register_step_outputs(runtime, args)
    respond.register(runtime, fakes)
    if step_run:
        return flows_cli.run_step_command(runtime, args, request, out)
    outcome = runtime.run(args.integration, request)
    shown = flows_cli.print_outcome(outcome, args.format, out)
    if shown is not None:
        return shown
    if args.format == "json":
        json.dump(outcome.to_json(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(activity_log(outcome))
    return 1 if outcome.error else 0


def _check_clock(text: str | None) -> None:
    from .._runtime.reproducible import parse_clock

    try:
        if text is not None:
            parse_clock(text)
    except ValueError as exc:
        raise UsageError(f"--clock: {exc}") from None


def _read_json(filename: str) -> Any:
    from .._runtime.inputs import read_json_file

    return read_json_file(filename)
