"""`xmplan validate PATH`: every problem of a plan zip or source tree; `--list-rules`: the rules."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from ..errors import Problem, UsageError
from .options import add_format, add_rule, add_set, parse_assignments, parse_rules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", help="a plan zip or a source tree")
    add_format(parser)
    add_set(parser)
    add_rule(parser)
    parser.add_argument("--list-rules", action="store_true",
                        help="list every rule with its default severity and what it finds")


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.list_rules:
        from ..rules import listing

        out.write(listing())
        return 0
    if args.path is None:
        raise UsageError("validate needs a PATH (a plan zip or source tree), or --list-rules")
    from ..validate import validate_path

    problems = validate_path(Path(args.path), parse_assignments(args.set), parse_rules(args.rule))
    errors = sum(p.severity == "error" for p in problems)
    if args.format == "json":
        json.dump([problem_json(p) for p in problems], out, indent=2)
        out.write("\n")
    else:
        for problem in problems:
            print(problem, file=out)
        warnings = len(problems) - errors
        print(f"{args.path}: {errors} error(s), {warnings} warning(s)", file=out)
    return 1 if errors else 0


def problem_json(problem: Problem) -> dict[str, Any]:
    loc = problem.location
    return {"file": loc.file, "line": loc.line, "column": loc.column,
            "severity": problem.severity, "message": problem.message, "rule": problem.rule}
