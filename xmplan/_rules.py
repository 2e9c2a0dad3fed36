"""The one table of validation rules: id, default severity, description, docs anchor; rule settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # errors.py imports this module (Severity, the table): no import back at run time
    from ._errors import Problem

Severity = Literal["error", "warning"]
Level = Literal["error", "warning", "off"]
LEVELS: tuple[Level, ...] = ("error", "warning", "off")
DOCS = "docs/rules.md"


# eq=False: a rule is one row of the one table, equal only to itself; value equality and hashing
# would be two more generated methods for every command's start-up to compile (issue #15)
@dataclass(frozen=True, eq=False)
class Rule:
    """A check's id (shown as `[id]`), the severity it reports by default, and what it finds."""

    id: str
    severity: Severity
    description: str
    # The severity in the one case the description names (js-syntax in a shared library,
    # es6-syntax in a script the Agent runs); None for rules that always report at `severity`.
    special: Severity | None = None

    @property
    def anchor(self) -> str:
        """Where docs/rules.md explains it (`docs/rules.md#es6-syntax`)."""
        return f"{DOCS}#{self.id}"


def _table(*rows: tuple[str, Severity, str] | tuple[str, Severity, str, Severity]) -> dict[str, Rule]:
    return {row[0]: Rule(*row) for row in rows}


# Real exports leave some references dangling now and then (a deleted form, a stale template
# token), and xMatters imports them, so those are warnings. References that every export in the
# corpus keeps intact are errors: a broken one means a broken plan.
RULES: dict[str, Rule] = _table(
    # reading a source tree or a zip
    ("load", "error", "the plan path does not exist"),
    ("unreadable", "error", "a file that cannot be read (a dangling link, no permission)"),
    ("template-kept", "warning", "unpack --force leaves a file alone because a template (X.j2) stands for it"),
    ("symlink", "error", "a symlink under plan/ or scripts/ that leads outside the source tree"),
    ("encoding", "error", "a file or entry that is not UTF-8 text"),
    ("json-syntax", "error", "a source file that is not valid JSON"),
    ("document-type", "error", "a document whose top level is not the array or object its kind has"),
    ("unknown-file", "error", "a JSON file under plan/ that is no plan document"),
    ("unreferenced-file", "warning", "a file under plan/ or scripts/ that nothing refers to: the build leaves it out"),
    ("missing-engine", "error", "a source tree without plan/engine.json"),
    ("stale-setting", "warning", "plan/xmplan.json names a document the plan no longer has"),
    ("template-syntax", "error", "a jinja2 template that does not parse"),
    ("template-undefined", "error", "a jinja2 template uses a value that is not defined"),
    ("template", "error", "a jinja2 template fails while rendering"),
    ("template-twin", "error", "both X and X.j2 exist"),
    ("template-property", "error", "a message text names a property (`${property.X}`) the form does not show"),
    ("file-reference", "error", "a `$file`/`$voice` reference that is not a relative path to an existing file"),
    ("voice-step", "error", "a line of a voice message file that is no voice step"),
    ("duplicate-entry", "error", "two source files that become the same zip entry"),
    ("duplicate-key", "error", "a JSON object that names a member twice (only the last counts)"),
    # schema
    ("schema", "error", "a value that breaks its document's JSON Schema"),
    ("unknown-key", "warning", "a key the JSON Schema does not know"),
    ("unknown-entry", "warning", "a zip entry that is no known kind of plan document"),
    ("export-key", "error", "an object of an export zip lacks a key every real export of its era has"),
    # cross-references
    ("unknown-property", "error", "a form shows a property the plan does not declare"),
    ("unknown-voice-property", "error", "a voice message reads a property its form does not show"),
    ("unknown-placeholder", "warning", "a message placeholder names no field of its form"),
    ("unknown-form", "warning", "an integration, flow or block names a form that is not in the plan"),
    ("unknown-form-name", "error", "an integration in a source tree names a form by a name no form has"),
    ("unknown-response", "error", "an integration fires on a response its form does not offer"),
    ("unknown-http-step", "warning", "an integration names an HTTP trigger step the plan does not have"),
    ("unknown-step", "warning", "a flow block runs an integration or step that is not in the plan"),
    ("unknown-block", "error", "a flow edge names a block that is not on its canvas"),
    ("unknown-flow", "error", "a trigger filter names a flow that is no integration of the plan"),
    ("duplicate-name", "error", "two properties, integrations, endpoints, constants or libraries share a name"),
    ("duplicate-form", "error", "a form copied by hand that keeps the original's name, ids or number"),
    ("form-order", "warning", "a new form (form.json, no number yet) with the same `order` as another form"),
    ("constant-secret", "warning", "a constant named like a secret holds a value (not a placeholder)"),
    ("secret-url", "warning", "an endpoint, constant or script holds a URL that carries a secret (a webhook URL)"),
    ("secret-header", "warning", "a script sets an Authorization, Cookie or API-key header to a literal value"),
    # scripts
    ("js-syntax", "error", "a script that does not parse (a warning for libraries: xMatters stores them)", "warning"),
    ("es6-syntax", "warning",
     "ES6+ syntax in a script the xMatters Agent (ES5.1 only) may run; an error where only the Agent runs it", "error"),
    ("unknown-library", "warning", "require() of a library the plan does not have"),
    ("unknown-endpoint", "warning", "a script names an endpoint the plan does not declare"),
    ("unknown-constant", "warning", "a script reads a constant the plan does not declare"),
    ("raw-path-value", "warning", "with autoEncodeURI false, an http.request path adds a value nothing encoded"),
    ("double-encoding", "warning", "encodeURIComponent() or encodeURI() of a value that is already encoded"),
    # Flow Designer wiring (validate/wiring.py): xMatters runs such flows, reading empty values
    ("step-input-name", "warning", "a custom step's script reads an input the step does not declare"),
    ("step-output-name", "warning", "a custom step's script writes an output the step does not declare"),
    ("mapping-step-input", "warning", "a flow block maps a value to an input id its step does not have"),
    ("mapping-block", "warning", "a flow block reads `${block.Output}` of a block not on the canvas or not upstream"),
    ("mapping-output", "warning", "a flow block reads an output its source block does not have"),
    ("edge-port", "warning", "a flow edge leaves or enters a block by a port the block does not have"),
    ("switch-case", "warning", "a switch without cases, with a case twice, or an edge from a case it lacks"),
    ("section-item-key", "warning", "a Create Event block fills a field that is no property of its form"),
    ("flow-trigger", "warning",
     "a Flow Designer trigger on no canvas, or an HTTP trigger without an HTTP trigger step"),
    # running scripts (xmplan run, the runtime)
    ("script-load", "error",
     "an integration script, shared library or Flow Designer step fails to load in the runtime"),
    ("js-error", "error", "a script threw an uncaught exception"),
    ("js-timeout", "error", "a script ran past its time limit"),
    ("js-memory", "error", "a script ran out of memory"),
    # HipChat descriptor
    ("json", "error", "a descriptor or values file that is not valid JSON"),
    ("values", "error", "a values file that is not a JSON object of strings"),
    ("descriptor-schema", "error", "a descriptor that breaks the capabilities schema"),
    ("descriptor-duplicate-key", "error", "a descriptor JSON object that names a member twice"),
    ("descriptor-target", "error", "a descriptor link or target that is not allowed"),
    ("descriptor-base-url", "error", "no add-on base URL given"),
)


def rule(rule_id: str) -> Rule:
    """The registered rule; an unknown id is a programming error (add a row to RULES)."""
    try:
        return RULES[rule_id]
    except KeyError:
        msg = f"unknown rule {rule_id!r}: add it to xmplan/_rules.py"
        raise KeyError(msg) from None


def severity(rule_id: str, special: bool = False) -> Severity:
    """A rule's default severity; with `special`, its severity in the case its description names."""
    found = rule(rule_id)
    if not special:
        return found.severity
    if found.special is None:
        msg = f"rule {rule_id!r} has no special case: give it one in xmplan/_rules.py"
        raise ValueError(msg)
    return found.special


def check_levels(levels: Mapping[str, object]) -> list[str]:
    """What is wrong with rule settings (`{"es6-syntax": "off"}`): one sentence per bad entry."""
    wrong = []
    for rule_id, level in levels.items():
        if rule_id not in RULES:
            wrong.append(f"unknown rule {rule_id!r} (see `xmplan validate --list-rules`)")
        elif level not in LEVELS:
            wrong.append(f"rule {rule_id!r}: level must be one of {', '.join(LEVELS)}, not {level!r}")
    return wrong


def apply_levels(problems: Iterable[Problem], levels: Mapping[str, Level]) -> list[Problem]:
    """The problems with the levels set for their rules: `off` drops them, others set the severity."""
    result = []
    for problem in problems:
        level = levels.get(problem.rule)
        if level is None:
            result.append(problem)
        elif level != "off":
            result.append(problem if problem.severity == level else replace(problem, severity=level))
    return result


def listing() -> str:
    """`xmplan validate --list-rules`: one line per rule."""
    width = max(len(rule_id) for rule_id in RULES)
    return "".join(f"{r.id:<{width}}  {r.severity:<7}  {r.description}\n" for r in RULES.values())
