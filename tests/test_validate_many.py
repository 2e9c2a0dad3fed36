"""`xmplan validate A.zip B/ C.zip ...`: many plans in one process, each problem under its own path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from xmplan._cli import main

CASES = Path(__file__).parent / "validate_cases"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, err=out)
    return code, out.getvalue()


def expected(case: str) -> str:
    return (CASES / case / "expected.txt").read_text("utf-8")


def test_each_plan_reports_as_it_would_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    code, output = run("validate", "clean", "js_syntax", "dangling_refs")
    assert code == 1  # js_syntax has an error
    assert output == expected("clean") + expected("js_syntax") + expected("dangling_refs")


def test_exit_status_is_0_when_no_plan_has_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    assert run("validate", "clean", "dangling_refs") == (0, expected("clean") + expected("dangling_refs"))


def test_a_missing_path_among_others_is_one_more_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    code, output = run("validate", "clean", str(tmp_path / "nothing.zip"))
    assert code == 1
    assert output.startswith(expected("clean") + f"{tmp_path / 'nothing.zip'}: error: no such file or directory")
    assert output.endswith(f"{tmp_path / 'nothing.zip'}: 1 error(s), 0 warning(s)\n")


def test_json_lists_every_plans_problems_with_their_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    code, output = run("validate", "--format", "json", "js_syntax", "dangling_refs")
    problems = json.loads(output)
    assert code == 1
    assert {p["file"].split("/")[0] for p in problems} == {"js_syntax", "dangling_refs"}
    assert [p["rule"] for p in problems] == ["js-syntax"] + ["unknown-library", "unknown-endpoint",
                                                            "unknown-constant", "unknown-endpoint", "unknown-constant"]
