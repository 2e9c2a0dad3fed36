"""Load `xmplan serve` with HipChat invitations and compare its cost per request with `Runtime.run` alone.

Usage: python bench/serve.py [--requests 2000] [--clients 16] [--engine js2py|quickjs] [--max-seconds 600]

Per engine: the flagship plan served by `xmplan serve` in its own process on 127.0.0.1 (a free
port, a temporary --data folder),
`--requests` invitations (Basic authentication, as the add-on sends them) from `--clients`
concurrent clients, each on its own keep-alive connection. It prints
- requests per second while sending, and p50/p99 of the time to the 202 as the clients see it and
  inside the server (its Server-Timing header: authenticate, store, answer);
- the time from a 202 to its event being stored (p50/p99);
- the sustained cost per request: from the first send until every run has stored its event,
  divided by the number of requests;
- the same script through `Runtime.run` directly, in a loop on as many threads as the server
  has run threads (and in one loop), in the same process, and the ratio of the two costs;
- how many 202s have their activity record and their event (every one must).
Traffic goes to 127.0.0.1 only; the count and the time are bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serve_helpers import invitation  # noqa: E402

from xmplan._runtime.api import Request, Runtime, load_plan  # noqa: E402
from xmplan._runtime.engines import available_engines  # noqa: E402
from xmplan._serve.store import Store  # noqa: E402

P99_TARGET_MS = 50.0
RATIO_TARGETS = {"js2py": 1.5, "quickjs": 2.0}
WORKERS = 2  # the server's run threads; Runtime.run's worker pool is sized to the machine
PASSWORD = "bench-password"
AUTH = ("integration", PASSWORD)
INVITE_ID = "add3a4bd-88d3-4cc8-a37c-397c7de95d34"  # the flagship plan's "Invite to Room"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def baseline(engine: str, body: str, runs: int, threads: int) -> float:
    """Milliseconds per `Runtime.run` of the invitation, `threads` loops at once (after a warm-up)."""
    runtime = Runtime(load_plan(ROOT), engine=engine)
    request = Request(body, {"Content-Type": "application/json"})
    for _ in range(5):
        assert runtime.run("Invite to Room", request).events
    per_thread = runs // threads

    def loop() -> None:
        for _ in range(per_thread):
            runtime.run("Invite to Room", request)

    started = time.perf_counter()
    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (time.perf_counter() - started) * 1000 / (per_thread * threads)


def start_server(data: Path, engine: str, count: int) -> tuple[subprocess.Popen[str], str]:
    """`xmplan serve` in its own process (as users run it), with a directory of known password."""
    people = data / "people.json"
    people.write_text(json.dumps({"people": [{"targetName": "integration", "firstName": "Integration",
                                              "lastName": "User", "password": PASSWORD}], "groups": []}))
    process = subprocess.Popen(
        [sys.executable, "-m", "xmplan", "serve", str(ROOT), "--port", "0", "--data", str(data / "state"),
         "--engine", engine, "--people", str(people), "--rate-limit", str(count * 2), "--workers", str(WORKERS),
         "--endpoint", "HipChat=http://127.0.0.1:9"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"a local xMatters at (http://127\.0\.0\.1:\d+)", line)
        if found:
            threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its pipe drained
            return process, found.group(1)
    raise RuntimeError("xmplan serve did not start")


def load(engine: str, count: int, clients: int, max_seconds: float) -> dict[str, Any]:
    body = json.dumps(invitation())
    headers = {"Content-Type": "application/json"}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        process, base = start_server(data, engine, count)
        try:
            url = f"{base}/api/integration/1/functions/{INVITE_ID}/triggers"
            store = Store(data / "state" / "xmplan.db")
            warm = requests.post(url, data=body, auth=AUTH, headers=headers, timeout=30)
            assert warm.status_code == 202 and wait_done(store, time.monotonic() + 120)
            local = threading.local()
            deadline = time.monotonic() + max_seconds

            def send(_: int) -> tuple[float, float, str, float] | None:
                if time.monotonic() > deadline:
                    return None
                session = getattr(local, "session", None)
                if session is None:
                    session = local.session = requests.Session()
                started = time.perf_counter()
                answer = session.post(url, data=body, auth=AUTH, headers=headers, timeout=30)
                took = time.perf_counter() - started
                if answer.status_code != 202:
                    raise RuntimeError(f"{answer.status_code}: {answer.text}")
                server = float(answer.headers["Server-Timing"].split("dur=")[1])
                return took * 1000, time.time(), answer.json()["requestId"], server

            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                results = [r for r in pool.map(send, range(count)) if r is not None]
            sent = time.perf_counter() - started
            finished = wait_done(store, deadline + 60)
            total = time.perf_counter() - started
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        to_event, recorded, with_event = [], 0, 0
        for _, answered_at, request_id, _ in results:
            recorded += bool(store.activity(request_id=request_id, limit=1))
            _, events = store.events(request_id=request_id, limit=1)
            if events:
                with_event += 1
                # `created` is stamped when the run's results are stored (UTC, milliseconds).
                created = datetime.strptime(events[0]["created"].replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
                to_event.append((created.timestamp() - answered_at) * 1000)
    latencies = [r[0] for r in results]
    return {"engine": engine, "server": [r[3] for r in results], "sent": len(results), "finished": finished,
            "send_seconds": sent, "total_seconds": total, "latencies": latencies, "to_event": to_event,
            "recorded": recorded, "with_event": with_event, "body": body}


def wait_done(store: Store, deadline: float) -> bool:
    """Until no accepted request is queued or running (polling the store, as a second reader)."""
    while time.monotonic() < deadline:
        counts = store.counts()
        if not counts.get("queued") and not counts.get("running"):
            return True
        time.sleep(0.05)
    return False


def report(result: dict[str, Any], per_run: float, per_run_single: float) -> bool:
    engine, sent = result["engine"], result["sent"]
    latencies, to_event = result["latencies"], result["to_event"]
    sustained = result["total_seconds"] * 1000 / sent
    ratio = sustained / per_run
    p99 = percentile(latencies, 0.99)
    print(f"{engine}: {sent} invitations from the clients in {result['send_seconds']:.1f} s = "
          f"{sent / result['send_seconds']:.0f} requests/s")
    print(f"  202: p50 {percentile(latencies, 0.5):.1f} ms, p99 {p99:.1f} ms (target <= {P99_TARGET_MS:.0f} ms); "
          f"inside the server (Server-Timing): p50 {percentile(result['server'], 0.5):.1f} ms, "
          f"p99 {percentile(result['server'], 0.99):.1f} ms")
    if to_event:
        print(f"  202 to event stored: p50 {percentile(to_event, 0.5):.0f} ms, p99 {percentile(to_event, 0.99):.0f} ms")
    print(f"  sustained cost per request (202, run, event stored): {sustained:.2f} ms "
          f"({result['total_seconds']:.1f} s for all)")
    print(f"  Runtime.run directly: {per_run:.2f} ms per run on {WORKERS} threads, {per_run_single:.2f} ms in one loop")
    target = RATIO_TARGETS.get(engine, 2.0)
    print(f"  ratio: {ratio:.2f} (target <= {target}); against one loop: {sustained / per_run_single:.2f}")
    lost = sent - result["recorded"]
    print(f"  activity records: {result['recorded']} of {sent} 202s; events: {result['with_event']}; "
          f"lost: {lost}; all runs finished: {result['finished']}")
    return p99 <= P99_TARGET_MS and ratio <= target and lost == 0 and result["with_event"] == sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--engine", choices=["js2py", "quickjs"], action="append")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="stop sending after this long")
    parser.add_argument("--baseline-runs", type=int, default=400)
    args = parser.parse_args()
    if not 1 <= args.requests <= 10000 or not 1 <= args.clients <= 64:
        parser.error("--requests must be 1..10000 and --clients 1..64")
    ok = True
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    for engine in args.engine or available_engines():
        result = load(engine, args.requests, args.clients, args.max_seconds)
        per_run = baseline(engine, result["body"], args.baseline_runs, WORKERS)
        per_run_single = baseline(engine, result["body"], args.baseline_runs // 2, 1)
        ok = report(result, per_run, per_run_single) and ok
        print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
