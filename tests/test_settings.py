"""plan/xmplan.json is checked against its JSON Schema: every problem at once, each at its line and column."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xmplan._errors import SourceError
from xmplan._source import read_settings

SAMPLE = Path(__file__).parent / "samples" / "minimal"
SETTINGS = """{
  "era": "E6",
  "timestamp": 5,
  "compact": ["a", 3],
  "colour": "blue",
  "rules": {"es6-syntax": "off"}
}
"""


def tree_with(tmp_path: Path, settings: str | None) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    if settings is None:
        (tree / "plan" / "xmplan.json").unlink()
    else:
        (tree / "plan" / "xmplan.json").write_text(settings, encoding="utf-8")
    return tree


def test_every_schema_problem_is_reported_where_it_is(tmp_path: Path) -> None:
    tree = tree_with(tmp_path, SETTINGS)
    with pytest.raises(SourceError) as caught:
        read_settings(tree)
    where = f"{tree}/plan/xmplan.json"
    assert [str(p) for p in caught.value.problems] == [
        f"{where}:3:16: error: setting 'timestamp' must be a string",
        f"{where}:4:20: error: setting 'compact' must be a list of strings",  # the 3, not the list
        f"{where}:5:3: error: unknown setting 'colour' (known: era, timestamp, timestamps, canvasOrder, compact, "
        "rules)",
    ]


def test_rule_ids_and_levels_are_checked_against_the_rule_table(tmp_path: Path) -> None:
    tree = tree_with(tmp_path, '{"rules": {"es6-syntax": "loud",\n           "nope": "off"}}')
    with pytest.raises(SourceError) as caught:
        read_settings(tree)
    assert [str(p).split(": error: ")[0].rsplit(":", 2)[1:] for p in caught.value.problems] == [["1", "26"],
                                                                                              ["2", "12"]]
    assert "level must be one of error, warning, off, not 'loud'" in str(caught.value.problems[0])
    assert "unknown rule 'nope'" in str(caught.value.problems[1])  # at the key: the id is what is wrong


def test_good_settings_and_none_at_all_pass(tmp_path: Path) -> None:
    assert read_settings(SAMPLE)["era"] == "E6"
    assert read_settings(tree_with(tmp_path, None)) == {}


def test_a_tree_without_settings_does_not_load_jsonschema(tmp_path: Path) -> None:
    # Loading a tree for `xmplan run` needs no schema otherwise: the check costs nothing without settings.
    tree = tree_with(tmp_path, None)
    script = ("import sys; from xmplan._source import load_plan; load_plan(sys.argv[1]); "
              "print('jsonschema' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script, str(tree)], capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == "False"
