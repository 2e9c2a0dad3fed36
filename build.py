"""Build everything an admin installs: dist/<plan name>.zip and dist/atlassian-connect.json."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from xmplan.cli import parse_assignments
from xmplan.errors import XmplanError
from xmplan.files import atomic_write
from xmplan.hipchat.descriptor import (DESCRIPTOR_FILE, build_descriptor, check_descriptor, descriptor_text,
                                       options_from_values)

ROOT = Path(__file__).resolve().parent
VALUES = "plan/values.json"


def read_values(root: Path, overrides: dict[str, str]) -> dict[str, str]:
    """plan/values.json with `--set` overrides on top: the values the templates see too."""
    path = root / VALUES
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise XmplanError.at(f"{VALUES}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}", "json") from None
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise XmplanError.at(VALUES, "must be a JSON object of strings", "values")
    return {**values, **overrides}


def build(root: Path, out_dir: Path, overrides: dict[str, str]) -> list[Path]:
    """Write the plan zip and the descriptor into `out_dir`; returns what was written."""
    from xmplan.export import build_tree

    values = read_values(root, overrides)
    descriptor = build_descriptor(options_from_values(values, VALUES))
    target = out_dir / DESCRIPTOR_FILE
    check_descriptor(descriptor, str(target))
    plan_zip = build_tree(root, out_dir, overrides)
    atomic_write(target, descriptor_text(descriptor).encode("utf-8"))
    return [plan_zip, target]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", default="dist", help="output directory (default: dist)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a value of plan/values.json (plan_name, hipchat_url, addon_url, ...)")
    args = parser.parse_args(argv)
    try:
        overrides = parse_assignments(args.set)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    try:
        written = build(ROOT, Path(args.output), overrides)
    except XmplanError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename or 'build.py'}: error: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
