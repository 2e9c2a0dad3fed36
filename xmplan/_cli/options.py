"""Options that several subcommands share (`--set`, `--format`, `--rule`), defined and parsed once."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import cast

from .._errors import UsageError
from .._rules import Level, check_levels


def add_set(parser: argparse.ArgumentParser, help: str = "template value") -> None:
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=help)


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")


def add_rule(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rule", action="append", default=[], metavar="ID=LEVEL",
                        help="report rule ID as error, warning or off (see `xmplan validate --list-rules`)")


def parse_assignments(pairs: Sequence[str], option: str = "--set") -> dict[str, str]:
    """`["A=1", "B=x"]` -> `{"A": "1", "B": "x"}` for `--set` options; a UsageError otherwise."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            msg = f"{option} expects KEY=VALUE, got {pair!r}"
            raise UsageError(msg)
        values[key] = value
    return values


def parse_rules(pairs: Sequence[str]) -> dict[str, Level]:
    """`--rule es6-syntax=off` options as rule levels; an unknown rule or level is a UsageError."""
    levels = parse_assignments(pairs, "--rule")
    wrong = check_levels(levels)
    if wrong:
        raise UsageError(f"--rule: {wrong[0]}")
    return {rule_id: cast(Level, level) for rule_id, level in levels.items()}  # checked just above
