"""The JavaScript engine interface: run scripts in a fresh, sandboxed context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

# The only thing a script can reach outside the engine: host(operation, json_text) -> json_text.
# Only strings cross the boundary, so no host object is ever handed to a script.
HostFunction = Callable[[str, str], str]
HOST_GLOBAL = "__xmplan_host__"


@dataclass(frozen=True)
class Script:
    """A piece of JavaScript and the file name errors should name (e.g. scripts/integrations/X.js).

    `reusable`: the script leaves the same state every run and calls the host function only from
    functions called later, never while it loads. An engine may then run a leading series of
    reusable scripts once and, before each later run, restore the global state they left.
    `harness`: the runtime's own code (the prelude). An error raised inside it, say by `require` of
    a missing library, is reported where the plan's script called into it.
    `header`: how many characters of `text`'s first line come before the file's own (a wrapper's
    opening): columns on line 1 are reported without them.
    """

    filename: str
    text: str
    reusable: bool = False
    harness: bool = False
    header: int = 0


class Engine(Protocol):
    """Runs `scripts` in order in one new global context, with `HOST_GLOBAL` bound to `host`.

    Raises `ScriptError` (syntax error or uncaught exception, naming the script's file and
    line) or `ScriptTimeout` when the scripts run longer than `time_limit` seconds. Nothing
    a run does is visible to the next run.
    """

    name: str

    def run(self, scripts: Sequence[Script], host: HostFunction, *, time_limit: float) -> None: ...
