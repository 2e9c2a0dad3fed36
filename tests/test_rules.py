"""The rule table is where every check's severity comes from: no check spells one itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from xmplan._errors import Location, Problem
from xmplan._rules import RULES, severity

PACKAGE = Path(__file__).resolve().parents[1] / "xmplan"


def test_a_problem_of_a_rule_takes_the_rule_s_severity() -> None:
    assert Problem.of(Location("f"), "m", "unknown-key").severity == RULES["unknown-key"].severity == "warning"
    assert Problem.of(Location("f"), "m", "schema").severity == "error"


def test_the_special_case_a_rule_names_is_in_the_table_too() -> None:
    # js-syntax is a warning in a shared library (xMatters stores those), es6-syntax an error on the Agent.
    assert (severity("js-syntax"), severity("js-syntax", special=True)) == ("error", "warning")
    assert (severity("es6-syntax"), severity("es6-syntax", special=True)) == ("warning", "error")
    with pytest.raises(ValueError, match="has no special case"):
        severity("schema", special=True)


def _spelled_severities(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """`Problem(where, message, "warning", rule)` and `severity="error"` calls: a severity beside the table."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        values = [node.args[2]] if name == "Problem" and len(node.args) > 2 else []
        values += node.args if name == "problem" else []  # Locator.problem takes none: a severity there is a slip
        values += [k.value for k in node.keywords if k.arg == "severity"]
        if any(isinstance(v, ast.Constant) and v.value in ("error", "warning") for v in values):
            found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_check_spells_its_severity() -> None:
    # Errors raised (XmplanError.at) are errors whatever their rule; every reported problem uses Problem.of.
    spelled = [hit for path in sorted(PACKAGE.rglob("*.py")) if path.name != "_errors.py"
               for hit in _spelled_severities(path)]
    assert spelled == []


def test_the_scan_finds_a_spelled_severity(tmp_path: Path) -> None:
    module = tmp_path / "xmplan" / "m.py"
    module.parent.mkdir()
    module.write_text('p = Problem(here, "m", "warning", "schema")\nq = make(severity="error")\n'
                      'r = locator.problem("e", "/p", "m", "warning", "schema")\n', encoding="utf-8")
    assert _spelled_severities(module, tmp_path) == ["xmplan/m.py:1", "xmplan/m.py:2", "xmplan/m.py:3"]
