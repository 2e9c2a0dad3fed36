"""Problems and errors, each carrying the file and place it is about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from ._lazy_re import lazy
from ._rules import RULES, Severity, severity

__all__ = ["ArchiveError", "DescriptorError", "InputError", "Location", "Problem", "RunError", "ScriptError",
           "ScriptTimeout", "Severity", "SetupError", "SourceError", "UsageError", "WriteError", "XmplanError",
           "printable"]

# Characters that would break a message's one line or forge others: controls (newline, ESC of
# ANSI sequences), line and paragraph separators, and the marks that reorder text on screen.
_UNPRINTABLE = lazy("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` on one line: every character that could break or forge a line, escaped as `\\xNN`."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in `...` when cut (for values quoted in messages)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Location:
    """A place in a file: `file`, `file:line` or `file:line:column` (1-based)."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One finding, printed compiler-style: `file:line:col: error: message [rule]`."""

    location: Location
    message: str
    severity: Severity = "error"
    rule: str = ""

    def __post_init__(self) -> None:
        if self.rule and self.rule not in RULES:
            msg = f"unknown rule {self.rule!r}: add it to xmplan/_rules.py"
            raise ValueError(msg)

    @classmethod
    def of(cls, location: Location, message: str, rule: str, special: bool = False) -> Self:
        """A problem of `rule` at the severity the rule table gives it (`special`: see `Rule.special`)."""
        return cls(location, message, severity(rule, special), rule)

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        # File names and messages quote the input (entry names, property names): one problem, one line.
        return printable(f"{self.location}: {self.severity}: {self.message}{rule}")


class XmplanError(Exception):
    """Base of every error xmplan raises on purpose; holds one or more problems."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, location: Location | str, message: str, rule: str = "") -> Self:
        if isinstance(location, str):
            location = Location(location)
        return cls([Problem(location, message, "error", rule)])


class UsageError(XmplanError):
    """A command line that asks for something impossible (a bad `--set`, `--rule` or option value): exit 2.

    It is about no file, so it holds a message rather than located problems.
    """

    def __init__(self, message: str) -> None:
        self.problems = ()
        self.message = message
        Exception.__init__(self, message)


class SetupError(XmplanError):
    """The runtime cannot start as asked: no JavaScript engine installed, an unknown one named, an
    engine used where it cannot keep its time limit, a worker process that does not start."""

    def __init__(self, message: str) -> None:
        self.problems = ()
        self.message = message
        Exception.__init__(self, message)


class InputError(XmplanError):
    """A file or value given to a command or the API that is not what it must be: a request, fake
    answers, step outputs, a people directory, an add-on key file that others may read."""


class RunError(XmplanError):
    """A run the plan cannot do as asked: no integration or step of that name, no script or canvas
    for it, an endpoint it does not declare, inputs its step does not take."""


class WriteError(XmplanError):
    """Output that cannot be written where asked: a folder that is not empty (without --force), a
    file, folder or symlink in the way, an operating system error while writing."""


class ArchiveError(XmplanError):
    """A plan zip that cannot be read safely: not a zip, unsafe names, too large, not JSON."""


class SourceError(XmplanError):
    """A source tree that cannot be built: bad JSON, template errors, broken references."""


class ScriptError(XmplanError):
    """An Integration Builder script failed to parse or threw while running locally."""


class ScriptTimeout(ScriptError):
    """A script ran past its time limit and was stopped."""


class DescriptorError(XmplanError):
    """A HipChat add-on descriptor that does not meet the schema or the options given."""
