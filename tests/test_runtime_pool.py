"""Scripts run in worker processes: limits hold for any runaway work, from any thread, and workers are reused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from runtime_plans import make_plan, runtime

from xmplan._errors import Location, Problem, ScriptError, ScriptTimeout, SetupError
from xmplan._runtime._wire import error_from_wire, error_to_wire
from xmplan._runtime.api import Runtime
from xmplan._runtime.engine import HOST_GLOBAL, Script
from xmplan._runtime.engines import PooledEngine, get_engine
from xmplan._runtime.pool import WorkerPool

pytest_plugins = ["pytester"]
SAMPLE = Path(__file__).parent / "samples" / "minimal"
CATASTROPHIC = "var r = /^(a+)+$/.test('" + "a" * 38 + "!');"


@pytest.fixture
def pool():
    created = WorkerPool(size=2)
    yield created
    created.close()


def echo(operation: str, text: str) -> str:
    return text


def pids(pool: WorkerPool) -> set[int]:
    return {worker.process.pid for worker in pool._idle}


def test_the_default_engine_runs_in_a_worker_process():
    engine = get_engine()
    assert isinstance(engine, PooledEngine)
    assert isinstance(Runtime(make_plan({"A": ""})).engine, PooledEngine)


@pytest.mark.parametrize("script", [CATASTROPHIC, "while (true) {}"], ids=["catastrophic-regex", "loop"])
def test_the_time_limit_stops_any_script_within_a_second(engine_name, pool, script):
    engine = PooledEngine(engine_name, pool)
    engine.run([Script("warm.js", "var a = 1;")], echo, time_limit=5)  # the worker has started
    started = time.monotonic()
    with pytest.raises(ScriptTimeout, match="1 s time limit"):
        engine.run([Script("scripts/regex.js", script)], echo, time_limit=1.0)
    assert time.monotonic() - started < 2.0
    calls: list[str] = []
    engine.run([Script("a.js", f"{HOST_GLOBAL}('after', 'ok');")], lambda op, text: calls.append(text) or "",
               time_limit=5)
    assert calls == ["ok"]


ORPHANED_RUN = """
import sys
from xmplan._runtime.engine import Script
from xmplan._runtime.engines import PooledEngine
from xmplan._runtime.pool import WorkerPool

pool = WorkerPool(size=1)
engine = PooledEngine(sys.argv[1], pool)
engine.run([Script("warm.js", "var a = 1;")], lambda op, text: text, time_limit=5)
print(next(iter(pool._idle)).process.pid, flush=True)
engine.run([Script("scripts/regex.js", sys.argv[2])], lambda op, text: text, time_limit=0.5)
"""


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_runaway_worker_ends_by_itself_when_the_runtime_was_killed(engine_name, tmp_path):
    """kill -9 of the runtime while a script holds the interpreter lock (js2py's regular expressions):
    the worker, in a session of its own, is ended by its CPU backstop."""
    runtime_process = subprocess.Popen([sys.executable, "-c", ORPHANED_RUN, engine_name, CATASTROPHIC],
                                       stdout=subprocess.PIPE, text=True)
    assert runtime_process.stdout is not None
    worker = int(runtime_process.stdout.readline())
    time.sleep(0.2)  # the run has started
    runtime_process.kill()
    runtime_process.wait()
    runtime_process.stdout.close()
    deadline = time.monotonic() + 10
    while not gone(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not gone(worker):
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the orphaned worker was still running 10 s after its runtime was killed")


def test_a_worker_that_overran_is_replaced_and_others_are_reused(engine_name, pool):
    engine = PooledEngine(engine_name, pool)
    engine.run([Script("a.js", "var a = 1;")], echo, time_limit=5)
    before = pids(pool)
    engine.run([Script("a.js", "var a = 2;")], echo, time_limit=5)
    assert pids(pool) == before  # reused
    with pytest.raises(ScriptTimeout):
        engine.run([Script("a.js", "while (true) {}")], echo, time_limit=0.3)
    assert len(pool._idle) == 1 and pids(pool) != before  # killed and replaced
    engine.run([Script("a.js", "var a = 3;")], echo, time_limit=5)


def test_limits_hold_when_runs_come_from_other_threads(engine_name):
    """QuickJS once refused other threads (SIGALRM works only on the main one)."""
    pool = WorkerPool(size=4)
    engine = PooledEngine(engine_name, pool)
    try:
        with ThreadPoolExecutor(max_workers=4) as warm:  # four workers started, so no run waits for one
            list(warm.map(lambda i: engine.run([Script("w.js", "var a = 1;")], echo, time_limit=5), range(4)))
        outcomes: list[Any] = []
        durations: list[float] = []

        def work(index: int) -> None:
            script = "while (true) {}" if index % 2 else f"{HOST_GLOBAL}('n', '{index}');"
            calls: list[str] = []
            started = time.monotonic()
            try:
                engine.run([Script(f"s{index}.js", script)], lambda op, text: calls.append(text) or "",
                           time_limit=0.5)
                outcomes.append(("ok", calls))
            except ScriptTimeout as err:
                outcomes.append(("timeout", err.problems[0].location.file))
            durations.append(time.monotonic() - started)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        assert sorted(outcomes, key=str) == sorted([("ok", ["0"]), ("ok", ["2"]), ("timeout", "s1.js"),
                                                    ("timeout", "s3.js")], key=str)
        assert max(durations) < 0.5 + 1.0  # the time limit plus a second, on every thread
        assert pool.workers <= 4
    finally:
        pool.close()


def test_concurrent_runtime_runs_each_get_their_own_outcome(engine_name, pool):
    plan = make_plan({"Echo": "for (var i = 0; i < 3; i++) { console.log(request.body + ' ' + i); }"})
    rt = runtime(plan, engine_name)
    rt.engine = PooledEngine(engine_name, pool)
    with ThreadPoolExecutor(max_workers=4) as executor:
        outcomes = list(executor.map(lambda n: rt.run("Echo", body=f"run{n}"), range(8)))
    assert [o.lines for o in outcomes] == [[f"run{n} {i}" for i in range(3)] for n in range(8)]
    assert pool.workers <= 2


def test_a_host_error_still_propagates_through_the_worker(engine_name, pool):
    def host(operation: str, text: str) -> str:
        raise LookupError("not emulated: " + operation)

    with pytest.raises(LookupError, match="not emulated: x"):
        PooledEngine(engine_name, pool).run([Script("a.js", f"try {{ {HOST_GLOBAL}('x', ''); }} catch (e) {{}}")],
                                            host, time_limit=5)


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(6)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def test_a_slow_real_request_is_bounded_by_the_remaining_time(engine_name):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)  # poll 0.01 s
    thread.start()
    try:
        endpoint = {"name": "Slow", "baseUrl": f"http://127.0.0.1:{server.server_port}"}
        plan = make_plan({"Call": "http.request({endpoint: 'Slow', path: '/x'}).write();", "Warm": ""},
                         endpoints=[endpoint])
        rt = runtime(plan, engine_name, real_http=True, time_limit=1.0)
        assert rt.run("Warm").ok  # a worker has started
        started = time.monotonic()
        outcome = rt.run("Call")
        assert time.monotonic() - started < 2.0
        assert outcome.error is not None and outcome.error.timeout
    finally:
        server.shutdown()
        server.server_close()


def test_a_worker_that_dies_is_reported_and_replaced(engine_name, pool):
    engine = PooledEngine(engine_name, pool)
    engine.run([Script("a.js", "var a = 1;")], echo, time_limit=5)
    (worker,) = pool._idle
    worker.process.kill()
    worker.process.wait()
    engine.run([Script("a.js", "var a = 1;")], echo, time_limit=5)  # a dead idle worker is not used

    def kill_it(operation: str, text: str) -> str:
        os.kill(int(text), signal.SIGKILL)  # the worker dies in the middle of its run
        return ""

    (worker,) = pool._idle
    with pytest.raises(ScriptError, match="worker process ended"):
        engine.run([Script("a.js", f"{HOST_GLOBAL}('kill', '{worker.process.pid}'); while (true) {{}}")],
                   kill_it, time_limit=5)
    engine.run([Script("a.js", "var a = 1;")], echo, time_limit=5)


def test_the_cli_the_plugin_and_the_api_all_run_through_the_pool(monkeypatch, tmp_path, pytester):
    served: list[str] = []
    original = WorkerPool.run

    def counting(self: WorkerPool, engine: str, scripts: Any, host: Any, **options: Any) -> None:
        served.append(engine)
        original(self, engine, scripts, host, **options)

    monkeypatch.setattr(WorkerPool, "run", counting)
    request = tmp_path / "request.json"
    request.write_text('{"body": "{}"}')
    from xmplan._cli import main

    assert main(["run", str(SAMPLE), "Inbound Alert", "--request", str(request)]) in (0, 1)
    assert len(served) == 1  # the CLI
    assert Runtime(make_plan({"A": "console.log(1);"})).run("A").lines == ["1"]
    assert len(served) == 2  # the Python API
    plan = make_plan({"A": "console.log(2);"})
    with zipfile.ZipFile(pytester.path / "plan.zip", "w") as archive:
        for entry in plan.entries:
            archive.writestr(entry.name, json.dumps(entry.data))
    pytester.makeini("[pytest]\nxmplan_plan = plan.zip\n")
    pytester.makepyfile(test_user="def test_it(xmplan):\n    assert xmplan.run('A').lines == ['2']\n")
    pytester.runpytest().assert_outcomes(passed=1)
    assert len(served) == 3  # the pytest plugin


def test_memory_is_measured_without_proc_as_on_macos(monkeypatch, tmp_path):
    """Without /proc the peak resident size (getrusage) stands in: a run that grows is still stopped."""
    from xmplan._runtime.engines import _memory, in_process

    monkeypatch.setattr(_memory, "_STATM", tmp_path / "no-proc")
    peak = _memory.resident()
    assert peak is not None and peak > 1024 * 1024
    engine = in_process("quickjs" if "js2py" not in __import__("runtime_plans").ENGINES else "js2py")
    if hasattr(engine, "memory_limit"):
        engine.memory_limit = 64 * 1024 * 1024
    with pytest.raises(ScriptError) as caught:
        engine.run([Script("grow.js", "var s = 'x';\nwhile (true) { s = s + s; }")], echo, time_limit=20)
    assert caught.value.problems[0].rule == "js-memory"


def test_a_worker_started_ahead_serves_the_first_run() -> None:
    """`xmplan run` starts a worker before it loads the plan, so the two overlap (issue #15)."""
    pool = WorkerPool(size=1)
    try:
        pool.start("quickjs")
        assert pool.workers == 1
        (started,) = pids(pool)
        pool.start("quickjs")  # one is idle already: no second
        assert pool.workers == 1
        pool.run("quickjs", [Script("a.js", "var a = 1;")], echo, time_limit=10)
        assert pids(pool) == {started}
    finally:
        pool.close()


def test_a_worker_without_site_runs_it_when_an_engine_does_not_import() -> None:
    """Workers start without `site` (issue #15); an engine only a .pth file's import hook can find
    would not import so: the worker then runs `site` and tries once more."""
    import subprocess
    import sys

    from xmplan._runtime._spawn import command

    argv = command(0, "quickjs")
    probe = argv[4].removesuffix("from xmplan._runtime._worker import main; main()") + (
        "import xmplan._runtime.engines as engines\n"
        "from xmplan._runtime._worker import Worker\n"
        "real, tries = engines.made, []\n"
        "def made(name):\n"
        "    tries.append('site' in sys.modules)\n"
        "    if len(tries) == 1:\n"
        "        raise ImportError('found by an import hook only')\n"
        "    return real(name)\n"
        "engines.made = made\n"
        "print(type(Worker(None).engine('quickjs')).__name__, tries)\n")
    done = subprocess.run([sys.executable, *argv[1:4], probe], capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "QuickJSEngine [False, True]"


def test_workers_lower_their_priority_as_the_environment_asks(monkeypatch, engine_name) -> None:
    """`xmplan serve` asks for it, so that its threads answering HTTP come before the scripts."""
    monkeypatch.setenv("XMPLAN_WORKER_NICENESS", "3")
    pool = WorkerPool(size=1)
    try:
        pool.run(engine_name, [Script("a.js", "var a = 1;")], echo, time_limit=10)
        (worker,) = pids(pool)
        assert os.getpriority(os.PRIO_PROCESS, worker) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 3)
    finally:
        pool.close()


@pytest.mark.parametrize("script", ["var a = 1;", "while (true) {}"], ids=["healthy", "overran"])
def test_a_pool_closed_during_a_run_ends_the_run_s_worker_too(engine_name, monkeypatch, script) -> None:
    """The worker (or, after an overrun, its replacement) would go idle in a closed pool: it ends instead,
    rather than leaving a process and its pipes to the collector."""
    import xmplan._runtime.pool as pool_module

    made: list[Any] = []
    real = pool_module._Process
    monkeypatch.setattr(pool_module, "_Process", lambda *args: made.append(real(*args)) or made[-1])
    pool = WorkerPool(size=1)

    def closing(operation: str, text: str) -> str:
        pool.close()  # while the run is under way
        return text

    run = [Script("a.js", f"{HOST_GLOBAL}('close', 'now'); {script}")]
    try:
        pool.run(engine_name, run, closing, time_limit=0.5)
    except ScriptTimeout:
        assert script.startswith("while")
    assert pool.workers == 0 and pool._idle == []
    assert len(made) == (2 if script.startswith("while") else 1)
    assert all(p.process.returncode is not None and p.process.stdout.closed for p in made)


@pytest.mark.parametrize("error", [
    SetupError("the quickjs engine is not installed"),
    ScriptError([Problem(Location("scripts/a.js", 3, 7), "ReferenceError: x is not defined", "error", "js-error")]),
    ScriptTimeout([Problem(Location("scripts/a.js", 1, 1), "ran past its 10 s limit", "error", "js-timeout")]),
], ids=["setup message", "script error", "timeout"])
def test_an_error_crosses_the_worker_pipe_as_it_was_raised(error):
    """A SetupError holds a message and no located problems: the message must cross too."""
    back = error_from_wire(json.loads(json.dumps(error_to_wire(error))))
    assert type(back) is type(error)
    assert str(back) == str(error) and back.problems == error.problems
