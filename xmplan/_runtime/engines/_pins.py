"""The exact engine versions the bindings target, and every engine internal they replace or call.

The js2py patches (`_js2py_translate.install`, `_js2py_fixes.apply`, `_js2py_sandbox.harden`, run
when an engine is made, never on import) and the QuickJS binding (dukpy's private `_dukpy`)
reach into internals no release promises to keep. pyproject.toml pins these versions, and
tests/test_engine_pins.py checks, in a clean interpreter, that each name below still exists, so
an upgrade fails loudly instead of quietly running unpatched.
"""

from __future__ import annotations

JS2PY_VERSION = "0.74"
DUKPY_VERSION = "0.6.0"

# (module, attribute path, own property of that object or ""): what the patches replace.
JS2PY_PATCHED = (
    ("js2py.constructors.time_helpers", "YearFromTime", ""),
    ("js2py.constructors.time_helpers", "TimeClip", ""),
    ("js2py.constructors.time_helpers", "DaylightSavingTA", ""),
    ("js2py.constructors.jsdate", "YearFromTime", ""),
    ("js2py.constructors.jsdate", "TimeClip", ""),
    ("js2py.constructors.jsdate", "DaylightSavingTA", ""),
    ("js2py.constructors.jsdate", "date_constructor1", ""),
    ("js2py.constructors.jsdate", "DatePrototype", "toISOString"),
    ("js2py.constructors.jsdate", "DatePrototype", "toString"),
    ("js2py.constructors.jsdate", "DatePrototype", "toDateString"),
    ("js2py.constructors.jsdate", "DatePrototype", "toTimeString"),
    ("js2py.constructors.jsdate", "DatePrototype", "toUTCString"),
    ("js2py.constructors.jsdate", "Date", "parse"),
    ("js2py.constructors.jsdate", "Date", "now"),
    ("js2py.prototypes.jsjson", "JSON", "parse"),
    ("js2py.prototypes.jsnumber", "to_str_rep", ""),
    ("js2py.base", "js_dtoa", ""),
    ("js2py.base", "Js", ""),
    ("js2py.base", "NUM_BANK", ""),
    ("js2py.base", "PyJsArguments.__init__", ""),
    ("js2py.base", "PyJsFunction.call", ""),
    ("js2py.base", "PyJs.__iter__", ""),
    ("js2py.base", "PyJs.__mod__", ""),
    ("js2py.base", "PyJs.GlobalObject", ""),
    ("js2py.base", "PyObjectWrapper.get", ""),
    ("js2py.base", "PyObjectWrapper.put", ""),
    ("js2py.base", "PyObjectWrapper.delete", ""),
    ("js2py.base", "PyObjectWrapper.callprop", ""),
    ("js2py.base", "PyObjectWrapper.__call__", ""),
    ("js2py.base", "PyObjectWrapper.to_python", ""),
    ("js2py.pyjs", "Js", ""),
    ("js2py.pyjs", "Object", "keys"),
    ("js2py.pyjs", "Object", "getOwnPropertyNames"),
    ("js2py.pyjs", "JS_BUILTINS", ""),
    ("js2py.pyjs", "set_global_object", ""),
    ("js2py.translators.translating_nodes", "trans", ""),
    ("js2py.translators.translating_nodes", "float_repr", ""),
    ("js2py.translators.translator", "translate_js", ""),
    ("pyjsparser.parser", "ENABLE_PYIMPORT", ""),
    ("pyjsparser.parser", "ENABLE_JS2PY_ERRORS", ""),
    ("pyjsparser", "PyJsParser.parseStatementListItem", ""),
    ("pyjsparser", "PyJsParser.parseStatement", ""),
)
DUKPY_USED = (
    ("dukpy._dukpy", "create_context", ""),
    ("dukpy._dukpy", "eval_string", ""),
    ("dukpy._dukpy", "JSRuntimeError", ""),
)
