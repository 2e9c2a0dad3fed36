"""Build everything an admin installs: dist/<plan name>.zip and dist/atlassian-connect.json."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from xmplan import (
    DESCRIPTOR_FILE,
    VALUES,
    UsageError,
    XmplanError,
    atomic_write,
    build_descriptor,
    build_tree,
    check_descriptor,
    descriptor_text,
    options_from_values,
    parse_assignments,
    template_values,
)

ROOT = Path(__file__).resolve().parent


def build(root: Path, out_dir: Path, overrides: dict[str, str]) -> list[Path]:
    """Write the plan zip and the descriptor into `out_dir`; returns what was written."""
    values = template_values(root, overrides)
    descriptor = build_descriptor(options_from_values(values, VALUES))
    target = out_dir / DESCRIPTOR_FILE
    check_descriptor(descriptor, str(target))
    plan_zip = build_tree(root, out_dir, overrides, on_warning=lambda problem: print(problem, file=sys.stderr))
    atomic_write(target, descriptor_text(descriptor).encode("utf-8"))
    return [plan_zip, target]


def parse(argv: Sequence[str]) -> tuple[str, list[str]]:
    """The output directory and the `--set` pairs of `argv` (exit 2 on a usage error, 0 after --help)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", default="dist", help="output directory (default: dist)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a value of plan/values.json (plan_name, hipchat_url, addon_url, ...)")
    args = parser.parse_args(argv)
    try:
        parse_assignments(args.set)
    except UsageError as exc:
        parser.error(exc.message)
    return args.output, args.set


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # `python build.py`, as the README has it, needs no parser: argparse (with the gettext and locale
    # it loads) is a tenth of the build's start-up
    output, pairs = parse(argv) if argv else ("dist", [])
    overrides = parse_assignments(pairs)
    try:
        written = build(ROOT, Path(output), overrides)
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
