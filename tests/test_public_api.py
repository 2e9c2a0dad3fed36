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
