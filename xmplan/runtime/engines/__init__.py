"""Pick a JavaScript engine: js2py where it imports (Python <= 3.11), QuickJS (dukpy) elsewhere."""

from __future__ import annotations

import importlib.util
import sys

from xmplan.errors import SetupError
from xmplan.runtime.engine import Engine

ENGINE_NAMES = ("js2py", "quickjs")

_engines: dict[str, Engine] = {}


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def available_engines() -> list[str]:
    """The engines that can run here, default first."""
    found = []
    # js2py 0.74 rewrites bytecode that changed in 3.12, so it only imports on 3.11 and older.
    if sys.version_info < (3, 12) and _importable("js2py"):
        found.append("js2py")
    if _importable("dukpy"):
        found.append("quickjs")
    return found


def get_engine(name: str | None = None) -> Engine:
    """The named engine (`js2py`, `quickjs`), or the default one; one shared instance per name.

    Instances are shared so that compiled scripts stay cached between runs; every run still
    gets a fresh global context.
    """
    available = available_engines()
    if name is None:
        if not available:
            raise SetupError("no JavaScript engine installed: pip install dukpy")
        name = available[0]
    if name not in ENGINE_NAMES:
        raise SetupError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if name not in available:
        hint = "js2py needs Python 3.11 or older" if name == "js2py" else "pip install dukpy"
        raise SetupError(f"engine {name!r} is not available here ({hint})")
    if name not in _engines:
        _engines[name] = _create(name)
    return _engines[name]


def _create(name: str) -> Engine:
    if name == "js2py":
        from xmplan.runtime.engines.js2py_engine import Js2pyEngine

        return Js2pyEngine()
    from xmplan.runtime.engines.quickjs_engine import QuickJSEngine

    return QuickJSEngine()
