"""Check every plan script: syntax errors, ES6-only syntax, and the names scripts use (parsed by jsfacts)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .._errors import Problem
from .._locate import Locator
from .._model import Plan, objects
from .._scripts import PlanScript, plan_scripts

if TYPE_CHECKING:  # the parser is imported by the first script checked: build and unpack check none
    from .jsfacts import ScriptFacts, Use

BUILTIN_ENDPOINT = "xMatters"


@lru_cache(maxsize=4096)
def analyse(source: str) -> ScriptFacts:
    """Parse a script once per distinct text (libraries such as moment.js repeat across plans)."""
    from .jsfacts import analyse_source

    return analyse_source(source)


@lru_cache(maxsize=4096)
def analyse_requires(source: str) -> ScriptFacts:
    """Only a script's `require` calls (its syntax error, if any, stops them as in `analyse`): what
    the runtime needs to know to define the libraries a run uses, without compiling analyse's query."""
    from .jsfacts import analyse_source

    return analyse_source(source, only_requires=True)


def checked_scripts(plan: Plan) -> list[PlanScript]:
    """The plan's scripts, shared libraries marked as running on the Agent when an Agent integration loads them."""
    scripts = plan_scripts(plan)
    shared = frozenset(lib["name"] for _, lib in objects(plan.shared_libraries) if "name" in lib)
    agent = _libraries_on_agent(plan, [s for s in scripts if s.kind == "integration"], shared)
    return [replace(s, runs_on="agent") if s.kind == "library" and s.owner.get("name") in agent else s
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
                script = by_name.get(use.name)
                if isinstance(script, str):
                    pending.append(script)
    return found


def check_scripts(plan: Plan, locator: Locator, references: bool = True) -> Iterator[Problem]:
    """Syntax of every script, and (with `references`) the libraries, endpoints and constants it names."""
    endpoints = {e.get("name") for _, e in objects(plan.endpoints)} | {BUILTIN_ENDPOINT}
    constants = {c.get("name") for _, c in objects(plan.constants)}
    placed = _agent_blocks(plan)
    for script in checked_scripts(plan):
        facts = analyse(script.text)
        step = script.owner.get("id") if script.kind == "step" else None
        yield from _syntax(script, facts, locator, placed.get(step) if isinstance(step, str) else None)
        if not references:
            continue
        for use in facts.requires:
            if use.name not in script.libraries:
                where = "shared library" if script.kind in ("integration", "library") else "library of this step"
                yield _at(script, use, locator, f"require({use.name!r}): no {where} has that name",
                          "unknown-library")
        for use in facts.endpoints:
            if use.name not in endpoints and use.name != script.endpoint_label:
                yield _at(script, use, locator, f"endpoint {use.name!r} is not declared in the plan",
                          "unknown-endpoint")
        for use in facts.constants:
            if use.name not in constants:
                yield _at(script, use, locator, f"constant {use.name!r} is not declared in the plan",
                          "unknown-constant")


def _agent_blocks(plan: Plan) -> dict[str, str]:
    """Step id -> the first canvas block that runs it on the Agent (`environment` ONPREMISE)."""
    placed: dict[str, str] = {}
    for _, canvas in plan.canvases():
        for _, block in objects(canvas.get("blocks")):
            step = block.get("step")
            if block.get("environment") == "ONPREMISE" and isinstance(step, str):
                placed.setdefault(step, f"block {block.get('label')!r} of canvas {canvas.get('name')!r}")
    return placed


def _syntax(script: PlanScript, facts: ScriptFacts, locator: Locator, placed: str | None) -> Iterator[Problem]:
    if facts.syntax_error:
        # xMatters stores and exports libraries that do not compile (the corpus has one): the
        # failure comes only when a script requires it, so a library's syntax error is a warning.
        yield _at(script, facts.syntax_error, locator,
                  f"JavaScript syntax error in {script.label}: {facts.syntax_error.name}", "js-syntax",
                  special=script.is_library, named=True)
    if script.runs_on == "cloud":  # xMatters' cloud runs ECMAScript 6: only the Agent is ES5.1
        return
    first: dict[str, list[Use]] = {}
    for use in facts.modern:
        first.setdefault(use.name, []).append(use)
    for feature, uses in first.items():
        more = f" ({len(uses) - 1} more in this script)" if len(uses) > 1 else ""
        if script.on_agent:  # it will not compile where it runs
            message = f"{feature} is ES6+ syntax, but {script.label} runs on the xMatters Agent (ES5.1 only){more}"
        else:
            why = f"allowedEnvironment BOTH; {placed} runs it there" if placed else "allowedEnvironment BOTH"
            message = (f"{feature} is ES6+ syntax, but {script.label} may run on the xMatters Agent "
                       f"({why}), which takes ES5.1 only{more}")
        yield _at(script, uses[0], locator, message, "es6-syntax", special=script.on_agent, named=True)


def _at(script: PlanScript, use: Use, locator: Locator, message: str, rule: str, special: bool = False,
        named: bool = False) -> Problem:
    """A problem at a use in a script, at its rule's severity; the message names the script (unless it does
    already) where the place does not: in a zip, or a tree that keeps the script in its document."""
    if not named and f"{script.entry}#{script.pointer}" not in locator.plan.sources:
        message = f"{message} (in {script.label})"
    return Problem.of(locator.in_script(script.entry, script.pointer, script.text, use.line, use.column),
                      message, rule, special)
