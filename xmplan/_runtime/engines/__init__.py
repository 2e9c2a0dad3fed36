"""Pick a JavaScript engine: js2py where it imports (Python <= 3.11), QuickJS (dukpy) elsewhere.

`get_engine` gives the engine every runtime uses: it runs scripts in worker processes
(`xmplan._runtime.pool`). `in_process` gives the engine itself, running in this process, for the
workers and for measuring what the workers cost.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

from xmplan._errors import SetupError
from xmplan._runtime.engine import Engine, HostFunction, Script

ENGINE_NAMES = ("js2py", "quickjs")

_engines: dict[str, PooledEngine] = {}


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


def _checked(name: str | None) -> str:
    available = available_engines()
    if name is None:
        if not available:
            raise SetupError("no JavaScript engine installed: pip install dukpy")
        return available[0]
    if name not in ENGINE_NAMES:
        raise SetupError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if name not in available:
        hint = "js2py needs Python 3.11 or older" if name == "js2py" else "pip install dukpy"
        raise SetupError(f"engine {name!r} is not available here ({hint})")
    return name


class PooledEngine:
    """An engine that runs each run in a worker process of a pool (the default pool unless given one)."""

    def __init__(self, name: str, pool: object | None = None, memory_limit: int | None = None) -> None:
        from xmplan._runtime import pool as pools

        self.name = name
        self.pool = pool if isinstance(pool, pools.WorkerPool) else None
        self.memory_limit = pools.DEFAULT_MEMORY_LIMIT if memory_limit is None else memory_limit

    def run(self, scripts: Sequence[Script], host: HostFunction, *, time_limit: float) -> None:
        from xmplan._runtime import pool as pools

        chosen = self.pool or pools.default_pool()
        chosen.run(self.name, scripts, host, time_limit=time_limit, memory_limit=self.memory_limit)


def get_engine(name: str | None = None) -> Engine:
    """The named engine (`js2py`, `quickjs`), or the default one, running in the default worker pool."""
    name = _checked(name)
    if name not in _engines:
        _engines[name] = PooledEngine(name)
    return _engines[name]


def in_process(name: str) -> Engine:
    """A new instance of the engine itself, running scripts in this process (no worker)."""
    return made(_checked(name))


def made(name: str) -> Engine:
    """A new instance of the engine `name`, unchecked: a worker is told only names its runtime checked
    (and finding out whether a package is installed costs it importlib.util; importing it tells anyway)."""
    if name == "js2py":
        from xmplan._runtime.engines.js2py_engine import Js2pyEngine

        return Js2pyEngine()
    from xmplan._runtime.engines.quickjs_engine import QuickJSEngine

    return QuickJSEngine()
