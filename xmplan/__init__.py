"""xmplan: communication plans as code for xMatters."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# The public API: name -> module; imported on first use, so `import xmplan` (and the pytest plugin) stays
# cheap. Every module of the package is private (a leading underscore): use these names, not their modules.
_EXPORTS = {
    # the plan model and its stages
    "Entry": "_model", "Plan": "_model", "read_plan": "_archive", "load_source": "_source", "load_plan": "_source",
    "source_files": "_unpack", "unpack_zip": "_unpack", "build_tree": "_export", "plan_zip": "_export",
    "validate_path": "_validate", "validate_plan": "_validate", "plan_scripts": "_scripts", "PlanScript": "_scripts",
    "RULES": "_rules", "Rule": "_rules", "template_values": "_source", "atomic_write": "_files", "VALUES": "_layout",
    # the command line's --set parsing, for build scripts such as the flagship's build.py
    "parse_assignments": "_assignments",
    # the HipChat add-on's capabilities descriptor (build.py writes it beside the plan zip)
    "DESCRIPTOR_FILE": "_hipchat.descriptor", "build_descriptor": "_hipchat.descriptor",
    "check_descriptor": "_hipchat.descriptor", "descriptor_text": "_hipchat.descriptor",
    "options_from_values": "_hipchat.descriptor",
    # local servers for tests (docs/serve.md, docs/hipchat.md, docs/standin.md)
    "local_xmatters": "_serve.testing", "hash_password": "_serve.directory", "background_addon": "_hipchat.addon.local",
    "BackgroundServer": "_web",
    # running scripts locally (docs/runtime.md)
    "Runtime": "_runtime.api", "Request": "_runtime.request",
    "PooledEngine": "_runtime.engines", "WorkerPool": "_runtime.pool",
    "Outcome": "_runtime.outcome", "Event": "_runtime.outcome", "Rejected": "_runtime.outcome",
    "HttpCall": "_runtime.outcome", "HttpResponse": "_runtime.outcome", "SentRequest": "_runtime.outcome",
    "ConsoleLine": "_runtime.outcome", "Failure": "_runtime.outcome",
    # problems and errors
    "Location": "_errors", "Problem": "_errors", "XmplanError": "_errors", "ArchiveError": "_errors",
    "SourceError": "_errors", "ScriptError": "_errors", "ScriptTimeout": "_errors", "DescriptorError": "_errors",
    "UsageError": "_errors", "SetupError": "_errors", "InputError": "_errors", "RunError": "_errors",
    "WriteError": "_errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'xmplan' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__() -> list[str]:
    return __all__
