"""xmplan: communication plans as code for xMatters."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module; imported on first use, so `import xmplan` (and the pytest plugin) stays cheap
_EXPORTS = {
    # the plan model and its stages
    "Entry": "_model", "Plan": "_model", "read_plan": "_archive", "load_source": "_source", "load_plan": "_source",
    "source_files": "_unpack", "unpack_zip": "_unpack", "build_tree": "_export", "plan_zip": "_export",
    "validate_path": "_validate", "validate_plan": "_validate", "plan_scripts": "_scripts", "PlanScript": "_scripts",
    "RULES": "_rules", "Rule": "_rules",
    # running scripts locally (docs/runtime.md)
    "Runtime": "_runtime.api", "Request": "_runtime.request",
    "Outcome": "_runtime.outcome", "Event": "_runtime.outcome", "Rejected": "_runtime.outcome",
    "HttpCall": "_runtime.outcome", "HttpResponse": "_runtime.outcome", "SentRequest": "_runtime.outcome",
    "ConsoleLine": "_runtime.outcome", "Failure": "_runtime.outcome",
    # problems and errors
    "Location": "_errors", "Problem": "_errors", "XmplanError": "_errors", "ArchiveError": "_errors",
    "SourceError": "_errors", "ScriptError": "_errors", "ScriptTimeout": "_errors", "DescriptorError": "_errors",
    "UsageError": "_errors", "SetupError": "_errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'xmplan' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__() -> list[str]:
    return __all__
