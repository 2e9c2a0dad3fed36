"""A run starts clean even when the engine reuses the loaded prelude: nothing a script changes reaches the next run."""

from __future__ import annotations

import pytest
from runtime_plans import make_plan, runtime

PROBE = """console.log([typeof console.log, typeof JSON.parse('[1]'), typeof http.request, typeof form.post,
  typeof ({}).x, 'ab'.contains('a'), typeof require, typeof __xmplan__.main, String(trigger.properties.leak),
  typeof constants.leak, String(request.headers['x-leak']), Object.keys(Object.prototype).length].join(' '));"""

MUTATIONS = [
    "console.log = function () {}; console.extra = 1;",
    "JSON.parse = function () { return 'hijacked'; };",
    "http.request = null; form.post = null;",
    "Object.prototype.x = 1;",
    "String.prototype.contains = function () { return false; };",
    "__xmplan__.main = function () {}; __xmplan__.define = null;",
    "trigger.properties.leak = 'yes'; constants.leak = 'yes'; request.headers['x-leak'] = 'yes';",
    "Object.defineProperty(Object.prototype, 'y', {value: 1, enumerable: true});",
    "Object.freeze(console); Object.freeze(Object.prototype);",
    "require = null; var leaked = 1; globalLeak = 2;",
]


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_script_cannot_change_the_next_run(engine_name, mutation):
    rt = runtime(make_plan({"Probe": PROBE, "Mutate": mutation + "\n" + PROBE}), engine_name)
    pristine = rt.run("Probe", body="{}")
    assert pristine.ok, pristine.error
    rt.run("Mutate", body="{}")
    assert rt.run("Probe", body="{}").lines == pristine.lines
    assert pristine.lines == ["function object function function undefined true function function undefined "
                              "undefined undefined 0"]


def test_each_run_sees_its_own_request(engine_name):
    rt = runtime(make_plan({"Echo": "console.log(request.body + ' ' + request.headers['X-Run']);"}), engine_name)
    lines = [rt.run("Echo", body=f"body{i}", headers={"x-run": str(i)}).lines for i in range(3)]
    assert lines == [["body0 0"], ["body1 1"], ["body2 2"]]
