"""Step problems in an export zip name their step; `es6-syntax` reports only where the Agent may run a script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import corpus_params

from xmplan._archive import read_plan
from xmplan._model import objects
from xmplan._validate import validate_path

STEPS = "integrations/scriptSteps.json"


@pytest.mark.parametrize("path", corpus_params(where=lambda row: row["script_steps"] not in ("", "0")))
def test_every_problem_in_a_zips_steps_names_its_step(path: Path) -> None:
    problems = [p for p in validate_path(path, {}) if p.location.file.startswith(f"{path}/{STEPS}")]
    # A name is quoted as Python's repr does: 'Post', or "Who's On Call" when it holds a quote.
    assert [str(p) for p in problems if not re.search(r"step ['\"]", p.message)] == []


@pytest.mark.parametrize("path", corpus_params(where=lambda row: row["script_steps"] not in ("", "0")))
def test_es6_syntax_is_reported_only_where_the_agent_may_run_the_script(path: Path) -> None:
    plan = read_plan(path)
    agent = {f"step {step.get('name')!r}" for _, step in objects(plan.script_steps)
             if step.get("allowedEnvironment") in ("BOTH", "ONPREMISE")}
    agent |= {f"integration {i.get('name')!r}" for _, i in objects(plan.integrations)
              if i.get("environment") == "ONPREMISE"}
    for problem in validate_path(path, {}):
        if problem.rule == "es6-syntax" and "but shared library " not in problem.message:
            # a library runs where its callers run; a step's library where its step does
            assert any(f"but {label} " in problem.message or f" of {label} " in problem.message
                       for label in agent), problem
