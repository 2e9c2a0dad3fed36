"""Whether a source tree holds the plan of an export: `unpack --force` writes over that plan only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ._errors import WriteError, XmplanError
from ._model import ENGINE, Json, Plan
from ._names import integrations


@dataclass(frozen=True)
class Identity:
    """What says which plan a plan is: its name, and the ids of its forms and integrations.

    A newer export of the same plan keeps the name or the ids (xMatters keeps a form's uuid and an
    integration's id across exports; a renamed plan keeps them too), so either one matching is
    the same plan.
    """

    name: str
    ids: frozenset[str]

    @classmethod
    def of(cls, plan: Plan) -> Identity:
        """The identity of a plan as read, however odd its documents (a zip is checked after this)."""
        engine = plan.get(ENGINE)
        name = engine.get("name") if isinstance(engine, dict) else None
        listed = integrations(plan)
        ids = [form.get("uuid") for _, form in plan.forms() if isinstance(form, dict)]
        ids += [item.get("id") for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
        return cls(name if isinstance(name, str) else "", frozenset(value for value in ids if isinstance(value, str)))

    @property
    def known(self) -> bool:
        return bool(self.name or self.ids)

    def same(self, other: Identity) -> bool:
        return bool(self.name and self.name == other.name) or bool(self.ids & other.ids)


def check_same_plan(root: Path, plan: Plan) -> None:
    """Raise unless `root` holds no source tree, or one of the same plan as `plan`.

    The tree is read as the build reads it (templates rendered, ids filled), so a hand-written
    tree is the plan it builds; a document that cannot be read is left out of the comparison.
    """
    if not (root / "plan").is_dir():
        return  # no plan there (a repository's root, say): nothing of another plan to overwrite
    from ._source import read_source  # the tree reader only for --force

    hint = "add --other-plan to write over it anyway"
    try:
        there = Identity.of(read_source(root)[0])
    except XmplanError as exc:
        reason = exc.problems[0].message if exc.problems else str(exc)
        raise WriteError.at(str(root), f"cannot tell which plan this tree holds ({reason}): {hint}") from None
    if not there.known:
        raise WriteError.at(str(root), f"cannot tell which plan this tree holds (no name, form or integration "
                            f"could be read): {hint}")
    mine = Identity.of(plan)
    if not there.same(mine):
        raise WriteError.at(str(root), f"holds plan {_shown(there.name)}, not {_shown(mine.name)}, and none of "
                            f"its forms or integrations: unpack --force writes over the same plan only ({hint})")


def _shown(name: Json) -> str:
    return repr(name) if name else "(no name)"
