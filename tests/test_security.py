"""Sandbox tests, run on every available engine: no way from a script to Python, files or the process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xmplan._errors import ScriptError
from xmplan._runtime.engine import HOST_GLOBAL, Script
from xmplan._runtime.engines import available_engines, get_engine

ENGINES = available_engines()


@pytest.fixture(params=ENGINES)
def engine(request):
    return get_engine(request.param)


def run(engine, text: str) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    def host(operation: str, json_text: str) -> str:
        calls.append((operation, json_text))
        return "{}"

    engine.run([Script("scripts/attack.js", text)], host, time_limit=10)
    return calls


def cve_attack(marker: Path) -> str:
    """CVE-2024-28397 as in security-notes.md: from getOwnPropertyNames to subprocess.Popen."""
    return textwrap.dedent(f"""
        var names = Object.getOwnPropertyNames({{}});
        var obj = names.__getattribute__("__getattribute__")("__class__").__base__;
        var subs = obj.__subclasses__();
        for (var i = 0; i < subs.length; i++) {{
          var item = subs[i];
          if (item.__module__ == "subprocess" && item.__name__ == "Popen") {{
            item(["touch", {json.dumps(str(marker))}]).wait();
          }}
        }}
        {HOST_GLOBAL}('escaped', 'yes');
    """)


def test_cve_2024_28397_attack_fails(engine, tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ScriptError, match="TypeError"):
        run(engine, cve_attack(marker))
    assert not marker.exists()


@pytest.mark.skipif("js2py" not in ENGINES, reason="js2py needs Python <= 3.11")
def test_cve_attack_does_work_on_unpatched_js2py(tmp_path):
    """The attack above is real: plain js2py (disable_pyimport only) runs it in a fresh interpreter."""
    marker = tmp_path / "pwned"
    program = ("import js2py; js2py.disable_pyimport(); "
               f"js2py.EvalJs({{'{HOST_GLOBAL}': lambda a, b: ''}}).execute({cve_attack(marker)!r})")
    subprocess.run([sys.executable, "-c", program], check=True, timeout=120, capture_output=True)
    assert marker.exists()


# Everything a script can get hold of: built-ins that once returned Python objects, the host
# function and its answers, the global object through `this` and `Function`, errors, eval.
ENTRY_POINTS = [
    "Object.getOwnPropertyNames({a: 1})",
    "Object.keys({a: 1})",
    "new ArrayBuffer(8)",
    HOST_GLOBAL,
    f"{HOST_GLOBAL}('echo', '{{}}')",
    "this",
    "Function('return this')()",
    "(function () {}).constructor.constructor('return this')()",
    "({}).constructor",
    "[].constructor.constructor",
    "eval('Object.getOwnPropertyNames')({})",
    "(function () { return arguments; })(1)",
    "(function () { try { null.x; } catch (e) { return e; } })()",
    "new Error('x')",
    "JSON",
    "Math",
    "/x/g",
    "new Date(0)",
    "'text'",
    "42",
    "Object.getOwnPropertyDescriptor(Object, 'keys')",
    "String.prototype",
    "Object.getPrototypeOf(Object.getOwnPropertyNames({}))",
]
DUNDERS = ["__class__", "__getattribute__", "__base__", "__subclasses__", "__dict__", "__globals__",
           "__init__", "__call__", "__module__", "__builtins__", "__reduce__", "__code__", "obj", "own", "code"]

PROBE = """
var found = [];
var entry = (ENTRY);
var names = NAMES;
for (var i = 0; i < names.length; i++) {
  var value;
  try { value = entry[names[i]]; } catch (e) { value = undefined; }
  if (value !== undefined && value !== null) { found.push(names[i]); }
  try {
    var via = entry.__getattribute__(names[i]);
    found.push('__getattribute__(' + names[i] + ')');
  } catch (e) { }
}
HOST('found', JSON.stringify(found));
"""


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_no_python_attribute_is_reachable(engine, entry):
    script = PROBE.replace("ENTRY", entry).replace("NAMES", json.dumps(DUNDERS)).replace("HOST", HOST_GLOBAL)
    calls = run(engine, script)
    found = [json.loads(text) for op, text in calls if op == "found"]
    assert found == [[]]


@pytest.mark.parametrize("text", [
    "pyimport os;\nos.system('true');",
    "var os = pyimport('os');",
    "var s = require('child_process');",
    "var f = require('fs');",
    "java.lang.Runtime.getRuntime();",
    "Java.type('java.lang.Runtime');",
    "process.exit(1);",
    "std.loadFile('/etc/passwd');",
    "os.exec(['true']);",
])
def test_no_module_process_or_file_api(engine, text):
    with pytest.raises(ScriptError):
        run(engine, text)


def test_dynamic_import_reads_no_file(engine, tmp_path):
    module = tmp_path / "leak.js"
    module.write_text(f"{HOST_GLOBAL}('leak', 'read');\nexport default 1;\n")
    script = f"""
    var outcome = 'none';
    try {{ import({json.dumps(str(module))}).then(function () {{ outcome = 'loaded'; }},
                                                   function (e) {{ outcome = 'refused'; }}); }}
    catch (e) {{ outcome = 'refused'; }}
    """
    try:
        calls = run(engine, script)
    except ScriptError:
        calls = []  # js2py (ES5) has no import(): a syntax error
    assert ("leak", "read") not in calls


def test_host_function_cannot_be_replaced_or_unwrapped(engine):
    script = f"""
    var original = {HOST_GLOBAL};
    try {{ {HOST_GLOBAL} = function () {{ return 'fake'; }}; }} catch (e) {{ }}
    {HOST_GLOBAL}('same', String({HOST_GLOBAL} === original));
    {HOST_GLOBAL}('source', typeof {HOST_GLOBAL}.__self__ + typeof {HOST_GLOBAL}.func_globals);
    """
    calls = run(engine, script)
    assert calls == [("same", "true"), ("source", "undefinedundefined")]
