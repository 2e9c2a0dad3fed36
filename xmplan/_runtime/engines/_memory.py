"""How much memory this process uses: resident size from /proc (Linux), else its peak (macOS)."""

from __future__ import annotations

import os
import resource
import sys

_STATM = "/proc/self/statm"  # a plain path: pathlib is no import a worker otherwise needs
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# ru_maxrss is in kilobytes on Linux and in bytes on macOS.
_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024


def resident() -> int | None:
    """Bytes resident now; where /proc is absent, the peak so far (it only grows, so growth past a
    limit is still seen, and a worker that ran out of memory is replaced anyway)."""
    try:
        with open(_STATM, encoding="ascii") as stream:
            return int(stream.read().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        pass
    try:
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * _MAXRSS_UNIT
    except (OSError, ValueError):
        return None
