"""How much a run may record of what it caused through host calls: console text, HTTP bodies, events."""

from __future__ import annotations

from collections import Counter

OUTPUT_LIMIT = 8 * 1024 * 1024  # characters of console text, HTTP bodies and events, per run
STEP_COST = 100  # what recording one step costs beyond its text: a million empty lines are not free
CUT = " [cut: the run reached its output limit]"
_WHAT = {"console": "console lines dropped", "http": "HTTP bodies cut", "event": "events recorded without "
         "their properties"}


class OutputBudget:
    """Hands out the run's output limit: whole texts while it lasts, then cut ones, then nothing.

    A QuickJS script that logged an 8 MiB string in a loop once grew this process to 3.9 GB:
    the engine's heap limit does not see what the host records.
    """

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        self.limit = limit
        self.left = limit
        self.cut: Counter[str] = Counter()

    def fit(self, text: str | None, kind: str) -> str | None:
        """`text` as it may be recorded: whole, cut short, or None (console lines past the limit)."""
        if text is None:
            return None
        cost = len(text) + STEP_COST
        if cost <= self.left:
            self.left -= cost
            return text
        self.cut[kind] += 1
        if kind == "console" and self.left <= 0:
            return None
        kept = text[:max(self.left - STEP_COST, 0)]
        self.left = 0
        return kept + CUT

    def notes(self) -> tuple[str, ...]:
        if not self.cut:
            return ()
        parts = ", ".join(f"{count} {_WHAT.get(kind, kind)}" for kind, count in sorted(self.cut.items()))
        return (f"output limit of {self.limit // (1024 * 1024)} Mi characters reached: {parts}",)
