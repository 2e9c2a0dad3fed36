"""`xmplan build [DIR]`: a source tree as a plan zip."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .options import add_rule, add_set, parse_assignments, parse_rules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", help="the source tree (default: .)")
    parser.add_argument("-o", "--output", default="dist", help="output directory (default: dist)")
    add_set(parser)
    add_rule(parser)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from .._export import build_tree

    # Warnings do not stop the build; they are printed as `xmplan validate` prints them.
    path = build_tree(Path(args.dir), Path(args.output), parse_assignments(args.set), parse_rules(args.rule),
                      on_warning=lambda problem: print(problem, file=out))
    print(f"built {path}", file=out)
    return 0
