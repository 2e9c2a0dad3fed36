"""The `xmplan` command line: `main(argv) -> int`, one small handler per subcommand."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence, TextIO

from .errors import XmplanError


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """`["A=1", "B=x"]` -> `{"A": "1", "B": "x"}` for `--set` options."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"--set expects KEY=VALUE, got {pair!r}")
        values[key] = value
    return values


def _cmd_unpack(args: argparse.Namespace, out: TextIO) -> int:
    from .unpack import unpack_zip

    written = unpack_zip(Path(args.zip), Path(args.dir), force=args.force)
    print(f"unpacked {args.zip} into {args.dir} ({written} files)", file=out)
    return 0


def _cmd_build(args: argparse.Namespace, out: TextIO) -> int:
    from .export import build_tree

    path = build_tree(Path(args.dir), Path(args.output), parse_assignments(args.set))
    print(f"built {path}", file=out)
    return 0


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from .validate import validate_path

    problems = validate_path(Path(args.path), parse_assignments(args.set))
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


def problem_json(problem) -> dict:
    loc = problem.location
    return {"file": loc.file, "line": loc.line, "column": loc.column,
            "severity": problem.severity, "message": problem.message, "rule": problem.rule}


def _cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from .runtime.cli import run_command

    return run_command(args, out)


def _cmd_descriptor(args: argparse.Namespace, out: TextIO) -> int:
    from .hipchat.cli import descriptor_command

    return descriptor_command(args, out)


def main_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xmplan", description="Communication plans as code for xMatters.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("unpack", help="turn a plan export zip into an editable source tree")
    p.add_argument("zip", help="the export zip")
    p.add_argument("dir", help="the source tree to write (must be empty or absent)")
    p.add_argument("--force", action="store_true", help="write into a non-empty directory")
    p.set_defaults(handler=_cmd_unpack)

    p = sub.add_parser("build", help="build a plan zip from a source tree")
    p.add_argument("dir", nargs="?", default=".", help="the source tree (default: .)")
    p.add_argument("-o", "--output", default="dist", help="output directory (default: dist)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="template value")
    p.set_defaults(handler=_cmd_build)

    p = sub.add_parser("validate", help="check a plan zip or source tree and report every problem")
    p.add_argument("path", help="a plan zip or a source tree")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="template value")
    p.set_defaults(handler=_cmd_validate)

    from .runtime.cli import add_run_arguments

    p = sub.add_parser("run", help="run an Integration Builder integration locally")
    add_run_arguments(p)
    p.set_defaults(handler=_cmd_run)

    from .hipchat.cli import add_descriptor_arguments

    p = sub.add_parser("descriptor", help="write a HipChat add-on capabilities descriptor")
    add_descriptor_arguments(p)
    p.set_defaults(handler=_cmd_descriptor)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = main_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args, out))
    except XmplanError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        return 1
    except argparse.ArgumentTypeError as exc:
        print(f"xmplan: error: {exc}", file=err)
        return 2
    except OSError as exc:
        print(f"{exc.filename or 'xmplan'}: error: {exc.strerror or exc}", file=err)
        return 1


def entrypoint() -> None:
    sys.exit(main())
