"""pytest fixtures for testing plan scripts (registered as the `xmplan` plugin).

Point the plugin at your plan with `xmplan_plan = path/to/plan` in the `[pytest]` ini section
(relative to the rootdir) or `--xmplan-plan PATH`, then in a test:

    def test_alert(xmplan):
        xmplan.respond("Slack", {"status": 200, "body": {"ok": True}})
        outcome = xmplan.run("Inbound alert", body={"severity": "high"})
        assert outcome.events[0].properties["Severity"] == "high"

For snapshot tests, `xmplan_clock = 2026-01-05T09:00:00Z` and `xmplan_seed = 1` in the ini section
(or `--xmplan-clock`, `--xmplan-seed`) start every run's clock at that instant and make its ids
and `Math.random` the same on every run, as `xmplan run --clock --seed` does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the runtime is imported when a fixture is first used, not in every pytest session
    from .._model import Plan
    from .api import Runtime


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("xmplan", "xMatters plan scripts")
    group.addoption("--xmplan-plan", default=None, metavar="PATH", help="the plan zip or source tree to test")
    group.addoption("--xmplan-engine", default=None, choices=["js2py", "quickjs"], help="JavaScript engine")
    group.addoption("--xmplan-clock", default=None, metavar="ISO-TIME",
                    help="start every run's clock at this instant (e.g. 2026-01-05T09:00:00Z)")
    group.addoption("--xmplan-seed", default=None, type=int, metavar="N",
                    help="make every run's ids and Math.random the same")
    parser.addini("xmplan_plan", "the plan zip or source tree the xmplan fixture loads (relative to rootdir)")
    parser.addini("xmplan_engine", "JavaScript engine for the xmplan fixtures (js2py or quickjs)")
    parser.addini("xmplan_clock", "every run's clock starts at this ISO 8601 instant (with Z or an offset)")
    parser.addini("xmplan_seed", "an integer: every run's ids and Math.random the same")


class _Plans:
    """Loaded plans, shared by the session: loading a tree or zip once is enough.

    Each test gets its own copy of the documents, so that nothing one test changes in its plan
    reaches the next.
    """

    def __init__(self) -> None:
        self.loaded: dict[Path, Plan] = {}

    def get(self, path: Path) -> Plan:
        path = path.resolve()
        if path not in self.loaded:
            from .api import load_plan

            self.loaded[path] = load_plan(path)
        return _copied(self.loaded[path])


def _copied(plan: Plan) -> Plan:
    from dataclasses import replace

    from .._model import copy_json

    return replace(plan, entries=tuple(replace(entry, data=copy_json(entry.data)) for entry in plan.entries))


def _seed(config: pytest.Config) -> int | None:
    seed = config.getoption("xmplan_seed")
    if seed is not None:
        return int(seed)
    text = str(config.getini("xmplan_seed") or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pytest.fail(f"xmplan_seed must be an integer, not {text!r}")


@pytest.fixture(scope="session")
def _xmplan_plans() -> _Plans:
    return _Plans()


@pytest.fixture
def xmplan_runtime(request: pytest.FixtureRequest, _xmplan_plans: _Plans) -> Callable[..., Runtime]:
    """`xmplan_runtime(path=None, **options)`: a fresh Runtime for a plan (default: the configured one)."""
    config = request.config

    def make(path: str | Path | None = None, **options: Any) -> Runtime:
        if path is None:
            configured = config.getoption("xmplan_plan") or config.getini("xmplan_plan")
            if not configured:
                pytest.fail("no plan configured: set xmplan_plan in the pytest ini file or pass --xmplan-plan")
            path = Path(config.rootpath, configured) if not Path(configured).is_absolute() else Path(configured)
        options.setdefault("engine", config.getoption("xmplan_engine") or config.getini("xmplan_engine") or None)
        options.setdefault("clock", config.getoption("xmplan_clock") or config.getini("xmplan_clock") or None)
        options.setdefault("seed", _seed(config))
        from .api import Runtime

        plan = _xmplan_plans.get(Path(path))
        try:
            return Runtime(plan, **options)
        except ValueError as exc:  # a clock without a time zone (from the ini file, the command line or the test)
            pytest.fail(f"xmplan clock: {exc}")

    return make


@pytest.fixture
def xmplan(xmplan_runtime: Callable[..., Runtime]) -> Runtime:
    """A fresh Runtime for the configured plan: register fakes with `respond`, then `run`."""
    return xmplan_runtime()
