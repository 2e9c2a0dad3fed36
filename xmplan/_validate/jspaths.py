"""How scripts build `http.request` paths: values sent unencoded with autoEncodeURI off, and values encoded twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .._errors import Problem
from .._jsonpos import line_col
from .._locate import Locator
from .._model import Plan
from .javascript import checked_scripts
from .jsparse import Parsed, captures, compile_query, parse

if TYPE_CHECKING:
    from tree_sitter import Node

_ENCODERS = frozenset({"encodeURIComponent", "encodeURI", "escape"})
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_FUNCTIONS = frozenset({"function_declaration", "function_expression", "function", "arrow_function",
                        "method_definition", "generator_function_declaration"})
_WORK = 100_000  # nodes looked at per path, at most (past it, nothing more is reported)
_DEPTH = 8  # how far a variable is followed to what it was set to (a var that names a var ...)
_QUERY = """
((call_expression function: (identifier) @_f) @encode (#match? @_f "^(encodeURIComponent|encodeURI)$"))
((call_expression function: (member_expression object: (identifier) @_h property: (property_identifier) @_r))
 @request (#eq? @_h "http") (#eq? @_r "request"))
(variable_declarator name: (identifier) value: (_)) @define
(assignment_expression left: (identifier)) @define
(augmented_assignment_expression left: (identifier) operator: "+=") @define
"""


@dataclass(frozen=True)
class Finding:
    """One rule's message about a script, at a 1-based line and column of it."""

    rule: str
    message: str
    line: int
    column: int


@lru_cache(maxsize=4096)
def path_findings(source: str) -> tuple[Finding, ...]:
    """What `raw-path-value` and `double-encoding` find in one script text."""
    if "ncodeURI" not in source:  # both rules are about scripts that name encodeURI* or autoEncodeURI
        return ()
    parsed = parse(source)
    found = captures(compile_query(_QUERY), parsed.tree.root_node)
    paths = _Paths(parsed, {})
    for node in found.get("define", []):
        target = node.child_by_field_name("name") or node.child_by_field_name("left")
        value = node.child_by_field_name("value") or node.child_by_field_name("right")
        if target is not None and value is not None:
            paths.defined.setdefault(paths.text(target), []).append(value)
    findings = [paths.raw_in_request(node) for node in found.get("request", [])]
    findings += [paths.encoded_twice(node) for node in found.get("encode", [])]
    return tuple(sorted({f for f in findings if f is not None}, key=lambda f: (f.line, f.column, f.rule)))


@dataclass
class _Paths:
    parsed: Parsed
    defined: dict[str, list[Node]]  # a variable -> every value assigned to it (`+=` adds a part)

    def text(self, node: Node) -> str:
        return self.parsed.data[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")

    def at(self, rule: str, message: str, node: Node) -> Finding:
        offset = self.parsed.offset(node.start_byte)
        return Finding(rule, message, *line_col(self.parsed.source, offset))

    def raw_in_request(self, call: Node) -> Finding | None:
        options = _first_argument(call)
        if options is None or options.type != "object":
            return None
        members = {self._key(pair): pair.child_by_field_name("value") for pair in options.named_children
                   if pair.type == "pair"}
        switch, path = members.get("autoEncodeURI"), members.get("path")
        if switch is None or path is None or not self._is_false(switch):
            return None
        raw = self._raw_parts(path, _DEPTH)
        if not raw:
            return None
        first = raw[0]
        more = f" ({len(raw) - 1} more)" if len(raw) > 1 else ""
        return self.at("raw-path-value",
                       f"autoEncodeURI is false, so the path is sent as written, but {self.text(first)[:60]} is added "
                       f"without encodeURIComponent(): a space, &, # or % in it breaks the request{more}", first)

    def encoded_twice(self, call: Node) -> Finding | None:
        argument = _first_argument(call)
        inner = self._already_encoded(argument, _DEPTH) if argument is not None else None
        if argument is None or inner is None:
            return None
        name = self.text(call.child_by_field_name("function") or call)
        return self.at("double-encoding", f"{name}() of a value that is already encoded ({inner}): each % in it "
                       "becomes %25, so the server receives the escapes instead of the text", call)

    def _raw_parts(self, node: Node, depth: int) -> list[Node]:
        """The parts of a concatenated path that nothing encoded (literals and encoded calls are not).

        A work list, not recursion: a path may be thousands of `+` deep; each value a variable is
        set to is followed once, and at most _WORK nodes are looked at.
        """
        raw: list[Node] = []
        pending, work = [(node, depth)], 0
        followed: set[int] = set()
        while pending and work < _WORK:
            node, depth = pending.pop()
            work += 1
            kind = node.type
            if kind == "parenthesized_expression" and node.named_children:
                pending.append((node.named_children[-1], depth))
            elif kind == "binary_expression" and self._operator(node) == "+":
                sides = (node.child_by_field_name("right"), node.child_by_field_name("left"))
                pending.extend((side, depth) for side in sides if side is not None)
            elif kind == "template_string":
                pending.extend((expr, depth) for sub in reversed(node.named_children)
                               if sub.type == "template_substitution" for expr in reversed(sub.named_children))
            elif kind == "call_expression":
                function = node.child_by_field_name("function")
                # What other functions return is not known here (makeCondition() builds escapes).
                if function is not None and self.text(function) == "String":
                    raw.append(node)
            elif kind == "identifier":
                values = self.defined.get(self.text(node))
                if not values or depth == 0 or self._parameter(node):
                    raw.append(node)  # a parameter or a global: whatever it holds goes out unencoded
                else:  # the parts are shown where they were added to the variable
                    fresh = [value for value in values if value.id not in followed]
                    followed.update(value.id for value in fresh)
                    pending.extend((value, depth - 1) for value in reversed(fresh))
            elif kind in ("member_expression", "subscript_expression"):
                raw.append(node)  # input['Repository'], data.properties.alarmID, constants.X
            # Literals, arithmetic (a number) and anything else add nothing raw.
        return sorted(raw, key=lambda part: part.start_byte)  # the message names the first in the script

    def _already_encoded(self, node: Node, depth: int) -> str | None:
        """What shows that a value is already percent-encoded, or None."""
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            called = self.text(function) if function is not None else ""
            return f"the result of {called}()" if called in _ENCODERS else None
        if node.type == "string":
            escape = _ESCAPE.search(self.text(node))
            return f"it holds {escape.group(0)}" if escape else None
        if node.type == "identifier" and depth > 0:
            values = self.defined.get(self.text(node), [])
            if len(values) == 1:  # one assignment: what it holds is certain
                return self._already_encoded(values[0], depth - 1)
        return None

    def _parameter(self, node: Node) -> bool:
        """Whether the identifier is a parameter of the function it is used in (what it holds is the caller's)."""
        name, scope = self.text(node), node.parent
        while scope is not None and scope.type not in _FUNCTIONS:
            scope = scope.parent
        parameters = scope.child_by_field_name("parameters") if scope is not None else None
        return parameters is not None and any(self.text(p) == name for p in parameters.named_children)

    def _is_false(self, node: Node) -> bool:
        return node.type == "false" or (node.type == "string" and self.text(node)[1:-1] == "false")

    def _operator(self, node: Node) -> str:
        operator = node.child_by_field_name("operator")
        return self.text(operator) if operator is not None else ""

    def _key(self, pair: Node) -> str:
        key = pair.child_by_field_name("key")
        if key is None:
            return ""
        text = self.text(key)
        return text[1:-1] if key.type == "string" else text


def _first_argument(call: Node) -> Node | None:
    arguments = call.child_by_field_name("arguments")
    named = [child for child in arguments.named_children if child.type != "comment"] if arguments else []
    return named[0] if named else None


def check_paths(plan: Plan, locator: Locator) -> Iterator[Problem]:
    """`raw-path-value` and `double-encoding` in every script of the plan."""
    for script in checked_scripts(plan):
        # In a zip the place is inside a JSON document: the message says which script it is.
        named = "" if f"{script.entry}#{script.pointer}" in plan.sources else f" (in {script.label})"
        for found in path_findings(script.text):
            where = locator.in_script(script.entry, script.pointer, script.text, found.line, found.column)
            yield Problem.of(where, found.message + named, found.rule)
