"""Acceptance 1: every Integration Builder script and shared library of the corpus loads, on every engine.

"Loads" means: the integration script compiles as the wrapper function the runtime calls, and the
shared library evaluates through `require` (with the libraries it requires). Two exports are broken
as published; they must keep failing for the reason below, and nothing else may fail.
"""

from __future__ import annotations

import pytest
from conftest import corpus_params
from runtime_plans import ENGINES

from xmplan._runtime.api import Runtime, load_plan

KNOWN_BROKEN = {
    ("xmatters__xm-labs-dynatrace__Dynatrace__20170420-a1af0ed7.zip",
     "shared library 'Dynatrace Util' does not load: Error: Cannot find shared library 'Array Util'"),
    ("xmatters__xm-labs-remedy-9-rest-on-prem__xMattersOnDemand_BMCRemedyITSMIncidentRESTv611.zip",
     "shared library 'Remedy Rest Util' does not load: SyntaxError"),
}
EXPECTED_AT_LEAST = (290, 110)  # integration scripts, shared libraries in the corpus today

pytestmark = [pytest.mark.corpus]


@pytest.mark.parametrize("path", corpus_params())
def test_every_script_and_library_of_a_plan_loads(path, engine_name, corpus_counts):
    runtime = Runtime(load_plan(path), engine=engine_name)
    scripts, libraries = runtime.script_count
    corpus_counts[engine_name][0] += scripts
    corpus_counts[engine_name][1] += libraries
    failures = set()
    for problem in runtime.check():
        known = next((k for k in KNOWN_BROKEN if k[0] == path.name and problem.message.startswith(k[1])), None)
        failures.add(known or (path.name, problem.message))
    corpus_counts[engine_name][2] += len(failures)
    assert failures == {k for k in KNOWN_BROKEN if k[0] == path.name}


@pytest.fixture(scope="module")
def corpus_counts(request):
    """Per engine: integration scripts, shared libraries and known failures seen; printed at the end."""
    counts = {name: [0, 0, 0] for name in ENGINES}
    yield counts
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    for name, (scripts, libraries, broken) in counts.items():
        if reporter is not None and scripts:
            reporter.write_line(f"\n[{name}] corpus: {scripts} integration scripts and {libraries} shared libraries, "
                                f"{scripts + libraries - broken} load, {broken} known broken as published")


def test_the_corpus_has_its_scripts(corpus_dir):
    counts = [Runtime(load_plan(path), engine=ENGINES[0]).script_count for path in sorted(corpus_dir.glob("*.zip"))]
    assert sum(c[0] for c in counts) >= EXPECTED_AT_LEAST[0] and sum(c[1] for c in counts) >= EXPECTED_AT_LEAST[1]
