"""`okebot capacity` on a 100-cluster snapshot: engine time against a plain JSON parse of the same file.

    .venv/bin/python -m bench.bench_engine [--runs 5]

The tenancy (100 VCN-native clusters, 500 node pools, 5,000 nodes, 200 subnets, ~100,000 private IPs) is
generated deterministically and written as a snapshot. In the same run, best of `--runs`:

- baseline: `json.load` of the file (what any reader of it must pay);
- engine, cold: read, parse, validate and convert the snapshot, then answer capacity for every cluster
  (`okebot capacity` without its output), with nothing memoised (aim: at most 2x the baseline);
- engine, warm: the same question again, and one cluster's, on the same read (what a second question on
  the bot's cached read costs);
- output: JSON and text rendering of the answer (reported, not part of the aim).

Peak memory, two ways: tracemalloc's peak of Python allocations during one cold engine run (in this
process), and the peak resident set size (VmHWM, read by the process itself; Linux) of a fresh process
running `okebot capacity --format json`, beside one that only `json.load`s the file (aim: at most 200 MB).
A benchmark, not a timed test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.snapshot.reader import MAX_SNAPSHOT_BYTES, load_snapshot
from bot.answers import answer
from bot.queries import CapacityQuery
from bot.render.text import render_text
from engine.memo import forget_all
from engine.reports import CapacityReport

T = TypeVar("T")


def snapshot(folder: Path) -> Path:
    path = folder / "tenancy-100.json"
    path.write_text(json.dumps(generate_tenancy(clusters=100, pools_per_cluster=5, nodes_per_pool=10,
                                                pod_ips_per_node=19)))
    return path


def best_of(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def plain_parse(path: Path) -> object:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def engine(path: Path) -> CapacityReport:
    """`okebot capacity` without its output, from nothing memoised."""
    forget_all()
    tenancy, _ = load_snapshot(path, label=path.name, max_bytes=MAX_SNAPSHOT_BYTES)
    return answer(CapacityQuery(), tenancy, source=path.name)


_PEAK_OF = """
import os, sys
sys.stdout = open(os.devnull, "w")
{work}
status = open("/proc/self/status").read().splitlines()
print(next(line.split()[1] for line in status if line.startswith("VmHWM:")), file=sys.stderr)
"""


def child_peak_mb(work: str) -> float:
    """Peak resident set size (VmHWM, Linux) of a fresh Python process that runs `work`, in MB.

    Read by the process itself at its end: a parent's ru_maxrss of a child also counts the pages the child
    shared with the parent before it exec'd.
    """
    done = subprocess.run([sys.executable, "-c", _PEAK_OF.format(work=work)], check=True, stderr=subprocess.PIPE,
                          text=True)
    return int(done.stderr.split()[-1]) * 1024 / 1e6


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = snapshot(Path(tmp))
        print(f"{path.stat().st_size / 1e6:.1f} MB snapshot; best of {runs}")
        parse, _ = best_of(runs, lambda: plain_parse(path))
        cold, report = best_of(runs, lambda: engine(path))
        print(f"json.load                         {parse * 1000:7.1f} ms")
        print(f"engine, cold (read + capacity)    {cold * 1000:7.1f} ms   {cold / parse:.2f}x json.load (aim <= 2)")
        forget_all()
        tenancy, _ = load_snapshot(path, label=path.name, max_bytes=MAX_SNAPSHOT_BYTES)
        answer(CapacityQuery(), tenancy, source=path.name)
        warm, _ = best_of(runs, lambda: answer(CapacityQuery(), tenancy, source=path.name))
        one, _ = best_of(runs, lambda: answer(CapacityQuery(cluster="cluster-7"), tenancy, source=path.name))
        print(f"second question, same read: all   {warm * 1000:7.1f} ms;  one cluster {one * 1000:5.1f} ms")
        as_json, _ = best_of(runs, lambda: json.dumps(report.model_dump(mode="json", by_alias=True), indent=2))
        as_text, _ = best_of(min(runs, 2), lambda: render_text(report))
        print(f"output: JSON {as_json * 1000:.1f} ms, text (rich tables) {as_text * 1000:.1f} ms")
        tracemalloc.start()
        engine(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python allocations during one cold engine run (tracemalloc): {peak / 1e6:.0f} MB")
        baseline_rss = child_peak_mb(f"import json; json.load(open({str(path)!r}))")
        okebot_rss = child_peak_mb("from bot.cli.main import main; "
                                   f"main(['capacity', '--source', 'snapshot:{path}', '--format', 'json'])")
        print(f"peak RSS (VmHWM of a fresh process): json.load alone {baseline_rss:.0f} MB, "
              f"okebot capacity --format json {okebot_rss:.0f} MB (aim <= 200)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    main(parser.parse_args().runs)
