"""`xmplan unpack EXPORT.zip DIR`: an export as an editable source tree."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("zip", help="the export zip")
    parser.add_argument("dir", help="the source tree to write (must be empty or absent)")
    parser.add_argument("--force", action="store_true",
                        help="update the source tree in a non-empty directory (from a newer export of its plan)")
    parser.add_argument("--other-plan", action="store_true",
                        help="with --force: write even over the source tree of another plan")


def run(args: argparse.Namespace, out: TextIO) -> int:
    from .._errors import UsageError
    from .._unpack import unpack_zip

    if args.other_plan and not args.force:
        raise UsageError("--other-plan goes with --force")

    def warn(problem: object) -> None:
        print(problem, file=out)

    written = unpack_zip(Path(args.zip), Path(args.dir), force=args.force, warn=warn, other_plan=args.other_plan)
    print(f"unpacked {args.zip} into {args.dir} ({written} files)", file=out)
    return 0
