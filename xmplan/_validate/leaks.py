"""Secrets written into a plan: webhook URLs that carry one, and credential headers hard-coded in scripts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .._errors import Problem
from .._jsonpos import line_col
from .._locate import Locator
from .._model import INTEGRATIONS, Plan, objects
from .._secrets import SECRET_HEADER, is_placeholder, secret_in_url
from .javascript import checked_scripts
from .jsparse import captures, compile_query, parse

if TYPE_CHECKING:
    from tree_sitter import Node

_KEEP_OUT = "keep secrets out of the plan"
# Scripts worth parsing: those that hold a URL or name a credential header.
_CANDIDATE = re.compile(r"://|authorization|cookie|api-?key|token", re.IGNORECASE)
_QUERY = """
(pair key: [(property_identifier) (string)] value: [(string) (binary_expression) (template_string)]) @header
(assignment_expression left: [(member_expression) (subscript_expression)]
                       right: [(string) (binary_expression) (template_string)]) @header
(string) @text (template_string) @text
"""


@dataclass(frozen=True)
class Leak:
    """A secret in a script, at a 1-based line and column: what it is, never its value."""

    rule: str
    message: str
    line: int
    column: int


def check_leaks(plan: Plan, locator: Locator) -> Iterator[Problem]:
    """`secret-url` in endpoints, constants and scripts; `secret-header` in scripts."""
    for i, endpoint in objects(plan.endpoints):
        found = secret_in_url(str(endpoint.get("baseUrl") or ""))
        if found:
            yield locator.problem(INTEGRATIONS, f"/endpoints/{i}/baseUrl",
                                  f"endpoint {endpoint.get('name')!r}: the base URL is {found}, which works as a "
                                  f"password: {_KEEP_OUT} (set the URL after import)",
                                  "secret-url")
    for i, constant in objects(plan.constants):
        found = secret_in_url(str(constant.get("value") or ""))
        if found:
            yield locator.problem(INTEGRATIONS, f"/constants/{i}/value",
                                  f"constant {constant.get('name')!r} holds {found}, which works as a password: "
                                  f"{_KEEP_OUT} (leave it blank and fill it in after import)",
                                  "secret-url")
    for script in checked_scripts(plan):
        # In a zip the place is inside a JSON document: the message says which script it is.
        named = "" if f"{script.entry}#{script.pointer}" in plan.sources else f" (in {script.label})"
        for leak in script_leaks(script.text):
            where = locator.in_script(script.entry, script.pointer, script.text, leak.line, leak.column)
            yield Problem.of(where, leak.message + named, leak.rule)


@lru_cache(maxsize=4096)
def script_leaks(source: str) -> tuple[Leak, ...]:
    """The secrets one script text holds as literals."""
    if not _CANDIDATE.search(source):
        return ()
    parsed = parse(source)
    found = captures(compile_query(_QUERY), parsed.tree.root_node)

    def text(node: Node) -> str:
        return parsed.data[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")

    def at(rule: str, message: str, node: Node) -> Leak:
        return Leak(rule, message, *line_col(source, parsed.offset(node.start_byte)))

    leaks: list[Leak] = []
    headers: set[int] = set()
    for node in found.get("header", []):
        name, value = _header(node, text)
        literal = None if value is None else _literal(value, text)
        if name and value is not None and literal is not None and SECRET_HEADER.match(name) \
                and not is_placeholder(literal):
            headers.add(value.id)
            leaks.append(at("secret-header", f"header {name!r} is set to a value written into the script: "
                            f"{_KEEP_OUT} (a constant left blank, or the endpoint's authentication)", node))
    for node in found.get("text", []):
        if node.id in headers or (node.type == "template_string" and _substitutes(node)):
            continue
        kind = secret_in_url(text(node))
        if kind:
            leaks.append(at("secret-url", f"the script holds {kind}, which works as a password: {_KEEP_OUT} "
                            "(a constant left blank, filled in after import)", node))
    return tuple(sorted(set(leaks), key=lambda leak: (leak.line, leak.column)))


def _header(node: Node, text: Callable[[Node], str]) -> tuple[str | None, Node | None]:
    """The header name a pair or an assignment sets (`'Cookie': ...`, `headers.Cookie = ...`), and its value."""
    if node.type == "pair":
        key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
    else:
        left, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        key = None if left is None else left.child_by_field_name("property") or left.child_by_field_name("index")
    return (None if key is None else text(key).strip("'\"")), value


def _literal(node: Node, text: Callable[[Node], str]) -> str | None:
    """The text of a value made only of string literals, or None when any part is computed.

    A work list, not recursion: a value may be thousands of `+` deep.
    """
    parts: list[str] = []
    pending = [node]
    while pending:
        node = pending.pop()
        if node.type == "string" or (node.type == "template_string" and not _substitutes(node)):
            parts.append(text(node)[1:-1])
        elif node.type == "binary_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                return None
            pending += [right, left]
        else:
            return None
    return "".join(parts)


def _substitutes(node: Node) -> bool:
    return any(child.type == "template_substitution" for child in node.named_children)
