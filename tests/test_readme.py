"""The README documents every subcommand and starts with the two commands CI also runs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from xmplan._cli import main_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands() -> list[str]:
    (action,) = [a for a in main_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(action.choices)


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_has_a_section(command: str) -> None:
    assert f"### `xmplan {command}" in README


def test_readme_opens_with_the_two_newcomer_commands() -> None:
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert block[0].endswith("python build.py")
    assert "pytest" in block[1]


def test_ci_runs_the_readme_test_command() -> None:
    test_command = README.split("```sh\n", 1)[1].splitlines()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-m pytest" in test_command and ".venv/bin/python -m pytest" in ci
    assert "pip install --quiet -e '.[test]'" in ci and "pip install -e '.[test]'" in test_command


def test_ci_runs_the_static_checks_on_the_package_its_tests_and_benches() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/ruff check xmplan tests bench\n" in ci and ".venv/bin/mypy xmplan\n" in ci
    assert ci.index("mypy xmplan") < ci.index("-m pytest")
