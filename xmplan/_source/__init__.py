"""Source tree -> plan model, by stage: read and render (reader), resolve file references (resolve),
read the settings (settings), fill the era's defaults (eras), link message texts (link), order entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._canonical import entry_order_key
from .._eras import DEFAULT_ERA, fill
from .._errors import Location, Problem, SourceError
from .._layout import SETTINGS, VALUES
from .._model import ENGINE, Entry, Plan
from .._names import resolve_canvases
from .link import link_texts
from .reader import TreeReader, by_place
from .settings import read_settings, timestamps
from .settings import settings as read_tree_settings
from .unused import unreferenced_files

__all__ = ["UNREAD_RULES", "is_source_tree", "load_plan", "load_source", "read_settings", "read_source",
           "template_values"]


def is_source_tree(path: Path) -> bool:
    return path.is_dir() and (path / "plan").is_dir()


def load_plan(path: str | Path, values: Mapping[str, Any] | None = None) -> Plan:
    """A plan from an export zip or a source tree (`values` fill the tree's templates)."""
    path = Path(path)
    if path.is_dir():
        return load_source(path, values)
    if not path.exists():
        raise SourceError.at(str(path), "no such file or directory", "load")
    from .._archive import read_plan

    return read_plan(path)


def template_values(root: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The values templates see: `plan/values.json`, then `--set` overrides on top."""
    return {**TreeReader(root).json_file(VALUES, {}), **(overrides or {})}


def load_source(root: str | Path, values: Mapping[str, Any] | None = None) -> Plan:
    """Read the source tree at `root` into a complete plan model, or raise every problem found.

    `values` override those of `plan/values.json` for the templates.
    """
    plan, problems = read_source(Path(root), values)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise SourceError(sorted(errors, key=by_place))
    return plan


# Problems that leave a document out of the plan read: other files' references to it would be
# reported as dangling, so cross-references wait until they are fixed.
UNREAD_RULES = frozenset({"json-syntax", "document-type", "encoding", "template-syntax", "template-undefined",
                          "template", "template-twin", "symlink", "unreadable"})


def read_source(root: Path, values: Mapping[str, Any] | None = None) -> tuple[Plan, list[Problem]]:
    """The plan at `root` as far as it can be read, and the problems found reading it.

    Documents that cannot be read are left out (see UNREAD_RULES); a tree that is no plan or
    has bad settings raises.
    """
    reader = TreeReader(root)
    if not (root / "plan").is_dir():
        if not root.exists():
            raise SourceError.at(str(root), "no such file or directory")
        if not root.is_dir():  # most often an export zip given to build
            raise SourceError.at(str(root), "not a plan source tree but a file: build reads a folder with plan/ "
                                 "in it, as `xmplan unpack EXPORT.zip DIR` writes")
        raise SourceError.at(str(root), "not a plan source tree: no plan/ directory")
    context = template_values(root, values)
    settings = read_tree_settings(reader)
    era = settings.get("era", DEFAULT_ERA)
    reader.render_all(context)
    documents = reader.documents()
    if not any(problem.rule in UNREAD_RULES for problem in reader.problems):
        # A document that did not read may be what refers to a file: it would look unreferenced.
        reader.problems.extend(unreferenced_files(reader, documents))
    # Entry names of the files there, read or not (one that failed to read is not missing).
    present = {relative[len("plan/"):].removesuffix(".j2") for relative in reader.all_files
               if relative.startswith("plan/")}
    if ENGINE not in present:
        reader.problems.append(Problem.of(Location(reader.display("plan/engine.json")),
                                          "missing: every plan has an engine.json (its name and description)",
                                          "missing-engine"))
    for key in ("timestamps", "canvasOrder", "compact"):
        for name in settings.get(key, ()):
            if name not in present:
                reader.problems.append(Problem.of(Location(reader.display(SETTINGS)), f"setting {key!r} names "
                                                  f"{name!r}, which is not a document of the plan", "stale-setting"))
    stamps = timestamps(reader, settings)
    entries = [Entry(name, data, stamps.get(name, stamps[""]), name in settings.get("compact", []))
               for name, data in documents.items()]
    plan = Plan(tuple(entries), str(root), reader.sources, reader.texts)
    plan = fill(plan, era)
    plan = resolve_canvases(plan)
    plan, linked = link_texts(plan)
    problems = reader.problems + linked
    order = list(settings.get("canvasOrder", []))
    ordered = sorted(plan.entries, key=lambda e: entry_order_key(e.name, e.data, order))
    return Plan(tuple(ordered), plan.origin, plan.sources, plan.texts), problems
