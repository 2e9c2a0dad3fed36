"""How a script worker process starts: its command (interpreter flags, import path) and its environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_INHERITED = ("PATH", "HOME", "TMPDIR", "TZ", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "XMPLAN_CACHE_DIR",
              "XMPLAN_CACHE_KEY", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XMPLAN_WORKER_NICENESS")
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


def environment() -> dict[str, str]:
    """What a worker inherits: no tokens or other secrets of the caller's environment."""
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    env.update({key: str(Path(env[key]).absolute()) for key in ("XMPLAN_CACHE_DIR", "XMPLAN_CACHE_KEY") if key in env})
    env["MALLOC_ARENA_MAX"] = "2"  # glibc reserves 64 MiB of address space per thread arena otherwise
    return env


def command(address_space: int, preload: str) -> list[str]:
    """The command that starts a worker: isolated (`-I`: no PYTHON* variables, no user site-packages,
    not the current folder), and without `site` (`-S`), whose .pth files (an editable install's
    import hook among them) would cost the worker more than loading QuickJS does; this process's
    site-packages folders are given instead, and the folder holding xmplan itself."""
    import site

    folders = [folder for folder in site.getsitepackages() if os.path.isdir(folder)]
    first = [] if PACKAGE_ROOT in folders else [PACKAGE_ROOT]  # a source checkout or an editable install
    bootstrap = (f"import sys; sys.path[:0] = {first!r}; sys.path += {folders!r}; "
                 "from xmplan._runtime._worker import main; main()")
    return [sys.executable, "-I", "-S", "-c", bootstrap, str(address_space), preload]
