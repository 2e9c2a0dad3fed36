"""Build the ScriptError / ScriptTimeout an engine raises, naming the script's file and line."""

from __future__ import annotations

from xmplan._errors import Location, Problem, ScriptError, ScriptTimeout

RULE_ERROR = "js-error"
RULE_SYNTAX = "js-syntax"
RULE_TIMEOUT = "js-timeout"
RULE_MEMORY = "js-memory"


def script_error(filename: str, line: int | None, message: str, rule: str = RULE_ERROR,
                 column: int | None = None) -> ScriptError:
    """A failed script: `message` is the JavaScript error text (`TypeError: ...`)."""
    return ScriptError([Problem.of(Location(filename, line, column if line else None), message, rule)])


def timeout_error(filename: str, line: int | None, time_limit: float) -> ScriptTimeout:
    msg = f"script stopped after the {time_limit:g} s time limit (endless loop?)"
    return ScriptTimeout([Problem.of(Location(filename, line), msg, RULE_TIMEOUT)])


def memory_error(filename: str, line: int | None, detail: str) -> ScriptError:
    return script_error(filename, line, f"script ran out of memory ({detail})", RULE_MEMORY)
