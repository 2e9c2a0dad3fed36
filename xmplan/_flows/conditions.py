"""Flow Designer's Condition step (`conditionPaths`): the first path whose conditions hold is taken."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .mappings import Scope, resolve

Json = Any
_TESTS: dict[str, Callable[[str, str], bool]] = {
    "EQUALS": lambda left, right: left == right,
    "NOT_EQUALS": lambda left, right: left != right,
    "CONTAINS": lambda left, right: right in left,
    "NOT_CONTAINS": lambda left, right: right not in left,
    "STARTS_WITH": lambda left, right: left.startswith(right),
    "ENDS_WITH": lambda left, right: left.endswith(right),
    "IS_EMPTY": lambda left, right: left == "",
    "IS_NOT_EMPTY": lambda left, right: left != "",
}


def _holds(config: Json, scope: Scope, notes: list[str]) -> bool:
    """A condition set: its conditions and nested sets joined by AND or OR."""
    results = []
    for condition in config.get("conditions") or []:
        left, missing = resolve(str(condition.get("left") or ""), scope)
        right, more = resolve(str(condition.get("right") or ""), scope)
        notes += missing + more
        test = _TESTS.get(str(condition.get("operator")))
        if test is None:
            notes.append(f"operator {condition.get('operator')!r} is not modelled: taken as false")
            results.append(False)
        else:
            results.append(bool(test(left, right)))
    results += [_holds(inner, scope, notes) for inner in config.get("sets") or [] if isinstance(inner, dict)]
    if not results:
        return True
    return any(results) if config.get("connector") == "OR" else all(results)


def condition_port(block: Json, scope: Scope) -> tuple[str | None, str, list[str]]:
    """(the port of the first path that holds, or None for the default path; its name; notes)."""
    notes: list[str] = []
    paths = sorted((p for p in block.get("conditionPaths") or [] if isinstance(p, dict)),
                   key=lambda p: p.get("orderNum") or 0)
    for path in paths:
        try:
            config = json.loads(path.get("config") or "{}")
        except ValueError:
            notes.append(f"condition path {path.get('name')!r} has a config that is not JSON: skipped")
            continue
        if isinstance(config, dict) and _holds(config, scope, notes):
            return str(path.get("id")), str(path.get("name")), notes
    return None, "default", notes
