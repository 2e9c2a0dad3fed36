"""Rule `export-key`: an export zip is held to the keys every real export of its era carries."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CORPUS

from xmplan._archive import read_plan
from xmplan._cli import main
from xmplan._eras import detect_era, plan_era
from xmplan._export import build_tree
from xmplan._model import Json
from xmplan._validate import validate_path
from xmplan._validate.exportkeys import EXPORT_KEYS, required_keys

PROMETHEUS = "xmatters__xm-labs-prometheus__Prometheus__20210712-86e7b8c8.zip"  # 1.9, 2021: era E6
TEAMCITY = "kapgarxmatters__TeamCity__TeamCity.zip"  # 1.7, 2017: era E2
BENCH = Path(__file__).resolve().parents[1] / "bench" / "export_keys.py"


def corpus_zip(name: str) -> Path:
    if not (CORPUS / name).is_file():
        pytest.skip("the corpus in ../shared is not available")
    return CORPUS / name


def edited(source: Path, target: Path, entry_prefix: str, change: Callable[[Json], None]) -> Path:
    """A copy of an export with the first entry starting with `entry_prefix` changed (timestamps kept)."""
    done = False
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if not done and info.filename.startswith(entry_prefix):
                document = json.loads(data)
                change(document)
                data = json.dumps(document, indent=2).encode("utf-8")
                done = True
            new.writestr(zipfile.ZipInfo(info.filename, info.date_time), data)
    assert done
    return target


def export_key_lines(path: Path) -> list[str]:
    return [str(p) for p in validate_path(path, {}) if p.rule == "export-key"]


@pytest.mark.corpus
def test_a_form_without_its_uuid_is_an_error_naming_the_entry_and_the_key(tmp_path: Path) -> None:
    broken = edited(corpus_zip(PROMETHEUS), tmp_path / "plan.zip", "forms/", lambda form: form.pop("uuid"))
    out = io.StringIO()
    assert main(["validate", str(broken)], out=out, err=out) == 1
    assert export_key_lines(broken) == [
        f"{broken}/forms/NewAlert/171474.json:1:1: error: / lacks 'uuid': every export of era E6 "
        "(1.9, exported 2020-05-20 or later) has it there [export-key]"]


@pytest.mark.corpus
def test_nested_objects_are_held_to_their_keys_too(tmp_path: Path) -> None:
    def strip(form: Json) -> None:
        del form["responses"][0]["id"]
        del form["layoutSections"][0]["panelSectionUuid"]

    broken = edited(corpus_zip(PROMETHEUS), tmp_path / "plan.zip", "forms/", strip)
    lines = export_key_lines(broken)
    assert len(lines) == 2
    assert re.search(r"/forms/NewAlert/171474\.json:\d+:\d+: error: /layoutSections/0 lacks 'panelSectionUuid'",
                     lines[0])
    assert re.search(r"/forms/NewAlert/171474\.json:\d+:\d+: error: /responses/0 lacks 'id'", lines[1])


@pytest.mark.corpus
def test_an_older_era_is_held_to_its_own_keys(tmp_path: Path) -> None:
    # A 1.7 export has no response ids or section uuids: leaving them out is no problem there ...
    assert export_key_lines(corpus_zip(TEAMCITY)) == []
    # ... but every 1.7 export's form says whether it is enabled for mobile.
    broken = edited(corpus_zip(TEAMCITY), tmp_path / "plan.zip", "forms/", lambda form: form.pop("isMobileEnabled"))
    assert [line.split(": error: ")[1] for line in export_key_lines(broken)] == [
        "/ lacks 'isMobileEnabled': every export of era E2 (engine 1.7) has it there [export-key]"]


@pytest.mark.corpus
def test_a_source_tree_may_leave_ids_out_for_the_build(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert main(["unpack", str(corpus_zip(PROMETHEUS)), str(tree)], out=io.StringIO()) == 0
    form = next((tree / "plan" / "forms").glob("*/*.json"))
    document = json.loads(form.read_text("utf-8"))
    del document["uuid"]
    form.write_text(json.dumps(document, indent=2), "utf-8")
    problems = validate_path(tree, {})
    assert [p for p in problems if p.severity == "error"] == []


def test_each_era_carries_the_keys_of_the_eras_before() -> None:
    for path in EXPORT_KEYS:
        for earlier, later in zip(("E1", "E2", "E3", "E4", "E5"), ("E2", "E3", "E4", "E5", "E6"), strict=True):
            assert set(required_keys(earlier).get(path, ())) <= set(required_keys(later).get(path, ()))
    assert "uuid" in required_keys("E1")["form"]
    assert "uuid" not in required_keys("E4")["properties[]"] and "uuid" in required_keys("E5")["properties[]"]
    assert detect_era("1.9", (2021, 7, 12, 22, 6, 52)) == "E6"


@pytest.mark.corpus
def test_the_table_is_what_the_corpus_gives(capsys: pytest.CaptureFixture[str]) -> None:
    """The committed table is bench/export_keys.py's output on the corpus (run it again when the corpus grows)."""
    corpus_zip(PROMETHEUS)
    spec = importlib.util.spec_from_file_location("export_keys", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main([str(CORPUS)]) == 0
    printed: dict[str, dict[str, str]] = {}
    exec(capsys.readouterr().out, {}, printed)  # the printed table is the Python of the committed one
    assert printed["EXPORT_KEYS"] == EXPORT_KEYS


@pytest.mark.parametrize("era", ["E1", "E2", "E3", "E4", "E5", "E6"])
def test_a_hand_written_plan_builds_to_what_exports_of_its_era_carry(era: str, tmp_path: Path) -> None:
    """The build fills each era's keys, and a tree without a timestamp gets one its era's exports have."""
    tree = tmp_path / "tree"
    shutil.copytree(Path(__file__).parent / "samples" / "minimal", tree)
    (tree / "plan" / "xmplan.json").write_text(json.dumps({"era": era}), "utf-8")
    built = build_tree(tree, tmp_path / "dist")
    assert [str(p) for p in validate_path(built, {}) if p.severity == "error"] == []
    assert plan_era(read_plan(built)) == era
