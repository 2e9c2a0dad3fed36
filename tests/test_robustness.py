"""Wrongly typed source values give problems, never a traceback: every value of the sample, corrupted."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from xmplan.cli import main

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
        assert "Traceback" not in err


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
        assert "Traceback" not in capsys.readouterr().err
