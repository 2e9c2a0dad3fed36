"""Time whole cold processes of every command against the floor, `python -c "import jinja2, jsonschema"`.

Each round runs every command once, in a fresh process, in a shuffled order, so that what the
other users of a shared machine do falls on all rows alike; each row is the median of its runs,
and its ratio is to the floor's median in the same run. The corpus row validates every corpus
plan in one process (`xmplan validate A.zip B.zip ...`) and is judged in seconds.

Cold means a new process, not a new install: as after `pip install` (which compiles every module),
every process reads cached bytecode. The commands run with PYTHONPYCACHEPREFIX set to a temporary
folder (and without PYTHONDONTWRITEBYTECODE, should the caller's environment have it), after one
unmeasured round that fills it; otherwise a development checkout would compile xmplan from source
in every process while the floor's packages load compiled, and the ratios would measure that.
xmplan's own cache of compiled code (jinja2 templates, js2py translations of large scripts), which
every user's later processes read, is a temporary folder too, filled by the same round.

Run: python bench/cold.py [--runs N] [CORPUS_DIR]   (default 7 runs, ../shared/corpus/plans)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "plans"
PY = sys.executable
# The console script users run, beside this interpreter (python -m xmplan where there is none)
_SCRIPT = Path(PY).parent / "xmplan"
XMPLAN = [str(_SCRIPT)] if _SCRIPT.is_file() else [PY, "-m", "xmplan"]
INVITE = {"room": {"id": 4242, "name": "Ops War Room", "link": "https://hipchat.example.com/chat/room/4242"},
          "recipients": [{"id": "mmcbride", "type": "PERSON"}], "message": "Database is down, please join",
          "invitedBy": {"name": "Jane Doe", "mentionName": "JaneDoe", "id": 17},
          "hipchatUrl": "https://hipchat.example.com"}


@dataclass
class Row:
    name: str
    argv: list[str]
    target: float | None  # ratio to the floor (or seconds, for `seconds` rows)
    seconds: bool = False
    runs: int = 0  # 0: every round; else this many (the corpus row is long)
    prepare: str = ""  # "tree": the command writes into a folder that must be absent before each run


def rows(work: Path, corpus: Path, engines: list[str]) -> list[Row]:
    flagship = work / "dist" / "HipChatInvitetoRoom.zip"
    request = work / "invite.json"
    zips = sorted(corpus.glob("*.zip"))
    large = max(zips, key=lambda p: p.stat().st_size) if zips else None
    found = [
        Row("floor: python -c 'import jinja2, jsonschema'", [PY, "-c", "import jinja2, jsonschema"], None),
        Row("xmplan --help", [*XMPLAN, "--help"], 1.5),
        Row("xmplan validate flagship zip", [*XMPLAN, "validate", str(flagship)], 2.5),
    ]
    for engine in engines:
        found.append(Row(f"xmplan run flagship inbound ({engine})",
                         [*XMPLAN, "run", str(flagship), "Invite to Room", "--request", str(request),
                          "--engine", engine], 1.6 if engine == "quickjs" else None))
    # as the README has it: no arguments, run in `work`, so it writes work/dist
    found.append(Row("python build.py", [PY, str(ROOT / "build.py")], 1.3))
    if large is not None:
        found += [Row(f"xmplan validate large corpus plan ({large.stat().st_size // 1024} KiB)",
                      [*XMPLAN, "validate", str(large)], None),
                  Row("xmplan unpack large corpus plan", [*XMPLAN, "unpack", str(large), str(work / "tree")], None,
                      prepare="tree"),
                  Row(f"xmplan validate whole corpus, one process ({len(zips)} plans)",
                      [*XMPLAN, "validate", *map(str, zips)], 25.0, seconds=True, runs=3)]
    return found


def environment(work: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["XMPLAN_CACHE_DIR"] = str(work / "xmplan-cache")
    env["XMPLAN_CACHE_KEY"] = str(work / "xmplan-key" / "cache.key")
    return env


def time_once(row: Row, work: Path, env: dict[str, str]) -> float:
    if row.prepare == "tree":
        shutil.rmtree(work / "tree", ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run(row.argv, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: a plan with errors is still a measured run
        raise SystemExit(f"{row.name}: exit {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    from xmplan._runtime.engines import available_engines

    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        env = environment(work)
        subprocess.run([PY, str(ROOT / "build.py"), "-o", str(work / "dist")], check=True, stdout=subprocess.DEVNULL,
                       env=env)
        (work / "invite.json").write_text(json.dumps({"body": INVITE}), encoding="utf-8")
        table = rows(work, args.corpus, available_engines())
        for row in table:  # the unmeasured round: every module compiled once (the corpus row loads no other)
            if not row.runs:
                time_once(row, work, env)
        times: dict[str, list[float]] = {row.name: [] for row in table}
        rng = random.Random(15)
        for round_ in range(args.runs):
            order = [row for row in table if not row.runs or round_ < row.runs]
            rng.shuffle(order)
            for row in order:
                times[row.name].append(time_once(row, work, env))
    floor = statistics.median(times[table[0].name])
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"cold processes, medians of {args.runs} shuffled rounds (corpus row: 3), bytecode cached; "
          f"floor {floor * 1000:.0f} ms; load average at the end {load}")
    print(f"{'command':<58} {'median':>9} {'ratio':>7} {'target':>8}  verdict")
    for row in table:
        median = statistics.median(times[row.name])
        ratio = median / floor
        value = median if row.seconds else ratio
        target = "" if row.target is None else f"<= {row.target:g}{' s' if row.seconds else 'x'}"
        verdict = "" if row.target is None else "ok" if value <= row.target else "MISSED"
        print(f"{row.name:<58} {median * 1000:7.0f}ms {ratio:6.2f}x {target:>8}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
