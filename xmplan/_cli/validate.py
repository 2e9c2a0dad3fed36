"""`xmplan validate PATH...`: every problem of plan zips or source trees; `--list-rules`: the rules."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from .._errors import Problem, UsageError
from .options import add_format, add_rule, add_set, parse_assignments, parse_rules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="plan zips or source trees (many at once, as pre-commit passes them)")
    add_format(parser)
    add_set(parser)
    add_rule(parser)
    parser.add_argument("--list-rules", action="store_true",
                        help="list every rule with its default severity and what it finds")


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.list_rules:
        from .._rules import listing

        out.write(listing())
        return 0
    if not args.paths:
        raise UsageError("validate needs a PATH (a plan zip or source tree), or --list-rules")
    from .._validate import validate_path

    values, rules = parse_assignments(args.set), parse_rules(args.rule)
    # One process for all: schemas, the parser and parsed scripts (libraries repeat) are shared.
    failed, everything = False, []
    for path in args.paths:
        problems = validate_path(Path(path), values, rules)
        errors = sum(p.severity == "error" for p in problems)
        failed = failed or errors > 0
        if args.format == "json":
            everything += [problem_json(p) for p in problems]
            continue
        for problem in problems:  # each names its own file, inside its plan's path
            print(problem, file=out)
        print(f"{path}: {errors} error(s), {len(problems) - errors} warning(s)", file=out)
    if args.format == "json":
        json.dump(everything, out, indent=2)
        out.write("\n")
    return 1 if failed else 0


def problem_json(problem: Problem) -> dict[str, Any]:
    loc = problem.location
    return {"file": loc.file, "line": loc.line, "column": loc.column,
            "severity": problem.severity, "message": problem.message, "rule": problem.rule}
