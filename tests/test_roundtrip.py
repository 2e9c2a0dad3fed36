"""Unpack then build: byte-identical on every xMatters export, clean on macOS re-zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import corpus_params

from xmplan._archive import read_plan
from xmplan._cli import main
from xmplan._export import zip_name


def unpack_and_build(zip_path: Path, tmp_path: Path) -> Path:
    tree, out = tmp_path / "tree", tmp_path / "out"
    assert main(["unpack", str(zip_path), str(tree)]) == 0
    assert main(["build", str(tree), "-o", str(out)]) == 0
    return out / zip_name(read_plan(zip_path))


@pytest.mark.parametrize("export", corpus_params("xmatters-export"))
def test_export_rebuilds_byte_identical(export: Path, tmp_path: Path) -> None:
    rebuilt = unpack_and_build(export, tmp_path)
    assert rebuilt.read_bytes() == export.read_bytes()


@pytest.mark.parametrize("export", corpus_params("repacked(macOS)"))
def test_repacked_export_rebuilds_clean(export: Path, tmp_path: Path) -> None:
    rebuilt = unpack_and_build(export, tmp_path)
    with zipfile.ZipFile(rebuilt) as archive:
        names = archive.namelist()
        assert all(info.create_system == 0 and info.flag_bits == 0x0808 for info in archive.infolist())
    assert names[0] == "engine.json"
    assert not [n for n in names if n.endswith("/") or "__MACOSX" in n or ".DS_Store" in n]
    original = {entry.name: entry.data for entry in read_plan(export).entries}
    again = {entry.name: entry.data for entry in read_plan(rebuilt).entries}
    assert again == original
    assert main(["validate", str(rebuilt)]) == 0
    # and building the rebuilt zip once more changes nothing
    assert unpack_and_build(rebuilt, tmp_path / "again").read_bytes() == rebuilt.read_bytes()


def _scripted(row: dict[str, str]) -> bool:
    return int(row["integrations_inbound"] or 0) > 0 and int(row["shared_libraries"] or 0) > 0


@pytest.mark.parametrize("export", corpus_params("xmatters-export", _scripted)[:3])
def test_editing_one_script_changes_only_its_entry(export: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert main(["unpack", str(export), str(tree)]) == 0
    scripts = sorted((tree / "scripts").rglob("*.js"))
    scripts[0].write_text(scripts[0].read_text(encoding="utf-8") + "\n// reviewed\n", encoding="utf-8")
    assert main(["build", str(tree), "-o", str(tmp_path / "out")]) == 0
    before = _entries(export)
    after = _entries(tmp_path / "out" / zip_name(read_plan(export)))
    changed = [name for name in before if before[name] != after[name]]
    assert list(after) == list(before)
    assert len(changed) == 1
    assert "// reviewed" in after[changed[0]].decode("utf-8")


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}
