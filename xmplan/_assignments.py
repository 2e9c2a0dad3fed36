"""`KEY=VALUE` pairs of options such as `--set`, parsed apart from argparse (build.py loads no `_cli`)."""

from __future__ import annotations

from collections.abc import Sequence

from ._errors import UsageError


def parse_assignments(pairs: Sequence[str], option: str = "--set", form: str = "KEY=VALUE") -> dict[str, str]:
    """`["A=1", "B=x"]` -> `{"A": "1", "B": "x"}` for `--set` options; a UsageError otherwise."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            msg = f"{option} expects {form}, got {pair!r}"
            raise UsageError(msg)
        values[key] = value
    return values
