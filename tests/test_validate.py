"""`xmplan validate`: case folders, the JSON output, schemas and the whole corpus of real exports."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from conftest import CORPUS, CORPUS_WARNINGS, corpus_params

from xmplan._cli import main
from xmplan._validate import validate_path, validate_plan
from xmplan._validate.javascript import analyse
from xmplan._validate.schema import load_schema, schema_name

CASES = Path(__file__).parent / "validate_cases"
SCHEMAS = ["engine", "properties", "form", "integrations", "sharedfunctions", "scriptSteps", "triggerFilters",
           "canvas"]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, err=out)
    return code, out.getvalue()


def zip_entries(folder: Path, target: Path) -> Path:
    """A plan zip holding every file under `folder` as an entry (for export-shaped cases)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "expected.txt").is_file()))
def test_case(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = CASES / case
    monkeypatch.chdir(CASES)
    if (folder / "entries").is_dir():
        target = str(zip_entries(folder / "entries", tmp_path / f"{case}.zip"))
    else:
        target = case
    expected = (folder / "expected.txt").read_text("utf-8").replace("{zip}", target)
    code, output = run("validate", target)
    assert output == expected
    errors = int(re.search(r": (\d+) error\(s\), \d+ warning\(s\)$", expected.splitlines()[-1]).group(1))
    assert code == (1 if errors else 0)


@pytest.mark.parametrize("case, code", [("clean", 0), ("dangling_refs", 0), ("unknown_property", 1),
                                        ("es6_agent", 1), ("js_syntax", 1), ("load_error", 1)])
def test_exit_status(case: str, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    assert run("validate", case)[0] == code


def test_json_format_carries_the_same_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    code, output = run("validate", "--format", "json", "schema_violation")
    problems = json.loads(output)
    assert code == 1
    assert all(set(p) == {"file", "line", "column", "severity", "message", "rule"} for p in problems)
    text_lines = (CASES / "schema_violation" / "expected.txt").read_text("utf-8").splitlines()[:-1]
    as_text = [f"{p['file']}:{p['line']}:{p['column']}: {p['severity']}: {p['message']} [{p['rule']}]"
               for p in problems]
    assert as_text == text_lines
    assert {"file": "schema_violation/plan/engine.json", "line": 4, "column": 15, "severity": "error",
            "message": "/isActive: expected boolean, found string", "rule": "schema"} in problems


def test_missing_path_is_one_error(tmp_path: Path) -> None:
    code, output = run("validate", str(tmp_path / "nothing.zip"))
    assert code == 1
    assert "nothing.zip: error: no such file or directory" in output


def test_not_a_zip_is_reported_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "plan.zip"
    bad.write_text("hello")
    code, output = run("validate", str(bad))
    assert code == 1
    assert output.startswith(f"{bad}: error: not a zip file")


@pytest.mark.parametrize("name", SCHEMAS)
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("entry, schema", [
    ("engine.json", "engine"), ("properties/properties.json", "properties"),
    ("forms/Alert/170366.json", "form"), ("integrations/integrations.json", "integrations"),
    ("integrations/sharedfunctions.json", "sharedfunctions"), ("integrations/scriptSteps.json", "scriptSteps"),
    ("integrations/triggerFilters.json", "triggerFilters"), ("canvases/Main.json", "canvas"),
    ("notes.txt", None), ("forms/loose.json", None),
])
def test_schema_for_entry(entry: str, schema: str | None) -> None:
    assert schema_name(entry) == schema


@pytest.mark.parametrize("schema, document, valid", [
    # Source-tree forms: pulled-out texts, voice files, and ids the build fills in left out.
    ("integrations", {"integrations": [{"name": "In", "type": "INBOUND_WEBHOOK", "action": "RUN_SCRIPT",
                                        "script": {"$file": "scripts/integrations/In.js"}, "form": "Alert"}]}, True),
    ("integrations", {"integrations": [{"name": "In", "type": "INBOUND_WEBHOOK", "action": "RUN_SCRIPT",
                                        "script": {"$file": "a.js", "extra": 1}}]}, False),
    ("integrations", {"integrations": [{"name": "In", "type": "INBOUND_WEBHOOK", "action": "RUN_SCRIPT",
                                        "form": "1E2F3A4B-5C6D-4E7F-8A9B-0C1D2E3F4A5B"}]}, False),
    ("form", {"name": "A", "messages": {"internationalVoiceScriptSteps": [
        {"languageCode": "en", "voiceScriptSteps": {"$voice": "plan/forms/A/voice.en.txt"}}]}}, True),
    ("form", {"name": "A", "layoutSections": [{"sectionType": 1, "sectionItems": [{"order": 0}]}]}, False),
    ("sharedfunctions", [{"name": "util", "script": {"$file": "scripts/libraries/util.js"}}], True),
    ("scriptSteps", [{"name": "S", "script": "", "scriptStepType": "USER", "id": "not-a-uuid"}], False),
    ("canvas", {"name": "Flow", "blocks": [{"id": "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
                                            "stepType": "SWITCH"}]}, True),
    ("engine", {"name": "Plan", "version": "2.0"}, False),
])
def test_schema_accepts_source_forms(schema: str, document: object, valid: bool) -> None:
    assert jsonschema.Draft202012Validator(load_schema(schema)).is_valid(document) is valid


@pytest.mark.parametrize("source, features", [
    ("var a = 1;", []),
    ("let a = 1; const b = 2;", ["let", "const"]),
    ("var f = x => x * 2;", ["arrow function"]),
    ("class A {}", ["class"]),
    ("var s = `a${b}`;", ["template literal"]),
    ("var {a, b} = o; var [c] = l;", ["destructuring", "shorthand property", "shorthand property",
                                      "destructuring"]),
    ("f(...args);", ["spread (...)"]),
    ("for (var x of xs) {}", ["for-of loop"]),
    ("function f(a = 1) {}", ["default parameter"]),
    ("function* g() { yield 1; }", ["generator", "generator"]),
    ("try { f(); } catch { g(); }", ["optional catch binding"]),
])
def test_es6_features(source: str, features: list[str]) -> None:
    facts = analyse(source)
    assert facts.syntax_error is None
    assert sorted(use.name for use in facts.modern) == sorted(features)


def test_top_level_return_is_allowed() -> None:
    # Integration Builder wraps every script in a function.
    assert analyse("if (!x) {\n  return;\n}\n").syntax_error is None


def test_names_found_from_the_syntax_tree() -> None:
    facts = analyse("// require('Commented')\nvar u = require('util');\n"
                    "var r = http.request({endpoint: 'Slack', path: '/x'});\n"
                    "var o = {'endpoint': \"Jira\", 'method': 'GET'};\nvar p = {endpoint: 'NotARequest'};\n"
                    "var s = http.authenticate('OAuth');\nvar k = constants.Key + constants['Other Key'];\n")
    assert [(u.name, u.line, u.column) for u in facts.requires] == [("util", 2, 17)]
    assert [(u.name, u.line) for u in facts.endpoints] == [("Slack", 3), ("Jira", 4), ("OAuth", 6)]
    assert [(u.name, u.line, u.column) for u in facts.constants] == [("Key", 7, 19), ("Other Key", 7, 35)]


@pytest.mark.parametrize("source, line, column, message", [
    ("var a = 1;\nvar b = (;\n", 2, 10, "Unexpected token ;"),
    ("var a = 1;\n{", 2, 2, "Unexpected end of input"),
    # Positions stay those of the text as written after `catch {` is parsed as `catch(_e) {`.
    ("try { a() } catch { b() }\ntry {} catch { c(); } var d = (;", 2, 32, "Unexpected token ;"),
])
def test_syntax_error_position(source: str, line: int, column: int, message: str) -> None:
    error = analyse(source).syntax_error
    assert (error.line, error.column, error.name) == (line, column, message)


def test_positions_after_optional_catch() -> None:
    facts = analyse("try { a() } catch { b() } try { c() } catch { d(`x`, constants.K) }")
    assert [(u.name, u.column) for u in facts.modern] == [
        ("optional catch binding", 19), ("optional catch binding", 45), ("template literal", 49)]
    assert [(u.name, u.column) for u in facts.constants] == [("K", 64)]


@pytest.fixture
def corpus_warnings(request: pytest.FixtureRequest) -> dict[str, Counter[str]]:
    """Warnings per rule and plan over the corpus plans validated; conftest prints them at the end."""
    return request.config.stash.setdefault(CORPUS_WARNINGS, {})


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_plan_has_no_errors(path: Path, corpus_warnings: dict[str, Counter[str]]) -> None:
    problems = validate_path(path, {})
    assert [str(p) for p in problems if p.severity == "error"] == []
    for problem in problems:
        corpus_warnings.setdefault(problem.rule, Counter())[path.name] += 1


def test_the_corpus_is_all_there(corpus_dir: Path) -> None:
    assert len(list(corpus_dir.glob("*.zip"))) >= 274


@pytest.mark.corpus
@pytest.mark.parametrize("name", [
    "xmatters__xm-labs-grafana__GrafanaAlert__20200303-e6419027.zip",
    "xmatters__xm-labs-prometheus__Prometheus__20210712-86e7b8c8.zip",
    "xmatters__xm-labs-template__ExampleCommPlan.zip",
    "xmatters__xm-labs-remedy-9-rest-on-prem__xMattersOnDemand_BMCRemedyITSMIncidentRESTv611.zip",
])
def test_unpacked_corpus_plan_validates_like_its_zip(name: str, tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip("the corpus in ../shared is not available")
    zip_path = CORPUS / name
    tree = tmp_path / "tree"
    assert main(["unpack", str(zip_path), str(tree)], out=io.StringIO()) == 0
    from_zip = validate_path(zip_path, {})
    from_tree = validate_path(tree, {})
    assert [p for p in from_tree if p.severity == "error"] == []
    assert Counter(p.rule for p in from_tree) == Counter(p.rule for p in from_zip)
    # Script problems point into the .js files a person edits.
    for problem in from_tree:
        if problem.rule.startswith("js-") or problem.rule == "es6-syntax":
            assert problem.location.file.endswith(".js") and problem.location.line


def test_validate_plan_reports_in_file_order(tmp_path: Path) -> None:
    target = zip_entries(CASES / "zip_references" / "entries", tmp_path / "plan.zip")
    from xmplan._archive import read_plan

    problems = validate_plan(read_plan(target))
    keys = [(p.location.file, p.location.line or 0, p.location.column or 0) for p in problems]
    assert keys == sorted(keys)
    assert len(problems) == 16  # expected.txt's 11 and the flow wiring's 5


def test_a_constant_named_like_a_secret_should_travel_blank(tmp_path: Path, capsys) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(Path(__file__).parent / "samples" / "minimal", tree)
    source = tree / "plan/integrations/integrations.json.j2"
    source.write_text(source.read_text().replace('"name": "Team", "value": "Ops"',
                                                 '"name": "API Token", "value": "s3cr3t"'))
    assert main(["validate", str(tree)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"integrations\.json\.j2:\d+:\d+: warning: constant 'API Token' holds a value"
                     r".*\[constant-secret\]", out)


def test_an_unreadable_file_is_a_problem_in_json_too(tmp_path: Path) -> None:
    shutil.copytree(CASES / "clean", tmp_path / "clean")
    (tmp_path / "clean" / "plan" / "canvases").mkdir(exist_ok=True)
    (tmp_path / "clean" / "plan" / "canvases" / "Flow.json").symlink_to(tmp_path / "clean" / "nowhere.json")
    code, output = run("validate", str(tmp_path / "clean"), "--format", "json")
    assert code == 1
    assert json.loads(output) == [{"file": str(tmp_path / "clean/plan/canvases/Flow.json"), "line": None,
                                   "column": None, "severity": "error", "message": "No such file or directory",
                                   "rule": "unreadable"}]


def test_cross_references_wait_until_every_document_reads(tmp_path: Path) -> None:
    """With a document left out, references to it would look dangling: they are checked once it reads."""
    shutil.copytree(CASES / "all_at_once", tmp_path / "tree")
    assert "[unknown-library]" not in run("validate", str(tmp_path / "tree"))[1]
    shutil.rmtree(tmp_path / "tree" / "plan" / "forms" / "Broken")
    code, output = run("validate", str(tmp_path / "tree"))
    assert code == 1
    assert "[template-property]" in output and "[schema]" in output and "[js-syntax]" in output
    assert "require('Nowhere'): no shared library has that name [unknown-library]" in output


def test_settings_naming_a_document_that_is_gone_are_a_warning(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).parent / "samples" / "minimal", tmp_path / "tree")
    settings = tmp_path / "tree" / "plan" / "xmplan.json"
    settings.write_text(settings.read_text().replace('"canvasOrder": []', '"canvasOrder": ["canvases/Old.json"]'))
    code, output = run("validate", str(tmp_path / "tree"))
    assert code == 0
    assert output.splitlines()[0] == (f"{tmp_path}/tree/plan/xmplan.json: warning: setting 'canvasOrder' names "
                                      "'canvases/Old.json', which is not a document of the plan [stale-setting]")


def test_a_missing_engine_and_a_broken_file_are_reported_together(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).parent / "samples" / "minimal", tmp_path / "tree")
    (tmp_path / "tree" / "plan" / "engine.json.j2").unlink()
    settings = tmp_path / "tree" / "plan" / "xmplan.json"
    settings.write_text(settings.read_text().replace('"compact": []', '"compact": ["properties/properties.json"]'))
    (tmp_path / "tree" / "plan" / "properties" / "properties.json").write_text("[")
    code, output = run("validate", str(tmp_path / "tree"))
    rules = re.findall(r"\[([a-z-]+)\]$", output, re.MULTILINE)
    assert code == 1 and rules == ["missing-engine", "json-syntax"]  # a file that fails to read is not stale


def test_many_members_named_twice_are_reported_briefly(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).parent / "samples" / "minimal", tmp_path / "tree")
    properties = tmp_path / "tree" / "plan" / "properties" / "properties.json"
    properties.write_text("[" + ",".join(f'{{"name": "P{i}", "name": "Q{i}", "baseType": 3}}' for i in range(60)) + "]")
    output = run("validate", str(tmp_path / "tree"))[1]
    assert output.count("is named more than once") == 50 and "10 more members named twice [duplicate-key]" in output


def test_a_folder_that_cannot_be_listed_is_a_problem_not_a_silent_gap(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    tree = tmp_path / "tree"
    shutil.copytree(Path(__file__).parent / "samples" / "minimal", tree)
    forms = tree / "plan" / "forms"
    real_scandir = os.scandir

    def scandir(path):  # root may list any folder, so the refusal is simulated
        if os.fspath(path) == str(forms):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    problems = validate_path(tree, {})
    assert [(p.location.file, p.rule) for p in problems if p.severity == "error"] == [(str(forms), "unreadable")]
    assert "Permission denied" in problems[0].message
