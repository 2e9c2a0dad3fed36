"""xmplan: communication plans as code for xMatters."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module; imported on first use, so `import xmplan` (and the pytest plugin) stays cheap
_EXPORTS = {
    # the plan model and its stages
    "Entry": "model", "Plan": "model", "read_plan": "archive", "load_source": "source", "load_plan": "source",
    "source_files": "unpack", "unpack_zip": "unpack", "build_tree": "export", "plan_zip": "export",
    "validate_path": "validate", "validate_plan": "validate", "plan_scripts": "scripts", "PlanScript": "scripts",
    "RULES": "rules", "Rule": "rules",
    # running scripts locally (docs/runtime.md)
    "Runtime": "runtime.api", "Request": "runtime.request",
    "Outcome": "runtime.outcome", "Event": "runtime.outcome", "Rejected": "runtime.outcome",
    "HttpCall": "runtime.outcome", "HttpResponse": "runtime.outcome", "SentRequest": "runtime.outcome",
    "ConsoleLine": "runtime.outcome", "Failure": "runtime.outcome",
    # problems and errors
    "Location": "errors", "Problem": "errors", "XmplanError": "errors", "ArchiveError": "errors",
    "SourceError": "errors", "ScriptError": "errors", "ScriptTimeout": "errors", "DescriptorError": "errors",
    "UsageError": "errors", "SetupError": "errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'xmplan' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__() -> list[str]:
    return __all__
