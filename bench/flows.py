"""The cost of a flow run per block against a plain script run (called by bench/runtime.py).

The flow is the case plan of the wiring checks (tests/validate_cases/flow_wiring): an HTTP
trigger step, a SWITCH, a custom step, a MERGE and a Create Event block, 5 blocks of which 2 run a
script. The plain run is the same trigger script alone, through `Runtime.run_step`. Per engine,
in the worker pool the runtime uses by default and in process: the median of N warm runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from xmplan._runtime.api import Request, Runtime, load_plan
from xmplan._runtime.engines import available_engines, in_process

CASE = Path(__file__).resolve().parents[1] / "tests" / "validate_cases" / "flow_wiring"
TRIGGER = "Slack Slash Command - Slack - Parse Slash Command"
STEP = "Slack - Parse Slash Command"
PARAMETERS = {"command": "/page", "text": "db down", "user_name": "ana"}


def _medians_ms(first: Callable[[], None], second: Callable[[], None], runs: int) -> tuple[float, float]:
    """Both medians, the runs interleaved so that a busy machine weighs on both alike."""
    first(), second()  # warm: translations and the worker are ready
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for run, kept in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            run()
            kept.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def bench_flows(runs: int) -> None:
    plan = load_plan(CASE)
    print(f"\n== flow run per block ({CASE.name}: 5 blocks, 2 of them scripts), median of {runs}")
    for name in available_engines():
        for where, engine in (("pool", name), ("in process", in_process(name))):
            runtime = Runtime(plan, engine=engine)

            def flow(runtime: Runtime = runtime) -> None:
                outcome = runtime.run(TRIGGER, Request("", {}, PARAMETERS))
                assert outcome.ok and len(outcome.events) == 1, outcome.error

            def plain(runtime: Runtime = runtime) -> None:
                outcome = runtime.run_step(STEP, {}, request=Request("", {}, PARAMETERS))
                assert outcome.ok and outcome.outputs, outcome.error

            flow_ms, plain_ms = _medians_ms(flow, plain, runs)
            print(f"{name:8} {where:10}  plain script run {plain_ms:7.2f} ms   flow {flow_ms:7.2f} ms   "
                  f"per block {flow_ms / 5:6.2f} ms   per script block {flow_ms / 2:6.2f} ms   "
                  f"flow/plain {flow_ms / plain_ms:4.1f}x")
