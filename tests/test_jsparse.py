"""The tree-sitter JavaScript checks: error places and messages, what its lenient grammar lets through, depth."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from xmplan._cli import main
from xmplan._validate.javascript import analyse, analyse_requires
from xmplan._validate.jsfacts import analyse_source

CASES = Path(__file__).parent / "validate_cases"


@pytest.mark.parametrize("source, line, column, message", [
    ("var o = {a: 1 b: 2};", 1, 15, "Unexpected identifier"),
    ("var s = 'a' 'b';", 1, 13, "Unexpected string"),
    ("var x = { 'a': 1, 'b' 2 }", 1, 23, "Unexpected number"),
    ("var class = 1;", 1, 5, "Unexpected token class"),
    ("if (x { y(); }", 1, 7, "Unexpected token {"),
    ("foo(bar baz)", 1, 9, "Unexpected identifier"),
    ("f(a;", 1, 4, "Unexpected token ;"),
    ("a = 1\n)\n", 2, 1, "Unexpected token )"),
    ("x = 1 # 2", 1, 7, "Invalid or unexpected token"),
    ("var a = 1;\n{", 2, 2, "Unexpected end of input"),
    # What tree-sitter's grammar accepts but no JavaScript parser does:
    ("f(a,,b);", 1, 5, "Unexpected token ,"),
    ("var o = {a: 1,, b: 2};", 1, 15, "Unexpected token ,"),
    ("function () {}", 1, 10, "Unexpected token ("),
    ("function f(ac.cessKey) {}", 1, 14, "Unexpected token ."),
    ("var t = <div/>;", 1, 9, "Unexpected token <"),
    ("import x from 'y';", 1, 1, "Unexpected token import"),
])
def test_syntax_errors_are_placed_and_named(source: str, line: int, column: int, message: str) -> None:
    error = analyse_source(source).syntax_error
    assert error is not None
    assert (error.line, error.column, error.name) == (line, column, message)


def test_columns_count_characters_not_utf8_bytes() -> None:
    facts = analyse_source("var s = 'éé€'; var u = require('ü');\nvar k = constants['Schlüssel'] + `x`;")
    assert [(u.name, u.line, u.column) for u in facts.requires] == [("ü", 1, 32)]
    assert [(u.name, u.column) for u in facts.constants] == [("Schlüssel", 19)]
    assert [(u.name, u.column) for u in facts.modern] == [("template literal", 34)]
    error = analyse_source("var s = 'é'; var x = (;").syntax_error
    assert error is not None and error.column == 23


def test_a_lone_surrogate_from_a_json_escape_parses() -> None:
    facts = analyse_source("var s = '\ud800'; require('lib');")
    assert facts.syntax_error is None and [u.name for u in facts.requires] == ["lib"]


@pytest.mark.parametrize("source, features", [
    # ES2015 that esprima 4 did not report (its delegate missed parameters it reinterpreted):
    ("function f(a, b = '') {}", ["default parameter"]),
    ("var g = ({name}) => name;", ["arrow function", "destructuring", "shorthand property"]),
    # Later syntax that esprima 4 called a syntax error: now named.
    ("var v = a?.b ?? c;", ["nullish coalescing (??)", "optional chaining (?.)"]),
    ("x ||= 1;", ["logical assignment"]),
    ("var n = 10n + 1_000;", ["BigInt literal", "numeric separator"]),
    ("class A { x = 1; static { } }", ["class", "class field", "class static block"]),
    ("var o = {get a() { return 1; }, set a(v) {}};", []),  # ES5 accessors
    ("var o = {m() {}, [k]: 1, *g() {}};", ["computed property name", "generator", "method definition",
                                            "method definition"]),
    ("class B { *g() {} async h() { await 1; } }", ["async/await", "async/await", "class", "generator"]),
    ("for (let x of xs) {}", ["for-of loop", "let"]),
    ("var m = import('x');", ["dynamic import"]),
])
def test_modern_syntax_by_name(source: str, features: list[str]) -> None:
    facts = analyse_source(source)
    assert facts.syntax_error is None
    assert sorted(use.name for use in facts.modern) == features


def test_let_in_a_loop_head_is_placed_at_let() -> None:
    facts = analyse_source("for (let i of xs) {}")
    assert [(u.name, u.column) for u in facts.modern] == [("let", 6), ("for-of loop", 1)]


def test_requires_endpoints_and_constants_with_escapes() -> None:
    facts = analyse_source("require('a\\x62c'); require(name);\n"
                           "http.request({'endpoint': \"Sl\\u0061ck\", headers: {}});\n"
                           "var o = {endpoint: 'NotARequest'}; var c = constants['K\\'ey'];")
    assert [u.name for u in facts.requires] == ["abc"]
    assert [(u.name, u.column) for u in facts.dynamic_requires] == [("require", 20)]
    assert [(u.name, u.line) for u in facts.endpoints] == [("Slack", 2)]
    assert [u.name for u in facts.constants] == ["K'ey"]


@pytest.mark.parametrize("depth", [100, 20_000])
def test_deep_nesting_parses_without_recursion(depth: int) -> None:
    """Issue #8: 100 nested parentheses made esprima raise RecursionError inside `validate`."""
    facts = analyse_source("var x = " + "(" * depth + "constants.K" + ")" * depth + ";\n"
                           + "var y = " + "[" * depth + "]" * depth + ";\n" + "f(" * depth + "1" + ")" * depth)
    assert facts.syntax_error is None
    assert [u.name for u in facts.constants] == ["K"]
    unclosed = analyse_source("var x = " + "(" * depth + "1").syntax_error
    assert unclosed is not None and (unclosed.name, unclosed.column) == ("Unexpected end of input", depth + 10)


def test_validate_reports_a_deeply_nested_script_without_a_traceback(tmp_path: Path) -> None:
    tree = tmp_path / "js_syntax"
    shutil.copytree(CASES / "js_syntax", tree)
    script = next((tree / "scripts" / "integrations").glob("*.js"))
    script.write_text("var v = " + "(" * 100 + "1" + ")" * 100 + ";\nvar w = (" + "[" * 100 + ";\n", "utf-8")
    out = io.StringIO()
    code = main(["validate", str(tree), "--format", "json"], out=out, err=out)
    problems = json.loads(out.getvalue())
    syntax = [p for p in problems if p["rule"] == "js-syntax"]
    assert code == 1 and len(syntax) == 1
    assert (syntax[0]["line"], syntax[0]["column"]) == (2, 110)
    assert syntax[0]["message"].endswith(": Unexpected token ;")


def test_one_parse_per_distinct_text() -> None:
    text = "var unique_for_this_test = require('x');"
    assert analyse(text) is analyse(text)


def _requires(facts) -> tuple:
    return facts.syntax_error, facts.requires, facts.dynamic_requires


def test_the_runs_require_query_finds_what_analyse_finds(corpus_dir: Path) -> None:
    """A run finds `require` calls from the text and the tree, without compiling analyse's query
    (issue #15): on every corpus script it finds the same calls, and stops at the same syntax errors."""
    from xmplan._archive import read_plan
    from xmplan._scripts import plan_scripts

    texts = {s.text for zip_path in sorted(corpus_dir.glob("*.zip")) for s in plan_scripts(read_plan(zip_path))}
    texts |= {"require('a\\x62c'); require(name);", "var x = require('a'", "f(a,,b); require('b');",
              "xrequire('a'); o.require('b'); (require)('c'); '/* require(d) */'; require?.('e'); requirerequire('f')"}
    differ = [text[:80] for text in texts if _requires(analyse_requires(text)) != _requires(analyse(text))]
    assert len(texts) > 500 and differ == []
    found = analyse_requires("require('a\\x62c'); require(name); http.request({endpoint: 'E'}); var c = 1 ?? 2;")
    assert [u.name for u in found.requires] == ["abc"] and len(found.dynamic_requires) == 1
    assert found.endpoints == () and found.modern == ()  # nothing else is looked for


def test_the_script_checks_parse_each_script_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Syntax facts, path checks and secret checks all read each script's tree: one parse serves
    them (issue #15: three parses per script were a tenth of validating the flagship)."""
    from xmplan._validate import jsparse, validate_path

    root = Path(__file__).resolve().parents[1]
    tree = tmp_path / "flagship"
    for folder in ("plan", "scripts"):
        shutil.copytree(root / folder, tree / folder)
    scripts = sorted((tree / "scripts").rglob("*.js"))
    for script in scripts:  # texts no earlier test analysed: every cache of them is empty
        script.write_text(script.read_text("utf-8") + f"\n// {tmp_path}\n", "utf-8")
    real = jsparse._parser()
    texts: list[bytes] = []

    class Counting:
        def parse(self, data: bytes):  # type: ignore[no-untyped-def]
            texts.append(data)
            return real.parse(data)

    monkeypatch.setattr(jsparse, "_parser", Counting)
    problems = validate_path(tree, {})
    assert not [p for p in problems if p.severity == "error"]
    assert len(scripts) == 4 and len(texts) == len(set(texts)) == 4  # every script, none twice
