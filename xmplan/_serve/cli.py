"""`xmplan serve PLAN [PLAN ...]`: parse the options, print the URLs, serve the app with waitress."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path
from typing import Any, TextIO

from .._cli.options import (
    add_constant,
    add_endpoint,
    check_at_least,
    check_names,
    check_port,
    parse_assignments,
    parse_endpoints,
)

NAME = "serve"
HELP = "run plans in a local xMatters: inbound URLs, events, REST API, responses, web console"
NICENESS = "XMPLAN_WORKER_NICENESS"  # read by each script worker as it starts (xmplan._runtime._worker)
WORKER_NICENESS = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plans", nargs="+", metavar="PLAN", help="plan zips or source trees to serve")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--data", default=".xmplan-serve", help="folder for the state (default .xmplan-serve/)")
    parser.add_argument("--people", metavar="FILE", help="the directory, JSON (default: the sample directory)")
    add_endpoint(parser, "base URL for a plan endpoint (default: the plan's own)")
    add_constant(parser)
    parser.add_argument("--engine", choices=["js2py", "quickjs"], help="JavaScript engine (default: the runtime's)")
    parser.add_argument("--rate-limit", type=int, default=600, metavar="N",
                        help="inbound requests per integration per 10 seconds before 429 (default 600)")
    parser.add_argument("--workers", type=int, default=2, help="script runs at a time (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads answering HTTP (default 8)")


def run(args: argparse.Namespace, out: TextIO) -> int:
    # The script workers run at a lower CPU priority than this process and its run host, so that
    # a 202 is answered promptly while scripts run.
    given = os.environ.get(NICENESS)
    os.environ.setdefault(NICENESS, str(WORKER_NICENESS))
    try:
        return _serve(args, out)
    finally:
        if given is None:
            os.environ.pop(NICENESS, None)


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    from .._runtime.api import load_plan
    from .._web import create_server, serve_until_interrupted, server_url
    from .app import create_app, emulator_of, runs_of
    from .config import ServeConfig
    from .directory import INTEGRATION_USER, load_directory, sample_directory

    endpoints = parse_endpoints(args.endpoint)
    constants = parse_assignments(args.constant, "--constant", "NAME=VALUE")
    check_port(args.port)
    for option, value in (("--rate-limit", args.rate_limit), ("--workers", args.workers), ("--threads", args.threads)):
        check_at_least(value, option)
    plans = tuple(load_plan(Path(path)) for path in args.plans)
    check_names(list(endpoints), "--endpoint", _names(plans, "endpoints"), "endpoint", len(plans))
    check_names(list(constants), "--constant", _names(plans, "constants"), "constant", len(plans))
    password = None
    if args.people:
        directory = load_directory(Path(args.people))
    else:
        password = secrets.token_urlsafe(12)
        directory = sample_directory(password)
    config = ServeConfig(plans, directory, data=Path(args.data), endpoints=endpoints,
                         constants=constants, engine=args.engine, rate_limit=args.rate_limit,
                         workers=args.workers, run_host=True)
    app = create_app(config, start=False)
    server = create_server(app, args.host, args.port, args.threads)
    url = server_url(server)
    emulator = emulator_of(app)
    emulator.set_url(url)
    runs_of(app).start()  # the run host's scripts call this URL back
    print(f"xmplan serve: a local xMatters at {url} (state in {args.data})", file=out)
    print(f"  web console: {url}/", file=out)
    print(f"  REST API:    {url}/api/xm/1 (Basic authentication of directory users)", file=out)
    if password is not None:
        print(f"  directory:   the sample (docs/serve.md); Integration User: {INTEGRATION_USER} / {password}", file=out)
    else:
        counts = f"{len(directory.people)} people, {len(directory.groups)} groups"
        print(f"  directory:   {args.people} ({counts})", file=out)
    for line in describe(emulator):
        print(line, file=out)
    out.flush()
    try:
        serve_until_interrupted(server)
    finally:
        runs_of(app).stop()
    return 0


def _names(plans: tuple[Any, ...], kind: str) -> list[str]:
    """The names of the plans' endpoints or constants (what `--endpoint` and `--constant` may set)."""
    return [str(item["name"]) for plan in plans for item in getattr(plan, kind)
            if isinstance(item, dict) and "name" in item]


def describe(emulator: Any) -> list[str]:
    """One line per inbound integration: its URL and how it authenticates."""
    lines = []
    how = {"BASIC": "Basic authentication (directory users)", "URL": "URL authentication (apiKey, acts as {user})",
           "ANY": "any method: Basic authentication, or the apiKey URL (acts as {user})"}
    for plan in emulator.plans:
        lines.append(f"plan {plan.name!r}:")
        for i in plan.integrations:
            if i.type != "INBOUND_WEBHOOK":
                continue
            lines.append(f"  {i.name}: POST {emulator.url}{i.path}")
            lines.append(f"    {how[i.auth].format(user=emulator.config.integration_user)}")
            if i.auth in ("URL", "ANY"):
                lines.append(f"    {emulator.url}{i.path}?apiKey={emulator.api_keys[i.id]}")
            if i.flow:
                lines.append("    made in Flow Designer: its flow runs (see docs/serve.md for the steps modelled)")
    return lines
