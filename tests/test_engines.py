"""Engine contract tests, run on every available JavaScript engine: order, host calls, errors, limits, isolation."""

from __future__ import annotations

import json
import sys
import time
import uuid

import pytest

from xmplan._errors import ScriptError, ScriptTimeout, XmplanError
from xmplan._runtime.engine import HOST_GLOBAL, Script
from xmplan._runtime.engines import ENGINE_NAMES, available_engines, get_engine

ENGINES = available_engines()


class Recorder:
    """A host function that records calls and echoes a JSON answer."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, operation: str, json_text: str) -> str:
        self.calls.append((operation, json_text))
        return json.dumps({"op": operation, "len": len(json_text)})

    def values(self, operation: str) -> list:
        return [json.loads(text) for op, text in self.calls if op == operation]


def run(engine, *texts: str, time_limit: float = 5.0, host=None) -> Recorder:
    host = host or Recorder()
    scripts = [Script(f"scripts/s{i}.js", text) for i, text in enumerate(texts, 1)]
    engine.run(scripts, host, time_limit=time_limit)
    return host


def test_default_engine_depends_on_python_version():
    expected = "js2py" if sys.version_info < (3, 12) else "quickjs"
    assert get_engine().name == expected
    assert set(ENGINES) <= set(ENGINE_NAMES)
    assert "quickjs" in ENGINES


@pytest.mark.parametrize("name, match", [
    ("v8", "unknown engine"),
    pytest.param("js2py", "not available",
                 marks=pytest.mark.skipif(sys.version_info < (3, 12), reason="js2py runs here")),
])
def test_unknown_or_unavailable_engine_is_a_clear_error(name, match):
    with pytest.raises(XmplanError, match=match):
        get_engine(name)


def test_scripts_share_one_global_context_in_order(engine):
    host = run(engine, "var shared = {n: 1};", "shared.n += 1; function twice(x) { return 2 * x; }",
               f"{HOST_GLOBAL}('result', JSON.stringify({{n: shared.n, t: twice(21)}}));")
    assert host.values("result") == [{"n": 2, "t": 42}]


@pytest.mark.parametrize("expression, expected", [
    ("JSON.stringify(o)", '{"2":"y","10":"x","a":2,"c":{"z":1,"y":2},"b":3}'),
    ("JSON.stringify(o.c, null, 1)", '{\n "z": 1,\n "y": 2\n}'),
    ("(function () { var k = []; for (var key in o) k.push(key); return k.join(); })()", "2,10,a,c,b"),
    ("Object.keys(o).join()", "2,10,a,c,b"),
    ("Object.getOwnPropertyNames(['p', 'q']).join()", "0,1,length"),
])
def test_keys_come_in_engine_order(engine, expression, expected):
    """Integer keys ascending, then the rest in insertion order (a deleted key re-added goes last),
    as in Nashorn: scripts build request bodies and log lines with it."""
    script = f"""
    var o = {{b: 1, a: 2, 10: 'x', 2: 'y', c: {{z: 1, y: 2}}}};
    delete o.b; o.b = 3;
    {HOST_GLOBAL}('result', {expression});
    """
    assert run(engine, script).calls == [("result", expected)]


def test_remainder_has_the_dividends_sign_and_changes_no_other_number(engine):
    """js2py once changed its shared number 19 into -5 while computing `-5 % 24`, for the process."""
    script = f"""
    {HOST_GLOBAL}('result', [-5 % 24, 5 % -3, 5.5 % 2, 7 % 0, 3 % Infinity].join());
    {HOST_GLOBAL}('result', String([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].length));
    """
    first = run(engine, script)
    again = run(engine, f"{HOST_GLOBAL}('result', String(18 + 1));")
    assert first.calls == [("result", "-5,2,1.5,NaN,3"), ("result", "19")]
    assert again.calls == [("result", "19")]


@pytest.mark.filterwarnings("error")
def test_a_suite_that_turns_warnings_into_errors_can_run_scripts(engine):
    fresh = f"var tag = '{uuid.uuid4()}';"  # translated now, not taken from a cache
    host = run(engine, fresh + f"try {{ throw 1; }} catch (e) {{ {HOST_GLOBAL}('r', String(e)); }}")
    assert host.calls == [("r", "1")]


def test_host_gets_and_returns_strings_only(engine):
    script = f"""
    var answer = {HOST_GLOBAL}('post', JSON.stringify({{a: [1, 2]}}));
    var parsed = JSON.parse(answer);
    {HOST_GLOBAL}('types', JSON.stringify([typeof answer, parsed.op, parsed.len]));
    {HOST_GLOBAL}(42, {{toString: function () {{ return 'obj'; }}}});
    """
    host = run(engine, script)
    assert host.calls[0] == ("post", '{"a":[1,2]}')
    assert host.values("types") == [["string", "post", 11]]
    assert host.calls[2] == ("42", "obj")


def test_host_exception_propagates_even_if_script_catches_it(engine):
    class Boom(XmplanError):
        pass

    def host(operation, json_text):
        raise Boom.at("plan.json", "not emulated: " + operation)

    with pytest.raises(Boom, match="not emulated: form.post"):
        run(engine, f"try {{ {HOST_GLOBAL}('form.post', '{{}}'); }} catch (e) {{ }}", host=host)


def test_integration_wrapper_keeps_line_numbers(engine):
    body = "var a = request.body;\nvar b = JSON.parse(a);\nb.missing.field = 1;\n"
    wrapped = "(function (request, form) {" + body + "\n})({body: '{}'}, {});"
    with pytest.raises(ScriptError) as caught:
        run(engine, "var lib = 1;", wrapped)
    problem = caught.value.problems[0]
    assert (problem.location.file, problem.location.line) == ("scripts/s2.js", 3)
    assert "TypeError" in problem.message


@pytest.mark.parametrize("texts, file, line, message", [
    pytest.param(["var ok = 1;", "var x = 1;\nvar y = ;\n"], "scripts/s2.js", 2, "SyntaxError", id="syntax-error"),
    pytest.param(["var a = 1;\n\nthrow new Error('bad input');"], "scripts/s1.js", 3, "Error: bad input", id="throw"),
    pytest.param(["function fail() {\n  var x = null;\n  return x.y;\n}", "var a = 1;\nfail();"],
                 "scripts/s1.js", {"js2py": 3, "quickjs": 1}, "TypeError", id="error-inside-library-function"),
    pytest.param(["function fail(x) {\n  var y = 1;\n  x.notAFunction();\n}", "var a = 1;\nfail({});"],
                 "scripts/s1.js", 3, "TypeError", id="call-inside-library-function"),
    pytest.param(["var o = {};\n\n\no.notAFunction();"], "scripts/s1.js", 4, "TypeError", id="not-a-function"),
    pytest.param(["var a = 1;\nJSON.parse('{bad');"], "scripts/s1.js", 2, "SyntaxError", id="json-parse"),
    # QuickJS keeps no stack for a thrown primitive: the file must still be right, the line may be missing.
    pytest.param(["var a = 1;", "var b = 2;\nthrow 'plain string';"], "scripts/s2.js", None, "plain string",
                 id="throw-string"),
])
def test_errors_name_the_script_and_line(engine, texts, file, line, message):
    with pytest.raises(ScriptError) as caught:
        run(engine, *texts)
    problem = caught.value.problems[0]
    assert problem.location.file == file
    if isinstance(line, dict):
        # QuickJS-ng records no position for a property read inside a function and names the
        # function's first line instead; js2py names the exact line.
        line = line[engine.name]
    if line is not None:
        assert problem.location.line == line
    assert message in problem.message


@pytest.mark.parametrize("loop", [
    "while (true) {}",
    "for (;;) { try { while (true) {} } catch (e) {} }",
    "while (true) { try { while (true) {} } finally { while (true) {} } }",
    f"while (true) {{ try {{ {HOST_GLOBAL}('tick', '') }} catch (e) {{}} }}",
])
def test_endless_loop_is_stopped_and_engine_stays_usable(engine, loop):
    started = time.monotonic()
    with pytest.raises(ScriptTimeout) as caught:
        run(engine, "var a = 1;", "\n" + loop, time_limit=0.5)
    assert time.monotonic() - started < 4
    assert caught.value.problems[0].location.file == "scripts/s2.js"
    assert "time limit" in str(caught.value)
    assert run(engine, f"{HOST_GLOBAL}('after', '1');").calls == [("after", "1")]


def test_growing_memory_fails_cleanly(engine, monkeypatch):
    if hasattr(engine, "memory_limit"):
        monkeypatch.setattr(engine, "memory_limit", 64 * 1024 * 1024)
    with pytest.raises(ScriptError) as caught:
        run(engine, "var s = 'x';\nwhile (true) { s = s + s; }", time_limit=20)
    assert caught.value.problems[0].rule == "js-memory"
    assert caught.value.problems[0].location.file == "scripts/s1.js"
    assert run(engine, f"{HOST_GLOBAL}('after', '1');").calls == [("after", "1")]


PROBE = f"""
var seen = [typeof ''.foo, typeof ({{}}).x, JSON.parse('[1]').length, typeof [].push, typeof leaked,
            Object.isFrozen(Object.prototype), typeof [].map, typeof ({{}}).y, (1.5).toFixed(1),
            String(new Error('e')), Math.max(1, 2), typeof Array.isArray, [3, 1, 2].sort().join(),
            typeof globalThis === 'undefined' ? 'no-globalThis' : typeof globalThis.leaked,
            Object.keys(Object.prototype).length];
{HOST_GLOBAL}('probe', JSON.stringify(seen));
"""

MUTATIONS = [
    "String.prototype.foo = function () { return 1; };",
    "Object.prototype.x = 1;",
    "JSON.parse = function () { return 'hijacked'; };",
    "Array.prototype.push = 5;",
    "leaked = 'global';",
    "var leaked = 'declared';",
    "Object.freeze(Object.prototype);",
    "delete Array.prototype.map;",
    "Object.defineProperty(Object.prototype, 'y', {get: function () { return 1; }, enumerable: true});",
    "Number.prototype.toFixed = function () { return 'x'; };",
    "Error.prototype.toString = function () { return 'hacked'; };",
    "Math.max = function () { return -1; };",
    "Array.isArray = undefined;",
    "Array.prototype.sort = function () { return this; };",
    "Object.prototype.__proto__ = {z: 1};",
]


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_nothing_a_run_does_is_visible_to_the_next(engine, mutation):
    pristine = run(engine, PROBE).values("probe")
    try:
        run(engine, mutation + "\n" + PROBE)
    except ScriptError:
        pass  # some mutations break the run that makes them; only the next run matters here
    assert run(engine, PROBE).values("probe") == pristine


def test_same_script_text_gets_fresh_globals_each_run(engine):
    counter = f"var count = (typeof count === 'undefined') ? 1 : count + 1; {HOST_GLOBAL}('count', String(count));"
    assert run(engine, counter).calls == run(engine, counter).calls == [("count", "1")]


@pytest.mark.skipif("js2py" not in ENGINES, reason="js2py needs Python <= 3.11")
def test_js2py_caches_large_translations_on_disk(tmp_path, monkeypatch):
    from xmplan._runtime.engines import _js2py_translate
    from xmplan._runtime.engines.js2py_engine import Js2pyEngine

    monkeypatch.setenv("XMPLAN_CACHE_DIR", str(tmp_path))
    big = "var table = {};\n" + "".join(f"table.k{i} = {i};\n" for i in range(2000))
    big += f"{HOST_GLOBAL}('size', String(Object.keys(table).length));\n"
    assert len(big) >= _js2py_translate.DISK_CACHE_MIN_CHARS
    assert run(Js2pyEngine(), big).calls == [("size", "2000")]
    assert len(list(tmp_path.rglob("*.code"))) == 1

    def no_translation(*_args):
        raise AssertionError("translated again instead of loading the disk cache")

    monkeypatch.setattr(_js2py_translate, "_translate", no_translation)
    assert run(Js2pyEngine(), big).calls == [("size", "2000")]
