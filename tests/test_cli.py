"""The command line: lazy imports, the command table, usage errors, rules and their settings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import xmplan_cli

from xmplan._cli import main, main_parser
from xmplan._cli.commands import COMMANDS, available
from xmplan._cli.run import ENGINES
from xmplan._rules import RULES
from xmplan._runtime.engines import ENGINE_NAMES

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).parent / "validate_cases"
HEAVY = ("xmplan._runtime", "tree_sitter", "xmplan._validate.jsparse", "esprima", "flask", "waitress", "js2py", "dukpy")




def imported_by(argv: list[str], cwd: Path) -> set[str]:
    """The modules a fresh interpreter has loaded after running `xmplan ARGV`."""
    script = ("import sys\nfrom xmplan._cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "print('\\n'.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script, *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["unpack", "--help"], ["build", "{tree}",
                                  "-o", "{out}"], ["unpack", "{zip}", "{tree2}"]], ids=lambda a: " ".join(a))
def test_help_build_and_unpack_import_no_runtime_parser_or_web_stack(argv: list[str], tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "tests" / "samples" / "minimal", tree)
    names = {"tree": str(tree), "out": str(tmp_path / "out"), "tree2": str(tmp_path / "tree2")}
    if "{zip}" in argv:
        assert xmplan_cli("build", str(tree), "-o", str(tmp_path / "dist"))[0] == 0
        names["zip"] = str(next((tmp_path / "dist").glob("*.zip")))
    loaded = imported_by([a.format(**names) for a in argv], tmp_path)
    assert "xmplan._cli" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]


def test_every_listed_command_has_a_module_with_both_functions() -> None:
    for command in available():
        module = __import__(command.module, fromlist=["run"])
        assert callable(module.add_arguments) and callable(module.run), command.name
    assert {"unpack", "build", "validate", "run", "descriptor"} <= {c.name for c in available()}
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)


def test_only_the_command_asked_for_gets_its_arguments() -> None:
    parser = main_parser(["unpack", "a.zip", "b"])
    assert vars(parser.parse_args(["unpack", "a.zip", "b"]))["force"] is False
    with pytest.raises(SystemExit):  # validate's options were not added this time
        parser.parse_args(["validate", "x", "--list-rules"])


def test_run_lists_the_runtime_engines() -> None:
    assert ENGINES == ENGINE_NAMES


@pytest.mark.parametrize("argv, message", [
    (["build", "--set", "novalue"], "xmplan: error: --set expects KEY=VALUE, got 'novalue'\n"),
    (["validate", "x", "--rule", "es6"], "xmplan: error: --rule expects KEY=VALUE, got 'es6'\n"),
    (["validate", "x", "--rule", "nope=off"],
     "xmplan: error: --rule: unknown rule 'nope' (see `xmplan validate --list-rules`)\n"),
    (["validate", "x", "--rule", "es6-syntax=loud"],
     "xmplan: error: --rule: rule 'es6-syntax': level must be one of error, warning, off, not 'loud'\n"),
    (["validate"], "xmplan: error: validate needs a PATH (a plan zip or source tree), or --list-rules\n"),
])
def test_usage_errors_exit_2_with_one_line(argv: list[str], message: str) -> None:
    assert xmplan_cli(*argv) == (2, "", message)


def test_list_rules_prints_every_rule_with_its_default_severity() -> None:
    code, out, _ = xmplan_cli("validate", "--list-rules")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(RULES)
    for line, rule in zip(lines, RULES.values(), strict=True):
        assert line.split()[:2] == [rule.id, rule.severity] and line.endswith(rule.description)


def test_every_rule_is_documented() -> None:
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [rule.id for rule in RULES.values() if f"<a id=\"{rule.id}\"></a>" not in docs]
    assert missing == []


def test_an_unregistered_rule_cannot_make_a_problem() -> None:
    from xmplan._errors import Location, Problem

    with pytest.raises(ValueError, match="add it to xmplan/_rules.py"):
        Problem(Location("x"), "m", "error", "no-such-rule")


def es6_case(tmp_path: Path, settings: dict[str, object] | None = None) -> Path:
    tree = tmp_path / "es6_agent"
    shutil.copytree(CASES / "es6_agent", tree)
    if settings is not None:
        (tree / "plan" / "xmplan.json").write_text(json.dumps(settings), encoding="utf-8")
    return tree


def test_rule_levels_per_run(tmp_path: Path) -> None:
    tree = es6_case(tmp_path)
    code, out, _ = xmplan_cli("validate", str(tree), "--rule", "es6-syntax=off")
    assert (code, out) == (0, f"{tree}: 0 error(s), 0 warning(s)\n")
    code, out, _ = xmplan_cli("validate", str(tree), "--rule", "es6-syntax=error")
    assert code == 1 and out.endswith(": 2 error(s), 0 warning(s)\n")
    code, out, _ = xmplan_cli("validate", str(tree), "--rule", "es6-syntax=warning")
    assert code == 0 and out.endswith(": 0 error(s), 2 warning(s)\n")


def test_rule_levels_per_plan_and_the_run_wins(tmp_path: Path) -> None:
    tree = es6_case(tmp_path, {"rules": {"es6-syntax": "off"}})
    assert xmplan_cli("validate", str(tree)) == (0, f"{tree}: 0 error(s), 0 warning(s)\n", "")
    code, out, _ = xmplan_cli("validate", str(tree), "--rule", "es6-syntax=warning")
    assert code == 0 and out.endswith(": 0 error(s), 2 warning(s)\n")


def test_a_bad_rule_setting_is_a_located_error(tmp_path: Path) -> None:
    tree = es6_case(tmp_path, {"rules": {"es6-syntax": "never"}})
    code, out, _ = xmplan_cli("validate", str(tree))
    assert code == 1
    # json.dumps writes {"rules": {"es6-syntax": "never"}}: the level's value starts at column 26
    assert out.splitlines()[0] == (f"{tree}/plan/xmplan.json:1:26: error: setting 'rules': rule 'es6-syntax': level "
                                   "must be one of error, warning, off, not 'never'")


def test_build_follows_rule_levels(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "tests" / "samples" / "minimal", tree)
    engine = tree / "plan" / "engine.json.j2"
    engine.write_text(engine.read_text(encoding="utf-8").replace("{", '{"isActive": 1, ', 1), encoding="utf-8")
    code, _, err = xmplan_cli("build", str(tree), "-o", str(tmp_path / "dist"))
    assert code == 1 and "[schema]" in err
    assert xmplan_cli("build", str(tree), "-o", str(tmp_path / "dist"), "--rule", "schema=warning")[0] == 0


def test_console_script_prints_no_traceback_for_bad_input(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "xmplan", "validate", str(tmp_path / "missing")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout and "missing" in done.stdout


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    import xmplan

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"xmplan {xmplan.__version__}\n"
    assert version("xmplan") == xmplan.__version__  # pyproject.toml reads it from xmplan/__init__.py
