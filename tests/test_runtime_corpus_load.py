"""Acceptance 1: every Integration Builder script and shared library of the corpus loads, on every engine.

"Loads" means: the integration script compiles as the wrapper function the runtime calls, and the
shared library evaluates through `require` (with the libraries it requires). Two exports are broken
as published; they must keep failing for the reason below, and nothing else may fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime_plans import ENGINES
from xmplan.runtime.api import Runtime, load_plan

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus" / "plans"
KNOWN_BROKEN = {
    ("xmatters__xm-labs-dynatrace__Dynatrace__20170420-a1af0ed7.zip",
     "shared library 'Dynatrace Util' does not load: Error: Cannot find shared library 'Array Util'"),
    ("xmatters__xm-labs-remedy-9-rest-on-prem__xMattersOnDemand_BMCRemedyITSMIncidentRESTv611.zip",
     "shared library 'Remedy Rest Util' does not load: SyntaxError"),
}
EXPECTED_AT_LEAST = (290, 110)  # integration scripts, shared libraries in the corpus today

pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/plans")]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_every_script_and_library_loads(engine_name, request):
    counts = [0, 0]
    failures = set()
    for path in sorted(CORPUS.glob("*.zip")):
        runtime = Runtime(load_plan(path), engine=engine_name)
        scripts, libraries = runtime.script_count
        counts[0] += scripts
        counts[1] += libraries
        for problem in runtime.check():
            known = next((k for k in KNOWN_BROKEN if k[0] == path.name and problem.message.startswith(k[1])), None)
            failures.add(known or (path.name, problem.message))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\n[{engine_name}] corpus: {counts[0]} integration scripts and {counts[1]} shared "
                            f"libraries, {counts[0] + counts[1] - len(failures)} load, "
                            f"{len(failures)} known broken as published")
    assert counts[0] >= EXPECTED_AT_LEAST[0] and counts[1] >= EXPECTED_AT_LEAST[1]
    assert failures == KNOWN_BROKEN
