"""JavaScript syntax with tree-sitter: parse a script, find its first syntax error, and place it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tree_sitter is imported on first parse: build and unpack never need it
    from tree_sitter import Language, Node, Parser, Query, Tree

# Tokens that tree-sitter builds from several leaves (quotes, fragments, escapes): one token each.
_ATOMS = frozenset({"string", "regex", "number"})
_EXTRAS = frozenset({"comment", "html_comment"})
_NO_STATE = (0, 65535)  # tree-sitter's "no parse state" values (inside errors, after reductions)
# What tree-sitter-javascript parses that a script in a function body may not hold.
_NOT_IN_A_SCRIPT = {
    "jsx_element": "<", "jsx_self_closing_element": "<", "import_statement": "import",
    "export_statement": "export", "decorator": "@", "hash_bang_line": "#",
}
_QUOTES = frozenset({"'", '"', "`"})


@dataclass(frozen=True)
class Parsed:
    """A script's syntax tree, its UTF-8 bytes, and the byte -> character offset map."""

    tree: Tree
    data: bytes
    source: str

    def offset(self, byte: int) -> int:
        """The character offset in `source` of a byte offset in `data`."""
        if len(self.data) == len(self.source):  # ASCII: the same
            return byte
        return len(self.data[:byte].decode("utf-8", "surrogatepass"))


@lru_cache(maxsize=1)
def language() -> Language:
    import tree_sitter

    from .._native import extension

    return tree_sitter.Language(extension("tree_sitter_javascript._binding").language())


@lru_cache(maxsize=1)
def _parser() -> Parser:
    import tree_sitter

    return tree_sitter.Parser(language())


@lru_cache(maxsize=256)
def parse(source: str) -> Parsed:
    """Parse a script (tree-sitter is iterative: any nesting depth parses without recursion).

    Once per text for the checks of one plan: the syntax facts, the path checks and the secret
    checks each read every script's tree (nothing changes a tree once parsed)."""
    # Lone surrogates come from JSON escapes; they cannot be UTF-8, so they pass through as bytes.
    data = source.encode("utf-8", "surrogatepass")
    return Parsed(_parser().parse(data), data, source)


@cache
def _valid_symbols(state: int) -> frozenset[int]:
    iterator = language().lookahead_iterator(state)
    return frozenset(iterator.symbols()) if iterator is not None else frozenset()


@cache
def compile_query(text: str) -> Query:
    """A compiled tree-sitter query, once per process."""
    import tree_sitter

    return tree_sitter.Query(language(), text)


def captures(query: Query, root: Node) -> dict[str, list[Node]]:
    """The nodes `query` captures under `root`, by capture name (in no particular order)."""
    import tree_sitter

    return tree_sitter.QueryCursor(query).captures(root)


def syntax_error(parsed: Parsed) -> tuple[str, int] | None:
    """The first syntax error as (message, character offset), or None for a script that parses."""
    root = parsed.tree.root_node
    found = _unexpected_token(root) or _first_error_node(root) if root.has_error else _not_in_a_script(root)
    if found is None:
        return None
    message, byte = found
    return message, parsed.offset(byte)


def _tokens(root: Node) -> Iterator[tuple[Node, bool, bool]]:
    """Every token in source order with (inside an ERROR node, right after a MISSING token)."""
    stack: list[tuple[Node, bool]] = [(root, False)]
    after_missing = False
    error_end = -1  # where the last ERROR node ended: the token there is where recovery began
    while stack:
        node, in_error = stack.pop()
        if node.is_missing:
            after_missing = True
        elif node.child_count == 0 or node.type in _ATOMS:
            if node.type not in _EXTRAS:
                after_error = 0 <= error_end <= node.start_byte
                yield node, in_error or node.is_error, after_missing or after_error
                after_missing = False
                error_end = -1 if after_error else error_end
        else:
            if node.is_error:
                error_end = node.end_byte
            inside = in_error or node.is_error
            stack.extend((child, inside) for child in reversed(node.children))


def _first_leaf(node: Node) -> Node:
    while node.child_count:
        node = node.children[0]
    return node


def _last_leaf(node: Node) -> Node:
    while node.child_count:
        node = node.children[-1]
    return node


def _unexpected_token(root: Node) -> tuple[str, int] | None:
    """The first token the grammar does not allow after the one before it (as a parser would stop)."""
    state = 1  # the start state
    for token, in_error, after_missing in _tokens(root):
        if token.is_error or (in_error and token.type in _QUOTES):  # an unknown character, an unclosed string
            return "Invalid or unexpected token", token.start_byte
        first = _first_leaf(token)
        # A token the final tree accepted in a state of its own came through an invisible step
        # (automatic semicolon, reduction): only one inside an error, or after a token the parser
        # had to invent, is where parsing stopped.
        misplaced = in_error or after_missing or first.parse_state in _NO_STATE
        if misplaced and state not in _NO_STATE and first.grammar_id not in _valid_symbols(state):
            return _message(token), token.start_byte
        state = _last_leaf(token).next_parse_state
    return None


def _first_error_node(root: Node) -> tuple[str, int] | None:
    """Where tree-sitter's error recovery begins, when no token stood out on its own."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing or node.is_error:
            after = node.start_byte if node.is_missing else node.end_byte
            for token, _, _ in _tokens(root):
                if token.start_byte >= after:
                    return _message(token), token.start_byte
            return "Unexpected end of input", root.end_byte
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


def _not_in_a_script(root: Node) -> tuple[str, int] | None:
    """What tree-sitter-javascript parses but a script cannot hold: its grammar is lenient where a
    parser is not (`f(a,,b)`, `{a: 1,,}`, `function () {}` as a statement, `function f(a.b)`).

    One pass with a cursor, in document order: node.parent and sibling lookups cost the depth, so
    this stays linear however deep a script nests."""
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is None:
            return None
        kind = node.type
        if kind in _NOT_IN_A_SCRIPT:
            return f"Unexpected token {_NOT_IN_A_SCRIPT[kind]}", node.start_byte
        if kind in ("arguments", "object", "formal_parameters"):
            found = _lenient_list(node)
            if found is not None:
                return found
        if kind == "expression_statement" and node.named_child_count:
            first = node.named_children[0]
            if first.type == "function_expression" and first.child_by_field_name("name") is None:
                parameters = first.child_by_field_name("parameters")
                return "Unexpected token (", (parameters or first).start_byte
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None


def _lenient_list(node: Node) -> tuple[str, int] | None:
    """A comma after an opening or another comma; a parameter that is a member access."""
    before = ""
    for child in node.children:
        if child.type == "," and before in (",", "(", "{"):
            return "Unexpected token ,", child.start_byte
        if node.type == "formal_parameters" and child.type in ("member_expression", "subscript_expression"):
            at = child.child_by_field_name("property") or child.child_by_field_name("index") or child
            text = "." if child.type == "member_expression" else "["
            return f"Unexpected token {text}", at.start_byte - (text == ".")
        if child.type not in _EXTRAS:
            before = child.type
    return None


def _message(token: Node) -> str:
    """The message a JavaScript parser gives for `token` where it cannot stand."""
    kind = token.type
    if kind == "string":
        return "Unexpected string"
    if kind == "number":
        return "Unexpected number"
    if kind == "regex":
        return "Unexpected regular expression"
    if kind == "string_fragment" or token.grammar_name == "template_chars":
        return "Unexpected template string"
    if token.grammar_name == "identifier" or kind in ("identifier", "property_identifier"):
        return "Unexpected identifier"
    text = (token.text or b"").decode("utf-8", "replace")
    return f"Unexpected token {text}" if text else "Unexpected end of input"
