"""One enumeration of a plan's scripts (xmplan._scripts), and the one require detector built on it."""

from __future__ import annotations

from xmplan._model import Entry, Plan
from xmplan._runtime import scripts as run_scripts
from xmplan._scripts import GENERATED_STEP, plan_scripts
from xmplan._validate.javascript import analyse


def plan() -> Plan:
    integrations = {"integrations": [{"name": "In", "script": "require('a');", "environment": "ONPREMISE"},
                                     {"name": "NoScript", "action": "CREATE_EVENT"}], "endpoints": [], "constants": []}
    libraries = [{"name": "a", "script": "exports.a = 1;"}, {"name": "b", "script": "exports.b = 2;"}]
    steps = [{"name": "Post", "script": "x();", "allowedEnvironment": "ONPREMISE",
              "libraries": [{"referenceName": "util", "library": {"name": "util", "script": "u();"}}]},
             {"name": "Caller", "script": "0f0f0f0f-0000-4000-8000-000000000001",
              "scriptStepType": "CALLABLE_FLOW_CALLER"},
             {"name": "Generated", "script": GENERATED_STEP}]
    return Plan((Entry("engine.json", {"name": "P"}), Entry("integrations/integrations.json", integrations),
                 Entry("integrations/sharedfunctions.json", libraries), Entry("integrations/scriptSteps.json", steps)))


def test_every_kind_of_script_once_in_plan_order() -> None:
    found = [(s.kind, s.entry, s.pointer, s.label, s.runs_on, sorted(s.libraries)) for s in plan_scripts(plan())]
    assert found == [
        ("integration", "integrations/integrations.json", "/integrations/0/script", "integration 'In'", "agent",
         ["a", "b"]),
        ("library", "integrations/sharedfunctions.json", "/0/script", "shared library 'a'", "cloud", ["a", "b"]),
        ("library", "integrations/sharedfunctions.json", "/1/script", "shared library 'b'", "cloud", ["a", "b"]),
        ("step", "integrations/scriptSteps.json", "/0/script", "step 'Post'", "agent", ["util"]),
        ("step library", "integrations/scriptSteps.json", "/0/libraries/0/library/script",
         "step library 'util' of step 'Post'", "agent", ["util"]),
    ]


def test_the_runtime_reads_the_same_enumeration() -> None:
    the_plan = plan()
    records = run_scripts.integrations(the_plan)
    assert [(r["name"], c.pointer if c else None) for r, c in records] == [("In", "/integrations/0/script"),
                                                                          ("NoScript", None)]
    assert [lib.pointer for lib in run_scripts.libraries(the_plan)] == ["/0/script", "/1/script"]


def test_a_require_in_a_comment_or_string_loads_nothing() -> None:
    libraries = run_scripts.libraries(plan())
    text = "// require('a')\nvar s = \"require('b')\";\n"
    assert run_scripts.needed_libraries(text, libraries) == []
    assert [lib.name for lib in run_scripts.needed_libraries("require('b');", libraries)] == ["b"]


def test_a_computed_require_loads_every_library() -> None:
    libraries = run_scripts.libraries(plan())
    assert run_scripts.needed_libraries("var n = 'a'; require(n);", libraries) == libraries
    assert analyse("require(n);").dynamic_requires and not analyse("require('a');").dynamic_requires
