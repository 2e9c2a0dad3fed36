"""What `import xmplan` offers: every name the docs use, each resolving, none importing the runtime early."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import xmplan

ROOT = Path(__file__).resolve().parents[1]


def test_every_exported_name_resolves_and_all_is_complete() -> None:
    for name in xmplan.__all__:
        assert getattr(xmplan, name) is not None, name
    assert sorted(dir(xmplan)) == sorted(xmplan.__all__)
    assert xmplan.Runtime.__module__ == "xmplan._runtime.api" and xmplan.load_plan.__module__ == "xmplan._source"


def test_the_names_the_docs_import_from_xmplan_exist() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    for names in re.findall(r"^from xmplan import (.+)$", docs, flags=re.M):
        for name in names.split(","):
            assert name.strip() in xmplan.__all__, name


def test_import_xmplan_loads_nothing_heavy() -> None:
    script = "import sys, xmplan; print(' '.join(m for m in sys.modules if m.startswith('xmplan')))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["xmplan"]


def test_the_docs_and_build_py_import_only_public_names() -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", ROOT / "build.py",
                                                              *(ROOT / "docs").glob("*.md")]}
    private = {name: re.findall(r"^\s*(?:from|import) xmplan\._\S+", text, flags=re.M) for name, text in texts.items()}
    assert {name: found for name, found in private.items() if found} == {}
    assert "from xmplan import" in texts["build.py"]  # the pattern above does match an import there


def test_the_users_docs_name_no_private_module() -> None:
    # serve.md and standin.md have a paragraph for xmplan's own tests, which says the modules are internal
    texts = {p.name: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", ROOT / "docs" / "runtime.md",
                                                              ROOT / "docs" / "rules.md", ROOT / "docs" / "hipchat.md"]}
    assert {name: re.findall(r"xmplan\._\w+", text) for name, text in texts.items()} == dict.fromkeys(texts, [])


def test_every_module_of_the_package_is_private() -> None:
    # A new module is internal unless exported from xmplan/__init__.py: its name says so.
    public = {p.name for p in (ROOT / "xmplan").iterdir()
              if (p.suffix == ".py" or (p / "__init__.py").exists()) and not p.name.startswith("_")}
    assert public == set()


def test_load_source_and_load_plan_take_a_path_as_text() -> None:
    assert xmplan.load_source(str(ROOT)) == xmplan.load_plan(str(ROOT)) == xmplan.load_source(ROOT)
