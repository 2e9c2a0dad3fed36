"""`python build.py`'s start-up (issue #15): no argparse without arguments, and the modules and regular
expressions the flagship build does not need left unloaded."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from xmplan._lazy_re import lazy

ROOT = Path(__file__).resolve().parents[1]
# What the flagship build does not use: argparse (and the gettext and locale it loads), the command
# line, zip reading, anything of Flow Designer's (the plan has no flow and no custom step), a traceback
# module (only a failing template needs one), and every module test_imports forbids `build`.
NOT_FOR_THE_BUILD = ("argparse", "gettext", "locale", "traceback", "xmplan._cli", "xmplan._archive",
                     "xmplan._flows", "tree_sitter", "esprima", "xmplan._runtime",
                     "flask", "werkzeug", "waitress", "xmplan._web", "xmplan._serve")
# The dataclasses the flagship build defines: the model's records and the two tables' rows. Python
# 3.11 compiles each generated method from source, about 3.5 M instructions a frozen class; helpers
# that are state (the tree reader), services (the locator) or exceptions are plain classes.
BUILD_DATACLASSES = ["xmplan._documents.Kind", "xmplan._errors.Location", "xmplan._errors.Problem",
                     "xmplan._hipchat.descriptor.DescriptorOptions", "xmplan._model.Entry", "xmplan._model.Plan",
                     "xmplan._rules.Rule"]
_PROBE = """
import json, runpy, sys
sys.argv = [sys.argv[1]]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exc:
    code = exc.code
from xmplan._lazy_re import _Lazy
lazy = {f"{name}.{attr}": sorted(vars(value)) for name, module in list(sys.modules.items())
        if name.startswith("xmplan") for attr, value in vars(module).items() if isinstance(value, _Lazy)}
records = sorted(f"{name}.{attr}" for name, module in list(sys.modules.items()) if name.startswith("xmplan")
                 for attr, value in vars(module).items()
                 if isinstance(value, type) and "__dataclass_fields__" in vars(value) and value.__module__ == name)
print(json.dumps({"code": code, "modules": sorted(sys.modules), "lazy": lazy, "dataclasses": records}))
"""


@pytest.fixture(scope="module")
def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("xmplan_build_start", ROOT / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_arguments_mean_what_argparse_makes_of_none(build_script: ModuleType) -> None:
    assert build_script.parse([]) == ("dist", [])  # what main() takes without a parser


def test_argparse_still_answers_help_and_usage_errors(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--set", "novalue"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip().endswith("--set expects KEY=VALUE, got 'novalue'")
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "--output" in done.stdout and not (tmp_path / "dist").exists()


def test_the_flagship_build_loads_only_what_it_uses(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT / "build.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=True)
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["code"] in (0, None) and (tmp_path / "dist" / "HipChatInvitetoRoom.zip").is_file()
    modules = set(found["modules"])
    assert {"xmplan._export", "xmplan._zipwrite", "xmplan._validate.wiring", "jinja2"} <= modules
    assert sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in NOT_FOR_THE_BUILD)) == []
    assert found["dataclasses"] == BUILD_DATACLASSES
    # Regular expressions only a problem, a script check or a secret check uses stay uncompiled.
    untouched = [name for name, attrs in found["lazy"].items() if attrs == ["_source"]]
    for name in ("xmplan._errors._UNPRINTABLE", "xmplan._secrets._PLACEHOLDER", "xmplan._secrets._SCHEME",
                 "xmplan._secrets._URL", "xmplan._names.PLACEHOLDER",
                 "xmplan._jsonpos._STRING", "xmplan._templates._FORMAT_WIDTH", "xmplan._validate.wiring._OWN"):
        assert name in untouched
    assert len(untouched) >= 25


def test_a_lazy_pattern_compiles_on_first_use_and_then_is_the_pattern_itself() -> None:
    pattern = lazy(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    assert vars(pattern) == {"_source": (r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)}
    compiled = re.compile(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    match = pattern.search("x AB-12 y")
    assert match is not None and match.group("word", 2) == ("AB", "12")
    assert pattern.sub("_", "ab-1 cd-2") == "_ _" and pattern.findall("ab-1") == [("ab", "1")]
    assert (pattern.pattern, pattern.flags, pattern.groupindex) == (compiled.pattern, compiled.flags,
                                                                    compiled.groupindex)
    assert pattern.search.__self__ is pattern.sub.__self__  # one compiled pattern, its own C methods
    assert "lazy('(?P<word>" in repr(pattern)
