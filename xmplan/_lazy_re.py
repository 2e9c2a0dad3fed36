"""Regular expressions compiled on first use: a command uses few of those its modules define."""

from __future__ import annotations

import re
from typing import Any, cast


class _Lazy:
    """Stands for `re.compile(pattern, flags)`; the first attribute read compiles it.

    Each attribute read once (`search`, `sub`, `pattern`) is then the compiled pattern's own,
    kept on this object: a hot loop calls the C method itself, through no wrapper.
    """

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet
        value = getattr(re.compile(*self._source), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r}, {self._source[1]!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)` once first used (compiling the ~30 that `python build.py` never
    uses cost it 28 M instructions, 4% of its start-up). Use its methods and attributes; it is no
    `re.Pattern` instance, so it does not go into `re.sub(...)` and the like as their pattern."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
