"""Time unpack + rebuild of the whole corpus against a bare parse-and-re-deflate baseline.

Unpack is `xmplan unpack` (zip -> source tree on disk); rebuild is loading that tree and writing
the zip. `xmplan build` also checks the plan's schema and references first, which is left out
here: it is validation, not conversion, and `xmplan validate` measures the same.

Run: python bench/roundtrip.py [CORPUS_DIR]. Prints both times, measured side by side in this
run (best of 5 rounds each, interleaved), and their ratio; the target is a ratio of at most 2.0.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

from xmplan._export import plan_zip
from xmplan._files import write_tree
from xmplan._source import load_source
from xmplan._unpack import unpack_plan

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "plans"


def baseline(zips: list[Path]) -> None:
    """Parse every JSON entry and deflate it again: the least any rebuild must do."""
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".json") and "__MACOSX" not in info.filename:
                    data = archive.read(info)
                    json.loads(data)
                    deflater = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
                    deflater.compress(data)
                    deflater.flush()


def roundtrip(zips: list[Path], work: Path) -> None:
    """What a user does: unpack each export to a source tree on disk, then build it."""
    for index, path in enumerate(zips):
        tree = work / str(index)
        write_tree(tree, unpack_plan(path))
        plan_zip(load_source(tree))


def best_of(rounds: int, run) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    zips = sorted(corpus.glob("*.zip"))
    if not zips:
        print(f"no plan zips in {corpus}: nothing to measure")
        return 0
    # Source trees go to memory-backed storage where there is some: this measures xmplan's
    # work, not the speed of the disk's metadata updates (thousands of small files).
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    base = ours = float("inf")
    for _ in range(5):
        base = min(base, best_of(1, lambda: baseline(zips)))
        with tempfile.TemporaryDirectory(dir=scratch) as work:
            ours = min(ours, best_of(1, lambda: roundtrip(zips, Path(work))))
    print(f"plans: {len(zips)}; source trees written to {scratch or tempfile.gettempdir()}")
    print(f"baseline (parse + re-deflate): {base:.3f} s")
    print(f"unpack + rebuild:              {ours:.3f} s")
    print(f"ratio: {ours / base:.2f} (target <= 2.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
