"""`xmplan validate`: check a plan zip or source tree and report every problem found."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._errors import Location, Problem, XmplanError
from .._locate import Locator
from .._model import Plan
from .._rules import Level, apply_levels
from .._source import UNREAD_RULES, load_plan, read_settings, read_source

# The checks are imported when a plan is checked: `xmplan run` reaches validate.javascript (the one
# require detector) through this package, and needs neither jsonschema nor the reference checks.

__all__ = ["validate_path", "validate_plan"]


def validate_path(path: Path, values: Mapping[str, Any], levels: Mapping[str, Level] | None = None) -> list[Problem]:
    """Every problem in the plan at `path` (a zip or a source tree), sorted by file and place.

    Rule levels (`{"es6-syntax": "off"}`) are those of the tree's plan/xmplan.json, then `levels`.
    """
    tree = path.is_dir()
    try:
        # A source tree is checked as far as it can be read; a zip is read whole or not at all.
        plan, problems = read_source(path, values) if tree else (load_plan(path), [])
    except XmplanError as exc:
        return sort_problems(exc.problems)
    except OSError as exc:  # a file that cannot be read (a dangling link, no permission) is a problem too
        return [Problem.of(Location(str(exc.filename or path)), exc.strerror or str(exc), "unreadable")]
    complete = not any(problem.rule in UNREAD_RULES for problem in problems)
    if tree:  # hand-edited JSON; exports come from a serializer
        from .jsonkeys import check_duplicate_keys

        problems += check_duplicate_keys(plan.texts)
    settings = read_settings(path) if tree else {}
    found = problems + validate_plan(plan, references=complete)
    if not tree:  # a source tree leaves ids and keys out for the build to fill
        from .exportkeys import check_export_keys

        found += check_export_keys(plan, Locator(plan))
    return sort_problems(apply_levels(found, {**settings.get("rules", {}), **(levels or {})}))


def validate_plan(plan: Plan, scripts: bool = True, references: bool = True) -> list[Problem]:
    """Every problem in a loaded plan: schema, cross-references and scripts (unless told not)."""
    from .references import check_references
    from .schema import check_schemas
    from .wiring import check_wiring

    locator = Locator(plan)
    problems, sound = check_schemas(plan, locator)
    if references:
        problems += check_references(sound, locator)
        problems += check_wiring(sound, locator)
    if scripts:  # the script checks parse (tree-sitter): build checks no scripts, so it loads none of them
        from .javascript import check_scripts
        from .jspaths import check_paths
        from .leaks import check_leaks

        problems += check_scripts(sound, locator, references)
        problems += check_paths(sound, locator)
        problems += check_leaks(sound, locator)
    return sort_problems(problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    def key(problem: Problem) -> tuple[str, int, int, bool, str]:
        loc: Location = problem.location
        return (loc.file, loc.line or 0, loc.column or 0, problem.severity != "error", problem.message)

    return sorted(set(problems), key=key)
