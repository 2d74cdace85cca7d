"""Generate adapters/demo/demo-history.json: 30 days of 15-minute capacity samples of the demo tenancy.

Run from the repository root: `.venv/bin/python scripts/generate_demo_history.py`. Deterministic (seeded); a test
checks that the committed file is what this script makes. The last sample of every series equals what
`okebot capacity --source demo` reports at the snapshot's capturedAt (the script checks that too), and the figures
in between come from node counts per pool, the way OKE fills subnets: each node takes one worker-subnet IP, its
pod-subnet IPs per node (32, 64, 96 or 128 here, as capacity computes them) and, on flannel, one /25 slot.

- payments-native: payments-core grew from 5 to 8 nodes (a node 27, 17 and 7 days ago) and payments-edge
  scales between 3 nodes at night and 5 in the day (07:00–19:00 UTC), so its pod subnet (509 usable) went from
  about 63 % to 416 IPs (81.7 %): the forecast says it runs full in ≈ 27 days (`PAYMENTS_DAYS_TO_FULL`).
- retail-flannel: 12 → 14 of 16 pods-CIDR node slots (retail-batch +1 node 20 days ago, retail-web +1 9 days ago):
  slow, but with 2 slots left the forecast says ≈ 19 days (`RETAIL_DAYS_TO_FULL`).
- platform-healthy: flat.
- analytics: analytics-spark wanders between 4 and 6 nodes every few hours (the autoscaler), flat on average.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.demo.history import encode_history, render_history
from adapters.snapshot import load_demo_reader
from engine.digest.history import Sample, samples_from_capacity
from engine.reports import ClusterCapacity
from engine.usecases.capacity import assess_capacity

CAPTURED_AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)
COUNT = 30 * 96  # 30 days of 15-minute samples, the last at CAPTURED_AT
SEED = 20_261_126
PAYMENTS_DAYS_TO_FULL = 27  # what the forecast says for payments-native-pods at CAPTURED_AT (whole days)
RETAIL_DAYS_TO_FULL = 19  # and for retail-flannel's pods CIDR
OUTPUT = Path(__file__).resolve().parents[1] / "adapters" / "demo" / "demo-history.json"

NodeCount = Callable[[float, datetime], int]
"""Nodes of a pool `days_ago` days before the capture, at that instant."""


def steps(now: int, *days_ago: float) -> NodeCount:
    """`now` nodes today, one fewer before each of `days_ago` (a node added then)."""
    return lambda ago, _: now - sum(1 for day in days_ago if ago >= day)


def business_hours(day: int, night: int) -> NodeCount:
    return lambda _, at: day if 7 <= at.hour < 19 else night


def wandering(now: int, low: int, high: int, seed: int) -> NodeCount:
    """A node count that moves by one every few hours within [low, high], ending at `now`."""
    rng = random.Random(seed)
    path, value = [], now
    for _ in range(COUNT):  # walked backwards from the capture
        path.append(value)
        if rng.random() < 0.08:
            value = min(high, max(low, value + rng.choice((-1, 1))))
    return lambda ago, _: path[round(ago * 96)]


POOLS: dict[str, NodeCount] = {
    "payments-core": steps(8, 27, 17, 7),
    "payments-edge": business_hours(5, 3),
    "retail-web": steps(8, 9),
    "retail-batch": steps(6, 20),
    "platform-general": steps(3),
    "platform-compute": steps(2),
    "analytics-spark": wandering(5, 4, 6, SEED),
}


def sample_at(cluster: ClusterCapacity, at: datetime) -> list[Sample]:
    """The cluster's samples at `at`, from the pools' node counts then and the figures capacity gives today."""
    ago = (CAPTURED_AT - at) / timedelta(days=1)
    nodes = {pool.name: POOLS[pool.name](ago, at) for pool in cluster.node_pools}
    out = []
    for sample in samples_from_capacity([cluster], at):
        if sample.kind == "nodePool":
            out.append(sample.model_copy(update={"nodes": nodes[sample.name]}))
        elif sample.kind == "podsCidr":
            total = sum(nodes.values())
            out.append(sample.model_copy(update={"used": total, "nodes": total}))
        else:
            subnet = next(s for s in cluster.subnets if s.id == sample.key)
            held = sum(nodes[h.node_pool] * h.ips_per_node for h in subnet.headroom)
            # Observed IPs stay what they are today beyond the pools' share (0 in the demo).
            extra = (sample.used - sample.reserved) if sample.used is not None and sample.reserved is not None else 0
            out.append(sample.model_copy(update={
                "reserved": held if sample.reserved is not None else None,
                "used": held + extra if sample.used is not None else None,
            }))
    return out


def generate() -> list[Sample]:
    """Every series of the demo at every instant, checked against today's capacity at the last one."""
    tenancy = asyncio.run(load_demo_reader().read())
    clusters = assess_capacity(tenancy).clusters
    instants = [CAPTURED_AT - STEP * (COUNT - 1 - i) for i in range(COUNT)]
    samples = [s for at in instants for cluster in clusters for s in sample_at(cluster, at)]
    today = samples_from_capacity(clusters, CAPTURED_AT)
    last = [s for s in samples if s.at == CAPTURED_AT]
    if last != today:
        raise SystemExit("the last samples differ from the demo's capacity today; fix POOLS")
    return samples


def render() -> str:
    """The committed file's text."""
    return render_history(encode_history(generate()))


def main() -> int:
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
