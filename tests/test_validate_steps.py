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
    assert [str(p) for p in problems if "step '" not in p.message] == []


@pytest.mark.parametrize("path", corpus_params(where=lambda row: row["script_steps"] not in ("", "0")))
def test_es6_syntax_is_reported_only_where_the_agent_may_run_the_script(path: Path) -> None:
    plan = read_plan(path)
    agent = {f"step {step.get('name')!r}" for _, step in objects(plan.script_steps)
             if step.get("allowedEnvironment") in ("BOTH", "ONPREMISE")}
    agent |= {f"integration {i.get('name')!r}" for _, i in objects(plan.integrations)
              if i.get("environment") == "ONPREMISE"}
    for problem in validate_path(path, {}):
        if problem.rule == "es6-syntax":
            # `... but step 'X' may run on ...`, `... but step library 'u' of step 'X' runs on ...`
            named = re.search(r", but (?:step library '[^']*' of )?((?:step|integration|shared library) '[^']*') ",
                              problem.message)
            assert named, problem
            if not named.group(1).startswith("shared library"):  # a library runs where its callers run
                assert named.group(1) in agent, problem
