"""Wrongly typed source values give problems, never a traceback: every value of the sample, corrupted."""

from __future__ import annotations

import json
import random
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xmplan._cli import main

SAMPLE = Path(__file__).parent / "samples" / "minimal"
DOCUMENTS = ["plan/forms/Alert/form.json", "plan/properties/properties.json", "plan/xmplan.json"]
WRONG = [5, "x", None, [], {}, [1]]


def paths(value: Any, here: tuple = ()) -> Iterator[tuple]:
    yield here
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from paths(child, (*here, key))


def corrupted(document: Any, path: tuple, wrong: Any) -> Any:
    if not path:
        return wrong
    copy = json.loads(json.dumps(document))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = wrong
    return copy


CASES = [(doc, path) for doc in DOCUMENTS for path in paths(json.loads((SAMPLE / doc).read_text()))]


@pytest.mark.parametrize("document, path", CASES, ids=[f"{d.split('/')[-1]}:{'/'.join(map(str, p))}" for d, p in CASES])
def test_corrupted_value_is_a_problem_not_a_crash(document: str, path: tuple, tmp_path: Path, capsys) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    original = json.loads((tree / document).read_text())
    for wrong in WRONG:
        (tree / document).write_text(json.dumps(corrupted(original, path, wrong)))
        assert main(["build", str(tree), "-o", str(tmp_path / "out")]) in (0, 1)
        assert main(["validate", str(tree)]) in (0, 1)
        err = capsys.readouterr().err
        assert all(": error: " in line for line in err.splitlines()), err


def built_documents() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        assert main(["build", str(SAMPLE), "-o", out]) == 0
        with zipfile.ZipFile(next(Path(out).glob("*.zip"))) as archive:
            return {name: json.loads(archive.read(name)) for name in archive.namelist()}


EXPORT = built_documents()
EXPORT_CASES = [(name, path) for name in EXPORT if name.startswith(("forms/", "integrations/"))
                for path in paths(EXPORT[name]) if len(path) <= 5]


@pytest.mark.parametrize("entry, path", EXPORT_CASES,
                         ids=[f"{e.split('/')[-1]}:{'/'.join(map(str, p))}" for e, p in EXPORT_CASES])
def test_corrupted_export_value_is_a_problem_not_a_crash(entry: str, path: tuple, tmp_path: Path, capsys) -> None:
    """Exports come from anywhere: unpack and rebuild whatever JSON an entry holds."""
    for number, wrong in enumerate(WRONG):
        export = tmp_path / f"{number}.zip"
        with zipfile.ZipFile(export, "w") as archive:
            for name, document in EXPORT.items():
                archive.writestr(name, json.dumps(corrupted(document, path, wrong) if name == entry else document))
        tree = tmp_path / f"tree{number}"
        assert main(["unpack", str(export), str(tree)]) in (0, 1)
        if tree.exists():
            assert main(["build", str(tree), "-o", str(tmp_path / f"out{number}")]) in (0, 1)
        assert all(": error: " in line for line in capsys.readouterr().err.splitlines())


# --- hostile values (issue #8): deep JSON, huge numbers, control characters ---------------------

DEEP = "[" * 400 + "]" * 400  # parses (orjson reads 1024 levels), then every walk over it recursed too far
HUGE = "9" * 5000  # int() refuses more than 4300 digits
HOSTILE = [DEEP, HUGE, "-" + HUGE + "e999", '"line\\nforged: error: x\\u001b[2K"', "1e400"]
_LINE = re.compile(r"^\S.*: (error|warning): .*$")
_SUMMARY = re.compile(r"^(\S.*: \d+ error\(s\), \d+ warning\(s\)|built \S+\.zip|unpacked \S+ into \S+ \(\d+ files\))$")


def hostile_texts(document: Any, rnd: random.Random, count: int) -> Iterator[str]:
    """The JSON text of `document` with a hostile value at `count` random places."""
    places = list(paths(document))
    for _ in range(count):
        path = rnd.choice(places)
        marker = "__HOSTILE__"
        yield json.dumps(corrupted(document, path, marker)).replace(f'"{marker}"', rnd.choice(HOSTILE), 1)


def one_problem_per_line(text: str) -> bool:
    """Every line is a problem (`file: error: ...`), a summary or a `built`/`unpacked` line: none forged."""
    return all(_LINE.match(line) or _SUMMARY.match(line) for line in text.splitlines())


def test_hostile_values_in_a_source_tree_give_located_lines(tmp_path: Path, capsys) -> None:
    rnd = random.Random(8)
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    for document in DOCUMENTS:
        original = (tree / document).read_text()
        for text in hostile_texts(json.loads(original), rnd, 6):
            (tree / document).write_text(text)
            assert main(["build", str(tree), "-o", str(tmp_path / "out")]) in (0, 1)
            assert main(["validate", str(tree)]) in (0, 1)
            captured = capsys.readouterr()
            assert one_problem_per_line(captured.err) and one_problem_per_line(captured.out), captured
        (tree / document).write_text(original)


def test_hostile_values_in_an_export_give_located_lines(tmp_path: Path, capsys) -> None:
    rnd = random.Random(80)
    for number, name in enumerate(sorted(EXPORT) * 3):
        export = tmp_path / f"{number}.zip"
        text = next(hostile_texts(EXPORT[name], rnd, 1))
        with zipfile.ZipFile(export, "w") as archive:
            for entry, document in EXPORT.items():
                archive.writestr(entry, text if entry == name else json.dumps(document))
        assert main(["unpack", str(export), str(tmp_path / f"tree{number}")]) in (0, 1)
        assert main(["validate", str(export)]) in (0, 1)
        captured = capsys.readouterr()
        assert one_problem_per_line(captured.err), captured.err


def test_random_symlinks_never_bring_outside_files_in(tmp_path: Path, capsys) -> None:
    """Symlinks anywhere under plan/ and scripts/, to files and folders inside and outside the tree."""
    rnd = random.Random(3)
    secret = tmp_path / "outside" / "secret.json"
    secret.parent.mkdir()
    secret.write_text('{"name": "s3cret-marker"}')
    targets = [str(secret), str(secret.parent), "/etc/passwd", "missing", "../properties", "..", "."]
    for case in range(12):
        tree = tmp_path / f"tree{case}"
        shutil.copytree(SAMPLE, tree)
        folders = sorted({p.parent for p in tree.rglob("*") if p.is_file()})
        for _ in range(rnd.randint(1, 3)):
            link = rnd.choice(folders) / rnd.choice(["x.json", "canvases", "form.json", "extra.js", "sms.en.txt"])
            if not link.exists() and not link.is_symlink():
                link.symlink_to(rnd.choice(targets))
        out = tmp_path / f"out{case}"
        assert main(["build", str(tree), "-o", str(out)]) in (0, 1)
        assert main(["validate", str(tree)]) in (0, 1)
        captured = capsys.readouterr()
        assert one_problem_per_line(captured.err), captured.err
        for built in out.glob("*.zip"):
            with zipfile.ZipFile(built) as archive:
                assert not any(b"s3cret-marker" in archive.read(n) or b"root:" in archive.read(n)
                               for n in archive.namelist())
