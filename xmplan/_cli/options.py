"""Options that several subcommands share (`--set`, `--format`, `--rule`, `--endpoint`, `--constant`), defined and
parsed once."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import cast

from .._assignments import parse_assignments as parse_assignments  # the subcommands import it from here
from .._errors import UsageError
from .._rules import Level, check_levels


def add_set(parser: argparse.ArgumentParser, help: str = "template value") -> None:
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=help)


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")


def add_rule(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rule", action="append", default=[], metavar="ID=LEVEL",
                        help="report rule ID as error, warning or off (see `xmplan validate --list-rules`)")


def add_endpoint(parser: argparse.ArgumentParser, help: str = "base URL for a plan endpoint") -> None:
    parser.add_argument("--endpoint", action="append", default=[], metavar="NAME=URL", help=help)


def add_constant(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--constant", action="append", default=[], metavar="NAME=VALUE",
                        help="value for a plan constant, e.g. a token the export leaves blank (repeatable)")


def parse_endpoints(pairs: Sequence[str]) -> dict[str, str]:
    """`--endpoint NAME=URL` options (the name may hold spaces, the URL is http or https)."""
    endpoints = parse_assignments(pairs, "--endpoint", "NAME=URL")
    for name, url in endpoints.items():
        scheme, _, rest = url.partition("://")
        if scheme not in ("http", "https") or not rest.split("/")[0]:
            raise UsageError(f"--endpoint {name}: expected an http or https URL, got {url!r}")
    return endpoints


def check_port(port: int, option: str = "--port") -> None:
    """A TCP port to listen on: 0 (any free one) to 65535."""
    if not 0 <= port <= 65535:
        raise UsageError(f"{option} must be 0 to 65535 (0 picks a free port), got {port}")


def check_at_least(value: int, option: str, least: int = 1) -> None:
    if value < least:
        raise UsageError(f"{option} must be at least {least}, got {value}")


def check_names(given: Sequence[str], option: str, known: Sequence[str], what: str, plans: int = 1) -> None:
    """Every name given to `option` is one of `known` (the endpoints or constants of the plans)."""
    unknown = [name for name in given if name not in known]
    if unknown:
        owner = "the plan has" if plans == 1 else "the plans have"
        names = ", ".join(sorted(set(known))) or "none"
        raise UsageError(f"{option}: no {what} named {unknown[0]!r} ({owner}: {names})")


def parse_rules(pairs: Sequence[str]) -> dict[str, Level]:
    """`--rule es6-syntax=off` options as rule levels; an unknown rule or level is a UsageError."""
    levels = parse_assignments(pairs, "--rule")
    wrong = check_levels(levels)
    if wrong:
        raise UsageError(f"--rule: {wrong[0]}")
    return {rule_id: cast(Level, level) for rule_id, level in levels.items()}  # checked just above
