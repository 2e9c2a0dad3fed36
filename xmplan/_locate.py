"""Turn `(entry, JSON pointer)` into the file a person edits and a line:column in it."""

from __future__ import annotations

from ._documents import INTEGRATIONS, SCRIPT_STEPS, SHARED_FUNCTIONS
from ._errors import Location, Problem
from ._jsonpos import line_col, pointer, split_pointer, string_char_offset, value_offset
from ._model import Plan

# The records a message about a place inside them names: (entry, array key or "" for a top-level
# array, what the record is called).
_RECORDS = ((SCRIPT_STEPS, "", "step"), (INTEGRATIONS, "integrations", "integration"),
            (SHARED_FUNCTIONS, "", "shared library"))


class Locator:
    """Finds locations in the files a plan was loaded from (zip entries or source files)."""

    # A plain class: a dataclass's generated methods (never used on a locator) cost every check's start-up
    __slots__ = ("plan",)

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def problem(self, entry: str, ptr: str, message: str, rule: str, key: bool = False) -> Problem:
        """A problem of `rule` (at its severity in the rule table) where `ptr` of `entry` is written."""
        return Problem.of(self.location(entry, ptr, key), message, rule)

    def location(self, entry: str, ptr: str, key: bool = False) -> Location:
        pulled = self._pulled_out(entry, ptr)
        if pulled is not None:
            file, rest = pulled
            return _line_in_list_file(file, self.plan.texts.get(file), rest)
        file = self.plan.source_of(entry)
        text = self.plan.texts.get(file)
        if text is None:
            return Location(file)
        parts = split_pointer(ptr)
        # A missing member (say, a required key) is reported where its nearest ancestor starts.
        for depth in range(len(parts), -1, -1):
            prefix = pointer(parts[:depth])
            offset = value_offset(text, prefix, key and depth == len(parts))
            if offset is not None:
                return Location(file, *line_col(text, offset))
        return Location(file)

    def record(self, entry: str, ptr: str) -> str | None:
        """The step, integration or shared library that `ptr` is in (`step 'Post'`), if any.

        Messages about a place in one name it: in a zip, a line of integrations/scriptSteps.json
        alone does not say which step it is.
        """
        parts = split_pointer(ptr)
        for name, key, what in _RECORDS:
            if entry != name:
                continue
            if key:
                if not parts or parts[0] != key:
                    return None
                parts = parts[1:]
            items = self.plan.get(entry)
            if key and isinstance(items, dict):
                items = items.get(key)
            if parts and parts[0].isdigit() and isinstance(items, list) and int(parts[0]) < len(items):
                item = items[int(parts[0])]
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    return f"{what} {item['name']!r}"
        return None

    def within(self, entry: str, ptr: str) -> str:
        """` (in step 'Post')` for a message about a place inside a step, integration or shared library."""
        record = self.record(entry, ptr)
        return f" (in {record})" if record else ""

    def in_script(self, entry: str, ptr: str, script: str, line: int, column: int) -> Location:
        """Where line/column (1-based) of the script stored at `ptr` is, in the file a person edits."""
        pulled = self.plan.sources.get(f"{entry}#{ptr}")
        if pulled is not None:
            return Location(pulled, line, column)
        return self._in_json_string(entry, ptr, _index_of(script, line, column))

    def in_text(self, entry: str, ptr: str, value: str, index: int) -> Location:
        """Where character `index` of the text stored at `ptr` is.

        In a pulled-out file only the line is certain: the loader rewrote placeholders on it.
        """
        pulled = self.plan.sources.get(f"{entry}#{ptr}")
        if pulled is not None:
            return Location(pulled, line_col(value, index)[0])
        return self._in_json_string(entry, ptr, index)

    def _in_json_string(self, entry: str, ptr: str, index: int) -> Location:
        file = self.plan.source_of(entry)
        text = self.plan.texts.get(file)
        start = value_offset(text, ptr) if text is not None else None
        if text is None or start is None or text[start] != '"':
            return self.location(entry, ptr)
        return Location(file, *line_col(text, string_char_offset(text, start, index)))

    def _pulled_out(self, entry: str, ptr: str) -> tuple[str, list[str]] | None:
        """The pulled-out file holding `ptr` (or an ancestor of it) and the pointer parts below it."""
        parts = split_pointer(ptr)
        for depth in range(len(parts), 0, -1):
            prefix = pointer(parts[:depth])
            source = self.plan.sources.get(f"{entry}#{prefix}")
            if source is not None:
                return source, parts[depth:]
        return None


def _line_in_list_file(file: str, text: str | None, rest: list[str]) -> Location:
    """Voice files hold one list item per non-blank line: item N is the N+1th such line."""
    if text is None or not rest or not rest[0].isdigit():
        return Location(file)
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    index = int(rest[0])
    return Location(file, lines[index]) if index < len(lines) else Location(file)


def _index_of(text: str, line: int, column: int) -> int:
    offset = 0
    for _ in range(line - 1):
        nl = text.find("\n", offset)
        if nl < 0:
            break
        offset = nl + 1
    return offset + column - 1
