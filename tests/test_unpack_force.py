"""`xmplan unpack --force` writes over the same plan only; `--other-plan` lets it replace another (issue 9.14)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS

from xmplan._cli import main
from xmplan._export import plan_zip
from xmplan._model import Entry, Plan
from xmplan._sameplan import Identity

SAMPLE = Path(__file__).parent / "samples" / "minimal"
# Two exports of one plan that the plan's owner renamed in between: the ids stayed.
PHONE = "m3steele__xm-labs-xMatters-By-Phone-v2__xMattersPlan_InitiateEventviaPhoneCallv2__"
RENAMED = (CORPUS / f"{PHONE}20210429-568dab05.zip", CORPUS / f"{PHONE}20210503-6034d62b.zip")


def export(tmp_path: Path, name: str, form_uuid: str, file: str | None = None) -> Path:
    engine = {"version": "1.9", "name": name, "description": "", "isActive": True, "order": 0}
    form = {"name": "Alert", "uuid": form_uuid}
    plan = Plan((Entry("engine.json", engine), Entry("properties/properties.json", []),
                 Entry("forms/Alert/100001.json", form),
                 Entry("integrations/integrations.json", {"integrations": [], "endpoints": [], "constants": []})))
    path = tmp_path / (file or f"{name}.zip")
    path.write_bytes(plan_zip(plan))
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


FIRST = "f0000000-3333-4ccc-8ccc-000000000001"
OTHER = "f0000000-3333-4ccc-8ccc-000000000002"


def test_a_newer_export_of_the_same_plan_is_written(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert main(["unpack", str(export(tmp_path, "Ops", FIRST)), str(tree)]) == 0
    same_name = export(tmp_path, "Ops", OTHER, "newer.zip")  # the form was made anew: the name is the same
    assert main(["unpack", "--force", str(same_name), str(tree)]) == 0
    renamed = export(tmp_path, "Ops (renamed)", OTHER, "renamed.zip")  # the ids are the same
    assert main(["unpack", "--force", str(renamed), str(tree)]) == 0
    assert '"name": "Ops (renamed)"' in (tree / "plan" / "engine.json").read_text(encoding="utf-8")


def test_another_plan_is_refused_in_one_line_with_nothing_written(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    tree = tmp_path / "tree"
    assert main(["unpack", str(export(tmp_path, "Ops", FIRST)), str(tree)]) == 0
    (tree / "notes.md").write_text("mine", encoding="utf-8")
    before = snapshot(tree)
    capsys.readouterr()
    assert main(["unpack", "--force", str(export(tmp_path, "Billing", OTHER)), str(tree)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"{tree}: error: holds plan 'Ops', not 'Billing', and none of its forms or integrations: "
                            "unpack --force writes over the same plan only (add --other-plan to write over it "
                            "anyway)\n")
    assert snapshot(tree) == before
    assert sorted(p.name for p in tree.iterdir() if p.name.startswith(".")) == [".gitattributes"]


def test_other_plan_writes_over_another_plan(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert main(["unpack", str(export(tmp_path, "Ops", FIRST)), str(tree)]) == 0
    assert main(["unpack", "--force", "--other-plan", str(export(tmp_path, "Billing", OTHER)), str(tree)]) == 0
    assert '"name": "Billing"' in (tree / "plan" / "engine.json").read_text(encoding="utf-8")


def test_other_plan_goes_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unpack", "--other-plan", str(export(tmp_path, "Ops", FIRST)), str(tmp_path / "tree")]) == 2
    assert capsys.readouterr().err == "xmplan: error: --other-plan goes with --force\n"
    assert not (tmp_path / "tree").exists()


def test_a_folder_without_a_plan_is_written_into(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "README.md").write_text("# ops\n", encoding="utf-8")
    assert main(["unpack", "--force", str(export(tmp_path, "Ops", FIRST)), str(tmp_path / "repo")]) == 0
    assert (tmp_path / "repo" / "README.md").read_text(encoding="utf-8") == "# ops\n"


def test_a_tree_that_cannot_be_read_is_refused_unless_other_plan(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    tree = tmp_path / "tree"
    assert main(["unpack", str(export(tmp_path, "Ops", FIRST)), str(tree)]) == 0
    (tree / "plan" / "xmplan.json").write_text('{"era": "E9"}', encoding="utf-8")
    capsys.readouterr()
    assert main(["unpack", "--force", str(export(tmp_path, "Ops", FIRST)), str(tree)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "cannot tell which plan this tree holds (unknown era 'E9'" in err[0]
    assert "--other-plan" in err[0]
    assert main(["unpack", "--force", "--other-plan", str(export(tmp_path, "Ops", FIRST)), str(tree)]) == 0


def test_a_hand_written_tree_is_the_plan_it_builds(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    assert main(["build", str(tree), "-o", str(tmp_path / "out")]) == 0
    (built,) = (tmp_path / "out").glob("*.zip")
    assert main(["unpack", "--force", str(built), str(tree)]) == 0
    assert main(["unpack", "--force", str(export(tmp_path, "Another", OTHER)), str(tree)]) == 1


@pytest.mark.skipif(not all(path.is_file() for path in RENAMED), reason="../shared/corpus/plans is not here")
def test_a_renamed_corpus_plan_is_the_same_plan(tmp_path: Path) -> None:
    assert main(["unpack", str(RENAMED[0]), str(tmp_path / "tree")]) == 0
    assert main(["unpack", "--force", str(RENAMED[1]), str(tmp_path / "tree")]) == 0


def test_the_identity_of_odd_documents_is_what_can_be_read() -> None:
    plan = Plan((Entry("engine.json", ["not", "an", "object"]), Entry("forms/A/1.json", {"uuid": ["x"]}),
                 Entry("integrations/integrations.json", {"integrations": [{"id": "i-1"}, 7]})))
    assert Identity.of(plan) == Identity("", frozenset({"i-1"}))
    assert Identity.of(Plan((Entry("integrations/integrations.json", 5),))) == Identity("", frozenset())
