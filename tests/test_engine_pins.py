"""Canary: the engine internals the bindings patch or call still exist, in the pinned versions (issue #10.9)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from runtime_plans import ENGINES

from xmplan._runtime.engines import _pins

# Run in a clean interpreter: here the patches may have replaced some of these names already.
PROBE = """
import importlib, json, sys
missing = []
for module, path, own in json.loads(sys.argv[1]):
    try:
        found = importlib.import_module(module)
        for part in path.split("."):
            found = getattr(found, part)
        if own and own not in found.own:
            raise AttributeError(own)
    except (ImportError, AttributeError) as err:
        missing.append(f"{module}:{path}{'.' + own if own else ''} ({err})")
print(json.dumps(missing))
"""


def missing(targets: tuple[tuple[str, str, str], ...]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(targets)], capture_output=True, text=True,
                          check=True, timeout=120)
    return list(json.loads(done.stdout))


@pytest.mark.skipif("js2py" not in ENGINES, reason="js2py needs Python <= 3.11")
def test_every_js2py_internal_the_patches_replace_exists():
    assert version("Js2Py") == _pins.JS2PY_VERSION
    assert missing(_pins.JS2PY_PATCHED) == []


def test_every_dukpy_internal_the_binding_calls_exists():
    assert version("dukpy") == _pins.DUKPY_VERSION
    assert missing(_pins.DUKPY_USED) == []


@pytest.mark.skipif("js2py" not in ENGINES, reason="js2py needs Python <= 3.11")
def test_importing_the_js2py_engine_patches_nothing():
    """A user's own js2py in the same process stays as it was until an engine is made."""
    probe = ("import js2py.translators.translating_nodes as t, pyjsparser.parser as p, js2py.base as b;"
             "before = (t.trans, p.ENABLE_JS2PY_ERRORS, b.Js, b.PyJs.__mod__);"
             "import xmplan._runtime.engines.js2py_engine;"
             "print((t.trans, p.ENABLE_JS2PY_ERRORS, b.Js, b.PyJs.__mod__) == before)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "True"


def test_the_pins_are_in_pyproject():
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"js2py=={_pins.JS2PY_VERSION}; ' in text and f'"dukpy=={_pins.DUKPY_VERSION}"' in text
