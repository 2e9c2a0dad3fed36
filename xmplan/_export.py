"""Plan model -> plan zip, byte for byte as xMatters' exporter writes it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ._canonical import canonical, strip_name
from ._errors import Problem, SourceError
from ._files import atomic_write
from ._jsontext import entry_bytes
from ._model import Plan
from ._rules import Level, apply_levels
from ._source import read_settings, read_source
from ._validate import sort_problems, validate_plan
from ._validate.jsonkeys import check_duplicate_keys
from ._zipwrite import plan_zip_bytes


def plan_zip(plan: Plan) -> bytes:
    """The zip of a complete plan (as `load_source` or `read_plan` give it)."""
    return plan_zip_bytes(
        (entry.name, entry_bytes(canonical(entry.name, entry.data), entry.compact), entry.date_time)
        for entry in plan.entries
    )


def zip_name(plan: Plan) -> str:
    return f"{strip_name(plan.name) or 'plan'}.zip"


def build_tree(root: Path, out_dir: Path, values: Mapping[str, Any] | None = None,
               levels: Mapping[str, Level] | None = None,
               on_warning: Callable[[Problem], object] | None = None) -> Path:
    """Build the source tree at `root` into `out_dir/<PlanName>.zip`; returns its path.

    A plan with errors (schema, cross-references, a member named twice; `xmplan validate` also
    checks scripts) is not built. Rule levels (plan/xmplan.json's, then `levels`) apply to those
    checks; a file that cannot be read is always an error. Warnings (a file nothing refers to,
    a dangling placeholder) do not stop the build: each goes to `on_warning`, in file order.
    """
    plan, read = read_source(root, values)
    unread = [problem for problem in read if problem.severity == "error"]
    if unread:
        raise SourceError(sort_problems(unread))
    found = [*read, *validate_plan(plan, scripts=False), *check_duplicate_keys(plan.texts)]
    problems = sort_problems(apply_levels(found, {**read_settings(root).get("rules", {}), **(levels or {})}))
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise SourceError(errors)
    path = out_dir / zip_name(plan)
    atomic_write(path, plan_zip(plan))
    if on_warning is not None:
        for problem in problems:
            on_warning(problem)
    return path
