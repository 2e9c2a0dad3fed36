"""Parse every plan script with esprima: syntax errors, ES6-only syntax, and the names scripts use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Iterator


from ..errors import Problem
from ..locate import Locator
from ..model import Plan, objects
from ..scripts import PlanScript, plan_scripts

# Integration Builder runs a script as the body of a function, so a top-level `return` is legal.
_PREFIX = "(function(){\n"
_SUFFIX = "\n})"
_OPTIONAL_CATCH = re.compile(r"catch\s*$")
BUILTIN_ENDPOINT = "xMatters"
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


@lru_cache(maxsize=4096)
def analyse(source: str) -> ScriptFacts:
    """Parse a script once per distinct text (libraries such as moment.js repeat across plans)."""
    import esprima  # imported here: it takes most of a second, and only script checks need it

    text, inserted = source, []  # offsets in `source` where `(_e)` went in
    while True:
        collector = _Collector()
        try:
            esprima.parseScript(_PREFIX + text + _SUFFIX, {"tolerant": False}, collector.visit)
            error = None
        except esprima.Error as exc:
            at = _original(exc.index - len(_PREFIX), inserted)
            if "Unexpected token {" in exc.message and at not in inserted \
                    and _OPTIONAL_CATCH.search(source, 0, max(at, 0)):
                # `catch {` (ES2019) is beyond esprima 4: note it, and parse on as `catch(_e) {`.
                inserted.append(at)
                text = _insert(source, sorted(inserted), "(_e)")
                continue
            # Past the end, the parser complains about our wrapper's closing tokens.
            message = "Unexpected end of input" if at >= len(source) else re.sub(r"^Line \d+: ", "", exc.message)
            error = _use(source, message, at)
        break
    catches = tuple(_use(source, "optional catch binding", at) for at in inserted)
    if error:
        return ScriptFacts(error, catches)

    def uses(found: list[tuple[str, int]]) -> tuple[Use, ...]:
        return tuple(_use(source, name, _original(offset - len(_PREFIX), inserted)) for name, offset in found)

    return ScriptFacts(None, catches + uses(collector.modern), uses(collector.requires),
                       uses(collector.dynamic_requires), uses(collector.endpoints), uses(collector.constants))


def _insert(source: str, offsets: list[int], text: str) -> str:
    parts = [source[start:end] for start, end in zip([0, *offsets], [*offsets, len(source)])]
    return text.join(parts)


def _original(offset: int, inserted: list[int]) -> int:
    """An offset in the patched text, as an offset in the script as written."""
    for at in sorted(inserted):
        if offset >= at + 4:
            offset -= 4
    return offset


def _use(source: str, name: str, offset: int) -> Use:
    """`name` at `offset` in `source`, as 1-based line and column (clamped to the script)."""
    offset = min(max(offset, 0), len(source))
    line = source.count("\n", 0, offset) + 1
    return Use(name, line, offset - source.rfind("\n", 0, offset))


@dataclass
class _Collector:
    """An esprima delegate, called for every node as it is parsed: notes names and offsets."""

    modern: list[tuple[str, int]] = field(default_factory=list)
    requires: list[tuple[str, int]] = field(default_factory=list)
    dynamic_requires: list[tuple[str, int]] = field(default_factory=list)
    endpoints: list[tuple[str, int]] = field(default_factory=list)
    constants: list[tuple[str, int]] = field(default_factory=list)

    def visit(self, node: Any, meta: Any) -> None:
        # Children are finished before their parent, so a parent can read its children's offsets.
        node.xmplan_offset = meta.start.offset
        kind = node.type
        feature = _feature(node)
        if feature:
            self.modern.append((feature, node.xmplan_offset))
        if kind == "CallExpression":
            self._call(node)
        elif kind == "MemberExpression":
            self._member(node)
        elif kind == "ObjectExpression":
            self._request_options(node)

    def _call(self, node: Any) -> None:
        callee, args = node.callee, node.arguments
        first = args[0] if args else None
        if callee.type == "Identifier" and callee.name == "require" and first is not None:
            if _is_string(first):
                self.requires.append((first.value, first.xmplan_offset))
            else:
                self.dynamic_requires.append(("require", node.xmplan_offset))
        elif callee.type == "MemberExpression" and _name(callee.object) == "http":
            method = _property_name(callee)
            if method == "authenticate" and _is_string(first):
                self.endpoints.append((first.value, first.xmplan_offset))
            elif method == "request" and first is not None and first.type == "ObjectExpression":
                self._request_options(first, direct=True)

    def _request_options(self, node: Any, direct: bool = False) -> None:
        members = {_key(p): p for p in node.properties if p.type == "Property"}
        endpoint = members.get("endpoint")
        if endpoint is None or not _is_string(endpoint.value):
            return
        # An object literal counts as request options when passed to http.request or shaped like them.
        use = (endpoint.value.value, endpoint.value.xmplan_offset)
        if (direct or _REQUEST_KEYS & members.keys()) and use not in self.endpoints:
            self.endpoints.append(use)

    def _member(self, node: Any) -> None:
        name = _property_name(node) if _name(node.object) == "constants" else None
        if name is not None:
            self.constants.append((name, node.property.xmplan_offset))


_NODE_FEATURES = {
    "ArrowFunctionExpression": "arrow function",
    "ClassDeclaration": "class",
    "ClassExpression": "class",
    "TemplateLiteral": "template literal",
    "ObjectPattern": "destructuring",
    "ArrayPattern": "destructuring",
    "SpreadElement": "spread (...)",
    "RestElement": "rest parameter (...)",
    "ForOfStatement": "for-of loop",
    "AssignmentPattern": "default parameter",
    "YieldExpression": "generator",
    "AwaitExpression": "async/await",
    "MetaProperty": "new.target",
    "Super": "super",
}


def _feature(node: Any) -> str | None:
    kind = node.type
    if kind in _NODE_FEATURES:
        return _NODE_FEATURES[kind]
    if kind == "VariableDeclaration" and node.kind in ("let", "const"):
        return node.kind
    if kind in ("FunctionDeclaration", "FunctionExpression"):
        if getattr(node, "generator", False):
            return "generator"
        if getattr(node, "isAsync", False) or getattr(node, "async", False):
            return "async/await"
    if kind == "Property" and (node.shorthand or node.method or node.computed):
        return "shorthand property" if node.shorthand else "method definition" if node.method else "computed property name"
    return None


def _is_string(node: Any) -> bool:
    return node is not None and node.type == "Literal" and isinstance(node.value, str)


def _name(node: Any) -> str | None:
    return node.name if node.type == "Identifier" else None


def _property_name(member: Any) -> str | None:
    prop = member.property
    if not member.computed:
        return prop.name if prop.type == "Identifier" else None
    return prop.value if _is_string(prop) else None


def _key(prop: Any) -> str | None:
    key = prop.key
    if prop.computed:
        return None
    if key.type == "Identifier":
        return key.name
    return key.value if _is_string(key) else None


def checked_scripts(plan: Plan) -> list[PlanScript]:
    """The plan's scripts, shared libraries marked `on_agent` when an Agent integration loads them."""
    scripts = plan_scripts(plan)
    shared = frozenset(lib["name"] for _, lib in objects(plan.shared_libraries) if "name" in lib)
    agent = _libraries_on_agent(plan, [s for s in scripts if s.kind == "integration"], shared)
    return [replace(s, on_agent=True) if s.kind == "library" and s.owner.get("name") in agent else s
            for s in scripts]


def _libraries_on_agent(plan: Plan, integrations: list[PlanScript], shared: frozenset[str]) -> set[str]:
    """Shared libraries loaded, directly or through other libraries, by Agent integrations."""
    by_name = {lib.get("name"): lib.get("script") for _, lib in objects(plan.shared_libraries)}
    pending = [s.text for s in integrations if s.on_agent]
    found: set[str] = set()
    while pending:
        for use in analyse(pending.pop()).requires:
            if use.name in shared and use.name not in found:
                found.add(use.name)
                if isinstance(by_name.get(use.name), str):
                    pending.append(by_name[use.name])
    return found


def check_scripts(plan: Plan, locator: Locator, references: bool = True) -> Iterator[Problem]:
    """Syntax of every script, and (with `references`) the libraries, endpoints and constants it names."""
    endpoints = {e.get("name") for _, e in objects(plan.endpoints)} | {BUILTIN_ENDPOINT}
    constants = {c.get("name") for _, c in objects(plan.constants)}
    for script in checked_scripts(plan):
        facts = analyse(script.text)
        yield from _syntax(script, facts, locator)
        if not references:
            continue
        for use in facts.requires:
            if use.name not in script.libraries:
                where = "shared library" if script.kind in ("integration", "library") else "library of this step"
                yield _at(script, use, locator, f"require({use.name!r}): no {where} has that name",
                          "warning", "unknown-library")
        for use in facts.endpoints:
            if use.name not in endpoints and use.name != script.endpoint_label:
                yield _at(script, use, locator, f"endpoint {use.name!r} is not declared in the plan",
                          "warning", "unknown-endpoint")
        for use in facts.constants:
            if use.name not in constants:
                yield _at(script, use, locator, f"constant {use.name!r} is not declared in the plan",
                          "warning", "unknown-constant")


def _syntax(script: PlanScript, facts: ScriptFacts, locator: Locator) -> Iterator[Problem]:
    if facts.syntax_error:
        # xMatters stores and exports libraries that do not compile (the corpus has one): the
        # failure comes only when a script requires it, so a library's syntax error is a warning.
        severity = "warning" if script.is_library else "error"
        yield _at(script, facts.syntax_error, locator,
                  f"JavaScript syntax error in {script.label}: {facts.syntax_error.name}", severity, "js-syntax")
    first: dict[str, list[Use]] = {}
    for use in facts.modern:
        first.setdefault(use.name, []).append(use)
    for feature, uses in first.items():
        more = f" ({len(uses) - 1} more in this script)" if len(uses) > 1 else ""
        if script.on_agent:
            message = f"{feature} is ES6+ syntax, but {script.label} runs on the xMatters Agent (ES5.1 only){more}"
        else:
            message = f"{feature} is ES6+ syntax, which ES5.1 runtimes (the xMatters Agent) reject{more}"
        yield _at(script, uses[0], locator, message, "error" if script.on_agent else "warning", "es6-syntax")


def _at(script: PlanScript, use: Use, locator: Locator, message: str, severity: str, rule: str) -> Problem:
    return Problem(locator.in_script(script.entry, script.pointer, script.text, use.line, use.column),
                   message, severity, rule)  # type: ignore[arg-type]
