"""Hostile input (issue #8): every case folder in tests/hostile_cases/ runs and gives its exact error.

See tests/hostile_cases/README.md for the shape of a case.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xmplan._cli import main

CASES = Path(__file__).parent / "hostile_cases"
SAMPLES = Path(__file__).parent / "samples"
_COMPRESSION = {"deflated": zipfile.ZIP_DEFLATED, "stored": zipfile.ZIP_STORED, "bzip2": zipfile.ZIP_BZIP2,
                "lzma": zipfile.ZIP_LZMA}


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "case.json").is_file())


def sample_entries(name: str, work: Path) -> list[dict[str, Any]]:
    """The entries of a sample source tree, built (what an export of it would hold)."""
    out = work / f"sample-{name}"
    assert main(["build", str(SAMPLES / name), "-o", str(out)]) == 0
    with zipfile.ZipFile(next(out.glob("*.zip"))) as archive:
        return [{"name": info.filename, "bytes": archive.read(info)} for info in archive.infolist()]


def entry_data(entry: dict[str, Any], folder: Path) -> bytes:
    if "bytes" in entry:
        return bytes(entry["bytes"])
    if "file" in entry:
        return (folder / str(entry["file"])).read_bytes()
    if "repeat" in entry:
        return str(entry["repeat"]).encode("utf-8") * int(entry["times"])
    return str(entry.get("text", "")).encode("utf-8")


def make_zip(spec: dict[str, Any], folder: Path, work: Path, target: Path) -> None:
    """Write the zip a case describes: its entries, then the lies told in their headers."""
    entries = sample_entries(spec["base"], work) if "base" in spec else []
    entries += spec.get("entries", [])
    with zipfile.ZipFile(target, "w") as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry["name"], (2021, 1, 1, 0, 0, 0))
            info.compress_type = _COMPRESSION[entry.get("compress", "deflated")]
            archive.writestr(info, entry_data(entry, folder))
    data = bytearray(target.read_bytes())
    for entry in entries:
        name = entry["name"].encode("utf-8")
        if "declare_size" in entry:
            _patch(data, name, entry["declare_size"])
        if entry.get("encrypted"):  # marked so in both headers (the data is not: nothing may try to read it)
            for at, kind in _headers(data, name):
                flags_at = at + (6 if kind == "local" else 8)
                struct.pack_into("<H", data, flags_at, struct.unpack_from("<H", data, flags_at)[0] | 0x1)
        if entry.get("corrupt"):
            at = _data_offset(data, name)
            data[at + 10: at + 30] = bytes(20)  # past bzip2's stream header: a damaged block
    target.write_bytes(bytes(data))


def _headers(data: bytearray, name: bytes) -> Iterator[tuple[int, str]]:
    """(offset, kind) of every local and central header naming `name`."""
    layouts = ((b"PK\x03\x04", "local", 26, 30), (b"PK\x01\x02", "central", 28, 46))
    for signature, kind, name_length_at, name_at in layouts:
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_length_at)[0]
            if bytes(data[at + name_at: at + name_at + length]) == name:
                yield at, kind
            at = data.find(signature, at + 4)


def _patch(data: bytearray, name: bytes, size: int) -> None:
    for at, kind in _headers(data, name):
        struct.pack_into("<I", data, at + (22 if kind == "local" else 24), size)


def _data_offset(data: bytearray, name: bytes) -> int:
    for at, kind in _headers(data, name):
        if kind == "local":
            name_length, extra_length = struct.unpack_from("<HH", data, at + 26)
            return at + 30 + int(name_length) + int(extra_length)
    raise AssertionError(f"no entry {name!r}")


def snapshot(root: Path) -> dict[str, Any]:
    """Every path under `root` with what it is: file bytes, link target, or a folder (links not followed)."""
    if not os.path.lexists(root):
        return {}
    found: dict[str, Any] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                found[relative] = ("dir", oct(path.stat().st_mode & 0o777))
            else:
                found[relative] = ("file", path.read_bytes())
    return found


@pytest.mark.parametrize("case", case_names())
def test_hostile_case(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = CASES / case
    spec = json.loads((folder / "case.json").read_text("utf-8"))
    places = {"{case}": str(folder), "{dir}": str(tmp_path / "dir"), "{zip}": str(tmp_path / "case.zip"),
              "{out}": str(tmp_path / "out"), "{outside}": str(tmp_path / "outside")}

    def fill(text: str) -> str:
        for key, value in places.items():
            text = text.replace(key, value)
        return text

    work = tmp_path / "work"
    work.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    for name, text in spec.get("outside", {}).items():
        (outside / name).parent.mkdir(parents=True, exist_ok=True)
        (outside / name).write_text(text, encoding="utf-8")
    target = tmp_path / "dir"
    if "sample" in spec:
        shutil.copytree(SAMPLES / spec["sample"], target)
    if (folder / "tree").is_dir():
        shutil.copytree(folder / "tree", target, dirs_exist_ok=True)
    for name, text in spec.get("files", {}).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text, encoding="utf-8")
    for link, pointee in spec.get("links", {}).items():
        (target / link).parent.mkdir(parents=True, exist_ok=True)
        if (target / link).is_dir() and not (target / link).is_symlink():
            shutil.rmtree(target / link)  # the link stands in for a folder of the sample
        elif os.path.lexists(target / link):
            os.unlink(target / link)  # ... or for a file
        os.symlink(fill(pointee), target / link)
    if "zip" in spec:
        make_zip(spec["zip"], folder, work, tmp_path / "case.zip")
    for dotted, value in spec.get("limits", {}).items():
        module, _, name = dotted.rpartition(".")
        monkeypatch.setattr(importlib.import_module(module), name, value)
    before = snapshot(target), snapshot(outside)
    old_mask = os.umask(0o022)
    out, err = io.StringIO(), io.StringIO()
    tracemalloc.start() if "max_memory" in spec else None
    started = time.monotonic()
    try:
        code = main([fill(arg) for arg in spec["command"]], out=out, err=err)
    finally:
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else 0
        tracemalloc.stop()
        os.umask(old_mask)
    expected = fill((folder / "expected.txt").read_text("utf-8"))
    assert out.getvalue() + err.getvalue() == expected
    assert code == spec.get("exit", 1)
    if spec.get("unchanged"):
        assert (snapshot(target), snapshot(outside)) == before
    assert snapshot(outside) == before[1]  # nothing outside the tree is ever written
    for relative in spec.get("absent", []):
        assert not os.path.lexists(target / relative), relative
    for relative, mode in spec.get("modes", {}).items():
        assert oct((target / relative).stat().st_mode & 0o777) == mode, relative
    if "max_memory" in spec:
        assert peak < spec["max_memory"], f"peak {peak} bytes"
    if "max_seconds" in spec:
        assert seconds < spec["max_seconds"], f"{seconds:.1f} s"


@pytest.mark.parametrize("failing_call", [1, 3, 6, 9, 14])
def test_a_failure_while_swapping_puts_everything_back(failing_call: int, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """#8.10: the swap of `unpack --force` is undone when a rename fails halfway (a full disk, a lock)."""
    entries = sample_entries("minimal", tmp_path)
    export = tmp_path / "export.zip"
    make_zip({"entries": entries}, tmp_path, tmp_path, export)
    tree = tmp_path / "tree"
    assert main(["unpack", str(export), str(tree)]) == 0
    # edits all along the sorted order, so that any failing rename comes after some file was replaced
    for path, text in ((".gitattributes", "* -text\n"), ("plan/engine.json", '{"name": "edited"}'),
                       ("plan/properties/properties.json", "[]"),
                       ("scripts/integrations/Inbound Alert.js", "// edited\n"), ("plan/forms/Old/form.json", "{}"),
                       ("scripts/integrations/Old.js", "old")):
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text)
    before = snapshot(tree)
    real_replace = os.replace
    calls = 0

    def replace(source: object, target: object) -> None:
        nonlocal calls
        calls += 1
        if calls == failing_call:
            raise OSError(28, "No space left on device", str(target))
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    err = io.StringIO()
    assert main(["unpack", "--force", str(export), str(tree)], out=io.StringIO(), err=err) == 1
    monkeypatch.undo()
    assert snapshot(tree) == before
    assert ".tmp" not in err.getvalue() and err.getvalue().count("\n") == 1, err.getvalue()
    assert main(["unpack", "--force", str(export), str(tree)], out=io.StringIO()) == 0  # and it works once it can
    assert (tree / "scripts/integrations/Inbound Alert.js").read_text() != "// edited\n"
    assert not (tree / "plan/forms/Old").exists()
