"""`xmplan run`: run one integration against fake endpoints and print what happened."""

from __future__ import annotations

import argparse
from typing import TextIO


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
    raise NotImplementedError("xmplan run")  # the runtime helper replaces this
