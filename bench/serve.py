"""Load `xmplan serve` with HipChat invitations and compare its cost per request with `Runtime.run` alone.

Usage: python bench/serve.py [--requests 2000] [--clients 16] [--processes 4] [--engine js2py|quickjs]
                             [--rounds 3] [--max-seconds 600]

Per engine: the flagship plan served by `xmplan serve` in its own process on 127.0.0.1 (a free
port, a temporary --data folder), `--requests` invitations (Basic authentication, as the add-on
sends them) from `--clients` concurrent clients, each on its own keep-alive connection, spread
over `--processes` client processes (16 threads in one process would queue on its interpreter
lock and add that wait to the latency measured), each sending one prepared request and reading
its answer with a minimal HTTP/1.1 client (the clients share the server's two cores). `--rounds`
loads per engine, each between two baselines; for each it prints
- requests per second while sending, and p50/p99 of the time to the 202 as the clients see it and
  inside the server (its Server-Timing header: authenticate, store, answer; and storing alone),
  and how long the clients' own threads waited for a CPU meanwhile (Linux schedstat; on a loaded
  machine that is much of the tail), with the 202 less that wait;
- the time from a 202 to its event being stored (p50/p99);
- the sustained cost per request: from the first send until every run has stored its event,
  divided by the number of requests;
- the same script through `Runtime.run` directly, in a loop on as many threads as the server
  has run threads, in the same process just before and just after the load (their mean is the
  baseline, as the machine's other load drifts), and in one loop; the ratio of the two costs;
- the CPU time per request of the server (its process, and its run host and script workers) and of the
  clients, against the CPU time of a direct run: a ratio that the machine's other load moves
  much less than the wall-clock one;
- how many 202s have their activity record and their event (every one must).
Then the verdict: the median of the rounds' cost ratios, and the p99 of all their 202s.
Traffic goes to 127.0.0.1 only; the count and the time are bounded.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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
WORKERS = 2  # the server's run threads (in its run host); Runtime.run's worker pool is sized to the machine
PASSWORD = "bench-password"
AUTH = ("integration", PASSWORD)
INVITE_ID = "add3a4bd-88d3-4cc8-a37c-397c7de95d34"  # the flagship plan's "Invite to Room"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by a process and by its live descendants (its run host and
    script workers)."""
    tick = os.sysconf("SC_CLK_TCK")

    def own(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    def children(p: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                found += [int(c) for c in task.read_text().split()]
            except OSError:
                pass
        return found

    descendants, pending = 0.0, children(pid)
    while pending:
        child = pending.pop()
        descendants += own(child)
        pending += children(child)
    return own(pid), descendants


def baseline(engine: str, body: str, runs: int, threads: int) -> tuple[float, float]:
    """Milliseconds per `Runtime.run` of the invitation, `threads` loops at once (after a warm-up): wall
    clock, and CPU (this process and its script workers)."""
    runtime = Runtime(load_plan(ROOT), engine=engine)
    request = Request(body, {"Content-Type": "application/json"})
    for _ in range(5):
        assert runtime.run("Invite to Room", request).events
    per_thread = runs // threads

    def loop() -> None:
        for _ in range(per_thread):
            runtime.run("Invite to Room", request)

    started, cpu = time.perf_counter(), sum(cpu_seconds(os.getpid()))
    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    runs = per_thread * threads
    return (time.perf_counter() - started) * 1000 / runs, (sum(cpu_seconds(os.getpid())) - cpu) * 1000 / runs


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


def load(engine: str, body: str, count: int, clients: int, processes: int, max_seconds: float) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        process, base = start_server(data, engine, count)
        try:
            url = f"{base}/api/integration/1/functions/{INVITE_ID}/triggers"
            store = Store(data / "state" / "xmplan.db")
            warm = requests.post(url, data=body, auth=AUTH, headers=headers, timeout=30)
            assert warm.status_code == 202 and wait_done(store, time.monotonic() + 120)
            cpu = cpu_seconds(process.pid)
            started, results, client_cpu = send_all(base, body, count, clients, processes, max_seconds)
            sent = time.perf_counter() - started
            finished = wait_done(store, time.monotonic() + max_seconds + 60)
            total = time.perf_counter() - started
            server_cpu = [after - before for before, after in zip(cpu, cpu_seconds(process.pid), strict=True)]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        to_event, recorded, with_event = [], 0, 0
        for _, answered_at, request_id, *_ in results:
            recorded += bool(store.activity(request_id=request_id, limit=1))
            _, events = store.events(request_id=request_id, limit=1)
            if events:
                with_event += 1
                # `created` is stamped when the run's results are stored (UTC, milliseconds).
                created = datetime.strptime(events[0]["created"].replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
                to_event.append((created.timestamp() - answered_at) * 1000)
    latencies = [r[0] for r in results]
    return {"engine": engine, "server": [r[3] for r in results], "store": [r[4] for r in results],
            "client_wait": [r[5] for r in results], "net": [r[0] - r[5] for r in results],
            "sent": len(results), "finished": finished, "send_seconds": sent, "total_seconds": total,
            "latencies": latencies, "to_event": to_event, "recorded": recorded, "with_event": with_event,
            "body": body, "server_cpu": server_cpu, "client_cpu": client_cpu}


# ms to the 202, when it came (epoch s), its requestId, from Server-Timing: ms in the app, of which storing;
# and ms the client's thread spent meanwhile waiting for a CPU
Sent = tuple[float, float, str, float, float, float]


def cpu_wait() -> float:
    """Milliseconds the calling thread has waited for a CPU so far (Linux schedstat; 0 elsewhere)."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def send_all(base: str, body: str, count: int, clients: int, processes: int,
             max_seconds: float) -> tuple[float, list[Sent], float]:
    """`count` invitations from `clients` concurrent clients spread over `processes` processes (so the
    clients' own CPU work does not queue on one interpreter lock), started together; when they were
    started (perf_counter), what each 202 said, and the CPU seconds the clients used."""
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Queue(), context.Event(), context.Queue()
    shares = [(clients // processes + (n < clients % processes), count // processes + (n < count % processes))
              for n in range(processes)]
    workers = [context.Process(target=client_process, args=(base, body, threads, share, max_seconds, ready, go,
                                                            results), daemon=True)
               for threads, share in shares if threads and share]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            ready.get(timeout=60)  # each has imported and connected
        go.set()
        started = time.perf_counter()
        sent: list[Sent] = []
        cpu = 0.0
        for _ in workers:
            answer = results.get(timeout=max_seconds + 60)
            if isinstance(answer, str):
                raise RuntimeError(answer)
            sent += answer[0]
            cpu += answer[1]
        return started, sent, cpu
    finally:
        for worker in workers:
            worker.join(10)
            if worker.is_alive():
                worker.kill()


class Connection:
    """A keep-alive HTTP/1.1 connection that sends one prepared request and reads the answer with the
    least work: `http.client` (which parses headers with the email package) cost the clients about
    0.1 ms more CPU per request (0.30 against 0.21 ms), on the same two cores the server runs on, where
    the load generator's cost counts as the server's (wrk is written in C for this reason)."""

    def __init__(self, host: str, port: int) -> None:
        self.socket = socket.create_connection((host, port), timeout=30)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def exchange(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        """Send `request`, read its answer: status, headers (lower-case names), body (Content-Length)."""
        self.socket.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._more()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self.buffer += self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def _more(self) -> bytes:
        data = self.socket.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        self.socket.close()


def client_process(base: str, body: str, threads: int, count: int, max_seconds: float, ready: Any, go: Any,
                   results: Any) -> None:
    """One client process: `threads` clients, each on its own keep-alive connection, sending `count` in all."""
    host, port = base.removeprefix("http://").split(":")
    path = f"/api/integration/1/functions/{INVITE_ID}/triggers"
    token = base64.b64encode(f"{AUTH[0]}:{AUTH[1]}".encode()).decode()
    payload = body.encode()
    request = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
               f"Authorization: Basic {token}\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
    connections = [Connection(host, int(port)) for _ in range(threads)]
    left = iter(range(count))  # next() on one iterator is atomic under the interpreter lock
    sent: list[Sent] = []
    failure: list[str] = []
    ready.put(True)
    go.wait(60)
    deadline, cpu = time.monotonic() + max_seconds, time.process_time()

    def client(connection: Connection) -> None:
        for _ in left:
            if time.monotonic() > deadline or failure:
                return
            waited = cpu_wait()
            started = time.perf_counter()
            status, headers, text = connection.exchange(request)
            took = time.perf_counter() - started
            waited = cpu_wait() - waited
            if status != 202:
                failure.append(f"{status}: {text[:200]!r}")
                return
            timing = dict(part.strip().split(";dur=") for part in headers["server-timing"].split(","))
            sent.append((took * 1000, time.time(), json.loads(text)["requestId"], float(timing["app"]),
                         float(timing["store"]), waited))

    pool = [threading.Thread(target=client, args=(c,)) for c in connections]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    for connection in connections:
        connection.close()
    results.put(failure[0] if failure else (sent, time.process_time() - cpu))


def wait_done(store: Store, deadline: float) -> bool:
    """Until no accepted request is queued or running (polling the store, as a second reader)."""
    while time.monotonic() < deadline:
        counts = store.counts()
        if not counts.get("queued") and not counts.get("running"):
            return True
        time.sleep(0.05)
    return False


def report(result: dict[str, Any], direct: list[tuple[float, float]], single: float) -> float:
    """Print the figures of one load; its cost ratio. `direct`: the 2-thread baselines (wall, CPU ms per
    run) measured before and after the load, `single`: one loop's wall ms per run."""
    engine, sent = result["engine"], result["sent"]
    latencies, to_event = result["latencies"], result["to_event"]
    sustained = result["total_seconds"] * 1000 / sent
    # The machine's other load drifts: the baseline is the mean of one measured just before the
    # load and one just after it.
    per_run = sum(wall for wall, _ in direct) / len(direct)
    per_run_cpu = sum(cpu for _, cpu in direct) / len(direct)
    ratio = sustained / per_run
    p99 = percentile(latencies, 0.99)
    print(f"{engine}: {sent} invitations from the clients in {result['send_seconds']:.1f} s = "
          f"{sent / result['send_seconds']:.0f} requests/s")
    print(f"  202: p50 {percentile(latencies, 0.5):.1f} ms, p99 {p99:.1f} ms (target <= {P99_TARGET_MS:.0f} ms); "
          f"inside the server (Server-Timing): p50 {percentile(result['server'], 0.5):.1f} ms, "
          f"p99 {percentile(result['server'], 0.99):.1f} ms (storing: p50 {percentile(result['store'], 0.5):.1f} ms, "
          f"p99 {percentile(result['store'], 0.99):.1f} ms)")
    waits = result["client_wait"]
    print(f"  of the 202 at the clients, their threads waited for a CPU: p50 {percentile(waits, 0.5):.1f} ms, "
          f"p99 {percentile(waits, 0.99):.1f} ms; the 202 less that wait: "
          f"p50 {percentile(result['net'], 0.5):.1f} ms, p99 {percentile(result['net'], 0.99):.1f} ms")
    if to_event:
        print(f"  202 to event stored: p50 {percentile(to_event, 0.5):.0f} ms, p99 {percentile(to_event, 0.99):.0f} ms")
    print(f"  sustained cost per request (202, run, event stored): {sustained:.2f} ms "
          f"({result['total_seconds']:.1f} s for all)")
    print(f"  Runtime.run directly: {per_run:.2f} ms per run on {WORKERS} threads (before the load "
          f"{direct[0][0]:.2f}, after {direct[-1][0]:.2f}), {single:.2f} ms in one loop")
    target = RATIO_TARGETS.get(engine, 2.0)
    print(f"  ratio: {ratio:.2f} (target <= {target}); against one loop: {sustained / single:.2f}")
    own, workers = (seconds * 1000 / sent for seconds in result["server_cpu"])
    clients = result["client_cpu"] * 1000 / sent
    served = own + workers
    print(f"  CPU per request: server {served:.2f} ms (its process {own:.2f}, "
          f"run host and script workers {workers:.2f}), "
          f"clients {clients:.2f} ms; Runtime.run directly {per_run_cpu:.2f} ms; "
          f"CPU ratio {served / per_run_cpu:.2f} ({(served + clients) / per_run_cpu:.2f} with the clients)")
    lost = sent - result["recorded"]
    print(f"  activity records: {result['recorded']} of {sent} 202s; events: {result['with_event']}; "
          f"lost: {lost}; all runs finished: {result['finished']}")
    return ratio


def verdict(engine: str, results: list[dict[str, Any]], ratios: list[float]) -> bool:
    """Print the rounds' verdict: the median cost ratio, and the p99 of every 202 of every round
    (one load is a few seconds of a noisy machine: the rounds take the median of several)."""
    latencies = [latency for result in results for latency in result["latencies"]]
    sent = sum(result["sent"] for result in results)
    complete = all(result["recorded"] == result["with_event"] == result["sent"] for result in results)
    ratio, p99, target = statistics.median(ratios), percentile(latencies, 0.99), RATIO_TARGETS.get(engine, 2.0)
    met = ratio <= target and p99 <= P99_TARGET_MS and complete
    print(f"{engine} over {len(results)} rounds: cost ratio median {ratio:.2f} "
          f"(rounds {', '.join(f'{r:.2f}' for r in ratios)}; target <= {target}), "
          f"202 p99 {p99:.1f} ms over all {sent} (target <= {P99_TARGET_MS:.0f} ms), "
          f"every 202 recorded with its event: {complete}: {'met' if met else 'NOT met'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", type=int, default=4, help="client processes the clients are spread over")
    parser.add_argument("--engine", choices=["js2py", "quickjs"], action="append")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="stop sending after this long")
    parser.add_argument("--baseline-runs", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3, help="loads per engine, each between two baselines")
    args = parser.parse_args()
    if not 1 <= args.requests <= 10000 or not 1 <= args.clients <= 64 or not 1 <= args.processes <= args.clients \
            or not 1 <= args.rounds <= 9:
        parser.error("--requests must be 1..10000, --clients 1..64, --processes 1..clients and --rounds 1..9")
    ok = True
    body = json.dumps(invitation())
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    for engine in args.engine or available_engines():
        direct = [baseline(engine, body, args.baseline_runs // 2, WORKERS)]
        results = []
        for _ in range(args.rounds):
            results.append(load(engine, body, args.requests, args.clients, args.processes, args.max_seconds))
            direct.append(baseline(engine, body, args.baseline_runs // 2, WORKERS))
        single, _ = baseline(engine, body, args.baseline_runs // 2, 1)
        ratios = []
        for number, result in enumerate(results):
            print(f"round {number + 1} of {args.rounds}:", end=" ")
            ratios.append(report(result, direct[number:number + 2], single))
        ok = verdict(engine, results, ratios) and ok
        print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
