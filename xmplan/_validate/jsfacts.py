"""What a script's syntax tree says: ES2015+ syntax by name, and the libraries, endpoints and constants it names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._jsonpos import line_col
from .jsparse import Parsed, captures, compile_query, parse, syntax_error

if TYPE_CHECKING:
    from tree_sitter import Node

_REQUEST_KEYS = {"path", "method", "headers"}


@dataclass(frozen=True)
class Use:
    """A name a script uses, with its 1-based line and column in the script."""

    name: str
    line: int
    column: int


@dataclass(frozen=True)
class ScriptFacts:
    """What one script text says, independent of where it sits in a plan."""

    syntax_error: Use | None = None  # `name` holds the parser's message
    modern: tuple[Use, ...] = ()  # ES2015+ syntax, `name` is the feature
    requires: tuple[Use, ...] = ()
    dynamic_requires: tuple[Use, ...] = ()  # require(expression): could load any library
    endpoints: tuple[Use, ...] = ()
    constants: tuple[Use, ...] = ()


# Node type -> the feature's name, as the messages have always called it.
_NODE_FEATURES = {
    "arrow_function": "arrow function", "class_declaration": "class", "class": "class",
    "template_string": "template literal", "object_pattern": "destructuring", "array_pattern": "destructuring",
    "spread_element": "spread (...)", "rest_pattern": "rest parameter (...)", "assignment_pattern": "default parameter",
    "object_assignment_pattern": "default parameter", "yield_expression": "generator",
    "await_expression": "async/await",
    "meta_property": "new.target", "super": "super", "shorthand_property_identifier": "shorthand property",
    "shorthand_property_identifier_pattern": "shorthand property", "generator_function": "generator",
    "generator_function_declaration": "generator", "optional_chain": "optional chaining (?.)",
    "field_definition": "class field", "class_static_block": "class static block",
}
_OPERATORS = {"??": "nullish coalescing (??)", "&&=": "logical assignment", "||=": "logical assignment",
              "??=": "logical assignment"}
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
                   "\n": "", "\r\n": "", "\r": "", "\u2028": "", "\u2029": ""}


def analyse_source(source: str, only_requires: bool = False) -> ScriptFacts:
    """Parse a script: its first syntax error, or its modern syntax and the names it uses (with
    `only_requires`, only its `require` calls: what a run needs, without compiling the query)."""
    parsed = parse(source)
    error = syntax_error(parsed)
    if error is not None:
        message, offset = error
        return ScriptFacts(_use(source, message, offset))
    collector = _Collector(parsed)
    if only_requires:
        for call in _require_calls(parsed):
            collector.visit(call)
    else:
        collector.walk(parsed.tree.root_node)
    found = (collector.catches + collector.modern, *(sorted(names, key=_at) for names in (
        collector.requires, collector.dynamic_requires, collector.endpoints, collector.constants)))
    return ScriptFacts(None, *(tuple(_use(source, name, parsed.offset(byte)) for name, byte in names)
                               for names in found))


def _at(found: tuple[str, int]) -> int:
    return found[1]


def _preorder(node: Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte


# Every node `visit` may act on; the names scripts use are narrowed down by their identifiers here.
# (No node.parent: it costs the depth. The object pattern costs the depth of nested objects in C.)
_CANDIDATES = " ".join(f"({kind}) @n" for kind in _NODE_FEATURES) + """
(lexical_declaration) @n (for_in_statement) @n (catch_clause) @n (method_definition) @n
(function_declaration "async") @n (function_expression "async") @n (call_expression function: (import)) @n
(class_body (method_definition) @class_method)
(pair key: (computed_property_name)) @n ((number) @n (#match? @n "[n_]"))
(binary_expression operator: "??") @n (augmented_assignment_expression operator: ["&&=" "||=" "??="]) @n
((call_expression function: (identifier) @_f) @n (#eq? @_f "require"))
((call_expression function: [(member_expression object: (identifier) @_h)
                             (subscript_expression object: (identifier) @_h)]) @n (#eq? @_h "http"))
((member_expression object: (identifier) @_c) @n (#eq? @_c "constants"))
((subscript_expression object: (identifier) @_c) @n (#eq? @_c "constants"))
((object (pair key: [(property_identifier) (string)] @_k)) @n (#match? @_k "endpoint"))
"""


def _require_calls(parsed: Parsed) -> list[Node]:
    """The calls `_CANDIDATES` finds as `require(...)`: a call whose callee is the identifier `require`.

    Found from the text instead: each `require` in it that the tree has as such a callee. Compiling
    even that one pattern as a query costs a run more (tree-sitter analyses the whole grammar)."""
    root, data, found = parsed.tree.root_node, parsed.data, []
    at = data.find(b"require")
    while at >= 0:
        node = root.descendant_for_byte_range(at, at + 7)
        if node is not None and node.type == "identifier" and (node.start_byte, node.end_byte) == (at, at + 7):
            call = node.parent  # costs the depth, but only at these few places
            callee = call.child_by_field_name("function") if call is not None else None
            if call is not None and call.type == "call_expression" and callee is not None and callee.id == node.id:
                found.append(call)
        at = data.find(b"require", at + 1)
    return found


def _use(source: str, name: str, offset: int) -> Use:
    """`name` at `offset` in `source`, as 1-based line and column (clamped to the script)."""
    return Use(name, *line_col(source, min(max(offset, 0), len(source))))


@dataclass
class _Collector:
    """Walks a tree, children before parents (the order the features were always reported in)."""

    parsed: Parsed
    modern: list[tuple[str, int]] = field(default_factory=list)
    catches: list[tuple[str, int]] = field(default_factory=list)  # listed first, as they always were
    class_methods: set[int] = field(default_factory=set)
    requires: list[tuple[str, int]] = field(default_factory=list)
    dynamic_requires: list[tuple[str, int]] = field(default_factory=list)
    endpoints: list[tuple[str, int]] = field(default_factory=list)
    constants: list[tuple[str, int]] = field(default_factory=list)

    def walk(self, root: Node) -> None:
        # The query picks the few nodes that matter in C; Python visits only those, children first.
        found = captures(compile_query(_CANDIDATES), root)
        self.class_methods = {node.id for node in found.get("class_method", [])}
        unique = {node.id: node for node in sorted(found.get("n", []), key=_preorder)}
        order = sorted(enumerate(unique.values()), key=lambda item: (item[1].end_byte, -item[1].start_byte, -item[0]))
        for _, node in order:
            self.visit(node)

    def visit(self, node: Node) -> None:
        kind = node.type
        feature = _NODE_FEATURES.get(kind) or self._feature(node, kind)
        if feature:
            self.modern.append((feature, node.start_byte))
        if kind == "call_expression":
            self._call(node)
        elif kind in ("member_expression", "subscript_expression"):
            if _name(node.child_by_field_name("object")) == "constants":
                prop = _property(node)
                if prop is not None:
                    self.constants.append(prop)
        elif kind == "object":
            self._request_options(node)

    def _feature(self, node: Node, kind: str) -> str | None:
        if kind == "lexical_declaration":
            return self._text(node.child_by_field_name("kind"))  # let or const
        if kind == "for_in_statement":
            kind_node = node.child_by_field_name("kind")
            declared = self._text(kind_node)
            if kind_node is not None and declared in ("let", "const"):  # a child, so before its loop
                self.modern.append((declared, kind_node.start_byte))
            return "for-of loop" if self._text(node.child_by_field_name("operator")) == "of" else None
        if kind in ("function_declaration", "function_expression") and _has_token(node, "async"):
            return "async/await"
        if kind == "method_definition":
            return self._method(node)
        if kind == "pair" and _child_type(node.child_by_field_name("key")) == "computed_property_name":
            return "computed property name"  # pairs are in object literals and patterns only
        if kind == "catch_clause" and node.child_by_field_name("parameter") is None:
            body = node.child_by_field_name("body")
            self.catches.append(("optional catch binding", (body or node).start_byte))
        if kind in ("binary_expression", "augmented_assignment_expression"):
            return _OPERATORS.get(self._text(node.child_by_field_name("operator")))
        if kind == "number":
            text = self._text(node)
            return "BigInt literal" if text.endswith("n") else "numeric separator" if "_" in text else None
        if kind == "call_expression" and _child_type(node.child_by_field_name("function")) == "import":
            return "dynamic import"
        return None

    def _method(self, node: Node) -> str | None:
        # The function behind a method starts at its parameters.
        parameters = node.child_by_field_name("parameters")
        at = (parameters or node).start_byte
        if _has_token(node, "*"):
            self.modern.append(("generator", at))
        elif _has_token(node, "async"):
            self.modern.append(("async/await", at))
        if node.id in self.class_methods:  # ES2015 as a class already
            return None
        if _has_token(node, "get") or _has_token(node, "set"):  # ES5 accessors
            computed = _child_type(node.child_by_field_name("name")) == "computed_property_name"
            return "computed property name" if computed else None
        return "method definition"

    def _call(self, node: Node) -> None:
        callee = node.child_by_field_name("function")
        arguments = [child for child in _named(node.child_by_field_name("arguments")) if child.type != "comment"]
        first = arguments[0] if arguments else None
        if _name(callee) == "require" and first is not None:
            if first.type == "string":
                self.requires.append((self._string(first), first.start_byte))
            else:
                self.dynamic_requires.append(("require", node.start_byte))
        elif callee is not None and callee.type in ("member_expression", "subscript_expression") \
                and _name(callee.child_by_field_name("object")) == "http":
            method = _property(callee)
            if method is not None and method[0] == "authenticate" and first is not None and first.type == "string":
                self.endpoints.append((self._string(first), first.start_byte))
            elif method is not None and method[0] == "request" and first is not None and first.type == "object":
                self._request_options(first, direct=True)

    def _request_options(self, node: Node, direct: bool = False) -> None:
        members: dict[str | None, Node | None] = {}
        for member in _named(node):
            if member.type == "pair":
                members[self._key(member.child_by_field_name("key"))] = member.child_by_field_name("value")
            elif member.type == "method_definition":
                members[self._key(member.child_by_field_name("name"))] = None
            elif member.type == "shorthand_property_identifier":
                members[self._text(member)] = None
        endpoint = members.get("endpoint")
        if endpoint is None or endpoint.type != "string":
            return
        # An object literal counts as request options when passed to http.request or shaped like them.
        use = (self._string(endpoint), endpoint.start_byte)
        if (direct or _REQUEST_KEYS & members.keys()) and use not in self.endpoints:
            self.endpoints.append(use)

    def _key(self, key: Node | None) -> str | None:
        if key is None or key.type == "computed_property_name":
            return None
        if key.type == "string":
            return self._string(key)
        return self._text(key) if key.type == "property_identifier" else None

    def _text(self, node: Node | None) -> str:
        return "" if node is None else self.parsed.data[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")

    def _string(self, node: Node) -> str:
        """The value of a string literal: its text between the quotes, escapes decoded."""
        return _ESCAPE.sub(_unescape, self._text(node)[1:-1])


def _property(member: Node) -> tuple[str, int] | None:
    """The name of a member access (`a.name`, `a['name']`) and where it is written."""
    if member.type == "member_expression":
        prop = member.child_by_field_name("property")
        if prop is not None and prop.type == "property_identifier" and prop.text is not None:
            return prop.text.decode("utf-8", "surrogatepass"), prop.start_byte
        return None
    index = member.child_by_field_name("index")
    if index is None or index.type != "string" or index.text is None:
        return None
    return _ESCAPE.sub(_unescape, index.text.decode("utf-8", "surrogatepass")[1:-1]), index.start_byte


def _unescape(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[escape]
    if escape[0] in "ux" and len(escape) > 1:
        code = int(escape[1:].strip("{}"), 16)
        return chr(code) if code <= 0x10FFFF else escape
    return escape


def _named(node: Node | None) -> list[Node]:
    return [] if node is None else node.named_children


def _name(node: Node | None) -> str | None:
    if node is None or node.type != "identifier" or node.text is None:
        return None
    return node.text.decode("utf-8", "surrogatepass")


def _child_type(node: Node | None) -> str | None:
    return None if node is None else node.type


def _has_token(node: Node, token: str) -> bool:
    """Whether `node` has the keyword or punctuation `token` among its own children (before its body)."""
    for child in node.children:
        if child.type == token:
            return True
        if child.type in ("statement_block", "formal_parameters"):
            return False
    return False
