"""The JavaScript a run executes: the prelude, the shared libraries it needs, the wrapped script."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._model import Json, Plan
from .._scripts import plan_scripts
from .engine import Script

# The built-ins are the wrapper's parameters, as in xMatters: `var request = ...` in a script
# shadows the built-in instead of replacing it, and a top-level `return` ends the script.
PARAMETERS = ("request, form, trigger, http, console, constants, require, exports, module, JXON, XMLUtils, "
              "event, respondedTo, response, statusChanged, deliveryStatusUpdated, notification, annotation, "
              "escalation, input, output")
# Read from beside this module: importlib.resources (and the tempfile, zipfile it loads) would cost every run.
PRELUDE = Script("<xmplan prelude>", Path(__file__).with_name("prelude.js").read_text(encoding="utf-8"),
                 reusable=True, harness=True)



@dataclass(frozen=True)
class Code:
    """A script or library of the plan: its name, its text, and where it is stored.

    `filename` is the file errors name: the script's own file in a source tree. A script stored as
    a JSON string (`in_json`: in a zip, every library shares one entry) is named
    `<entry file>#<pointer>`, and the runtime maps engine lines into the entry's text.
    """

    name: str
    filename: str
    text: str
    entry: str
    pointer: str
    in_json: bool = False


def _code(plan: Plan, name: object, entry: str, pointer: str, text: str) -> Code:
    pulled = plan.sources.get(f"{entry}#{pointer}")
    if pulled is not None:
        return Code(str(name or ""), pulled, text, entry, pointer)
    return Code(str(name or ""), f"{plan.source_of(entry)}#{pointer}", text, entry, pointer, in_json=True)


def integrations(plan: Plan) -> list[tuple[Json, Code | None]]:
    """Every integration record with its script (None for integrations without one)."""
    found = {id(s.owner): _code(plan, s.owner.get("name"), s.entry, s.pointer, s.text)
             for s in plan_scripts(plan) if s.kind == "integration"}
    return [(record, found.get(id(record))) for record in plan.integrations]


def libraries(plan: Plan) -> list[Code]:
    return [_code(plan, s.owner.get("name"), s.entry, s.pointer, s.text)
            for s in plan_scripts(plan) if s.kind == "library"]


def needed_libraries(text: str, available: Sequence[Code]) -> list[Code]:
    """The libraries `text` requires, directly or through other libraries, in plan order.

    A `require` with a computed name could load any of them, so then all are included.
    """
    from .._validate.javascript import analyse_requires  # the one require detector: the syntax tree, not a regex

    by_name = {lib.name: lib for lib in available}
    wanted: set[str] = set()
    pending = [text]
    while pending:
        facts = analyse_requires(pending.pop())
        if facts.dynamic_requires:
            return list(available)
        for use in facts.requires:
            if use.name in by_name and use.name not in wanted:
                wanted.add(use.name)
                pending.append(by_name[use.name].text)
    return [lib for lib in available if lib.name in wanted]


def _wrapped(call: str, code: Code) -> Script:
    # The header shares the script's first line, so the engine's line numbers are the file's.
    header = f"{call}function ({PARAMETERS}) {{"
    return Script(code.filename, f"{header}{code.text}\n}});", header=len(header))


def run_scripts(code: Code, available: Sequence[Code]) -> list[Script]:
    """Prelude, library definitions, then the script itself, run as the wrapper function."""
    defined = [_wrapped(f"__xmplan__.define({json.dumps(lib.name)}, ", lib)
               for lib in needed_libraries(code.text, available)]
    return [PRELUDE, *defined, _wrapped("__xmplan__.main(", code)]


def parse_scripts(code: Code) -> list[Script]:
    """Compile the script as the wrapper function without calling it."""
    return [PRELUDE, _wrapped("__xmplan__.parsed(", code)]


def library_scripts(library: Code, available: Sequence[Code]) -> list[Script]:
    """Define the library (and what it needs) and evaluate it with `require`."""
    others = [lib for lib in needed_libraries(library.text, available) if lib.name != library.name]
    defined = [_wrapped(f"__xmplan__.define({json.dumps(lib.name)}, ", lib) for lib in [*others, library]]
    call = Script(library.filename, f"__xmplan__.require({json.dumps(library.name)});")
    return [PRELUDE, *defined, call]
