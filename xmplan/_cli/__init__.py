"""The `xmplan` command line: `main(argv) -> int`; each subcommand is a module listed in `commands`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TextIO

from .. import __version__
from .._errors import UsageError, XmplanError, printable
from .commands import GROUPS, available
from .options import parse_assignments

__all__ = ["entrypoint", "main", "main_parser", "parse_assignments"]


def _selected(argv: Sequence[str]) -> str | None:
    """The command `argv` names (`validate`, `hipchat serve`): the leading words that are no option."""
    words = []
    for token in argv:
        if token.startswith("-"):
            break  # options of the top level or of the group come before nothing we need
        words.append(token)
        if token not in GROUPS:
            break
    return " ".join(words) or None


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def main_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given `argv`, only the command it names gets its arguments (and is imported)."""
    selected = None if argv is None else _selected(argv)
    parser = argparse.ArgumentParser(prog="xmplan", description="Communication plans as code for xMatters.")
    parser.add_argument("--version", action="version", version=f"xmplan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for command in available():
        *group, last = command.name.split()
        target = sub
        if group:
            if group[0] not in groups:
                group_parser = sub.add_parser(group[0], help=GROUPS[group[0]], description=GROUPS[group[0]])
                groups[group[0]] = group_parser.add_subparsers(dest="subcommand", required=True,
                                                               metavar="COMMAND")
            target = groups[group[0]]
        p = target.add_parser(last, help=command.help, description=command.help)
        p.set_defaults(module=command.module)
        if argv is None or command.name == selected:
            _module(command.module).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    args = main_parser(argv).parse_args(argv)
    try:
        return int(_module(args.module).run(args, out))
    except UsageError as exc:
        print(f"xmplan: error: {exc.message}", file=err)
        return 2
    except XmplanError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        if not exc.problems:
            print(f"xmplan: error: {exc}", file=err)
        return 1
    except OSError as exc:
        print(printable(f"{exc.filename or 'xmplan'}: error: {exc.strerror or exc}"), file=err)  # a name from the input
        return 1


def entrypoint() -> None:
    sys.exit(main())
