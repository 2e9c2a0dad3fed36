"""`xmplan run`: run one integration against fake endpoints and print what happened."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from ..errors import Location, XmplanError
from .activity import activity_log
from .api import Request, Runtime, load_plan


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="a plan zip or source tree")
    p.add_argument("integration", help="the integration's name")
    p.add_argument("--request", required=True, metavar="FILE",
                   help='JSON {"body": ..., "headers": {...}, "parameters": {...}}')
    p.add_argument("--respond", action="append", default=[], metavar="ENDPOINT=FILE",
                   help='fake answer for an endpoint: JSON {"status", "body", "headers"} or a list of them')
    p.add_argument("--engine", choices=["js2py", "quickjs"], default=None, help="JavaScript engine")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="template value")


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    from ..cli import parse_assignments

    runtime = Runtime(load_plan(args.plan, parse_assignments(args.set)), engine=args.engine)
    request = Request.from_json(_read_json(args.request), args.request)
    for option in args.respond:
        endpoint, sep, filename = option.partition("=")
        if not sep or not endpoint or not filename:
            raise XmplanError.at("--respond", f"expected ENDPOINT=FILE, got {option!r}")
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
