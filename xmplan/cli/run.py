"""`xmplan run`: run one integration against fake endpoints and print what happened."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from ..errors import Location, UsageError, XmplanError
from .options import add_format, add_set, parse_assignments

# The runtime's engine names, spelled here so that `xmplan run --help` imports no runtime
# (tests/test_cli.py checks they agree with xmplan.runtime.engines.ENGINE_NAMES).
ENGINES = ("js2py", "quickjs")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", help="a plan zip or source tree")
    parser.add_argument("integration", help="the integration's name")
    parser.add_argument("--request", required=True, metavar="FILE",
                        help='JSON {"body": ..., "headers": {...}, "parameters": {...}}')
    parser.add_argument("--respond", action="append", default=[], metavar="ENDPOINT=FILE",
                        help='fake answer for an endpoint: JSON {"status", "body", "headers"} or a list of them')
    parser.add_argument("--engine", choices=ENGINES, default=None, help="JavaScript engine")
    add_format(parser)
    add_set(parser)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..runtime.activity import activity_log
    from ..runtime.api import Request, Runtime, load_plan

    runtime = Runtime(load_plan(args.plan, parse_assignments(args.set)), engine=args.engine)
    request = Request.from_json(_read_json(args.request), args.request)
    for option in args.respond:  # one endpoint may be given several times: no dict
        endpoint, sep, filename = option.partition("=")
        if not sep or not endpoint or not filename:
            raise UsageError(f"--respond expects ENDPOINT=FILE, got {option!r}")
        answers = _read_json(filename)
        try:
            runtime.respond(endpoint, *(answers if isinstance(answers, list) else [answers]))
        except XmplanError as exc:
            raise XmplanError.at(filename, exc.problems[0].message) from None
    outcome = runtime.run(args.integration, request)
    if args.format == "json":
        json.dump(outcome.to_json(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(activity_log(outcome))
    return 1 if outcome.error else 0


def _read_json(filename: str) -> Any:
    text = Path(filename).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise XmplanError.at(Location(filename, exc.lineno, exc.colno), f"not JSON: {exc.msg}") from None
