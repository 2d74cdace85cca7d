"""Benchmark: build a capacity digest of a 100-cluster tenancy with 30 days of 15-minute history (604,800 samples).

Run: .venv/bin/python -m bench.bench_digest [--no-store]
With the store (default): the history is also written to SQLite (a temporary file) and to PostgreSQL
(OKEBOT_TEST_POSTGRES_DSN or postgresql://postgres@127.0.0.1:5432/test, a temporary schema, when reachable), then
the forecast window is read back and the digest built from what was read; and the bytes each sample takes on disk.
CPU seconds (time.process_time) of `build_digest`, against two baselines measured in the same run on the same
samples, so the ratios do not depend on the machine:
- a plain loop that reads every sample's figures once (the least any digest must do), and
- json.loads of the samples serialised as one JSON object each (what reading them back from a store costs).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.render.digest_text import digest_text
from bot.slack.render.digest_blocks import digest_blocks
from engine.digest.build import build_digest
from engine.digest.history import Sample, samples_from_capacity
from engine.reports import ClusterCapacity, NodePoolCapacity, PodsCidrCapacity, PoolHeadroom, SubnetCapacity

T = TypeVar("T")

CLUSTERS, FLANNEL_EVERY, DAYS, PER_DAY, SEED = 100, 10, 30, 96, 20_261_126
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _cluster(index: int, rng: random.Random) -> tuple[ClusterCapacity, float]:
    """A cluster and its growth in nodes per day. Every 10th is flannel (worker subnet + pods CIDR), the rest
    VCN-native with one subnet for nodes and pods (1 + 32 IPs per node)."""
    name, nodes = f"c{index:03d}", rng.randint(3, 40)
    growth = rng.choice((0.0, 0.0, 0.05, 0.1, 0.3, -0.05))
    pool = NodePoolCapacity(
        id=f"ocid1.nodepool..{name}", name=f"{name}-np", type="managed", shape="VM.Standard.E4.Flex", nodes=nodes,
        size=nodes, max_size=None, vnics_per_node=2, max_pods_per_node=31, limited_by="vnics",
        pods_capacity=31 * nodes, pod_subnet_ips_per_node=32,
    )
    flannel = index % FLANNEL_EVERY == 0
    per_node = 1 if flannel else 33
    usable = 2045 if not flannel else 1021
    taken = nodes * per_node
    subnet = SubnetCapacity(
        id=f"ocid1.subnet..{name}", name=f"{name}-nodes", role="workers" if flannel else "pods",
        roles=["workers"] if flannel else ["pods", "workers"], cidrs=["10.0.0.0/21"], usable_ips=usable,
        used_ips=taken, reserved_ips=taken, utilization=round(taken / usable, 4),
        headroom=[PoolHeadroom(cluster=name, node_pool=pool.name, ips_per_node=per_node,
                               more_nodes=(usable - taken) // per_node)], shared_with=[],
    )
    cidr = PodsCidrCapacity(cidr="10.244.0.0/18", node_slots=128, node_slots_used=nodes, pods_capacity=128 * 110)
    cluster = ClusterCapacity(id=f"ocid1.cluster..{name}", name=name, cni="flannel" if flannel else "vcn-native",
                              kubernetes_version="v1.33.1", nodes=nodes, pods_cidr=cidr if flannel else None,
                              node_pools=[pool], subnets=[subnet], findings=[], assumptions=[])
    return cluster, growth


def build_tenancy(seed: int = SEED) -> tuple[list[ClusterCapacity], list[Sample]]:
    """100 clusters and 30 days of 15-minute samples of their 210 series, the last at NOW (today's figures)."""
    rng = random.Random(seed)
    clusters, history = [], []
    step = timedelta(days=1) / PER_DAY
    for index in range(CLUSTERS):
        cluster, growth = _cluster(index, rng)
        clusters.append(cluster)
        today = samples_from_capacity([cluster], NOW)
        nodes_now = cluster.node_pools[0].nodes or 0
        for back in range(DAYS * PER_DAY - 1, 0, -1):
            at = NOW - step * back
            nodes = max(0, round(nodes_now - growth * back / PER_DAY + rng.choice((0, 0, 0, 1, -1))))
            for sample in today:
                per_node = 1 if sample.kind == "podsCidr" or sample.kind == "nodePool" else (
                    sample.used or 0) // max(nodes_now, 1)
                figure = nodes * per_node
                update = ({"nodes": nodes} if sample.kind == "nodePool" else
                          {"used": nodes, "nodes": nodes} if sample.kind == "podsCidr" else
                          {"used": figure, "reserved": figure})
                history.append(Sample.model_construct(**{**sample.__dict__, "at": at, **update}))
        history.extend(today)
    return clusters, history


def cpu(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """The least CPU time of a few runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.process_time()
        result = work()
        best = min(best, time.process_time() - started)
    assert result is not None
    return best, result


def plain_loop(history: list[Sample]) -> int:
    """Read every sample's series and figures once: the floor for anything that looks at all of them."""
    total = 0
    for sample in history:
        total += len(sample.key) + (sample.used or 0) + (sample.reserved or 0) + sample.at.minute
    return total


def main(*, with_store: bool = True) -> int:
    """Print the sizes, the CPU seconds and the ratios (and the store half unless `with_store` is False); exit 0."""
    clusters, history = build_tenancy()
    series = {s.series for s in history}
    encoded = json.dumps([s.model_dump(mode="json") for s in history])
    loop_s, _ = cpu(3, lambda: plain_loop(history))
    json_s, _ = cpu(3, lambda: json.loads(encoded))
    digest_s, report = cpu(3, lambda: build_digest(
        clusters=clusters, findings={c.id: [] for c in clusters}, pending_cni_nodes={}, history=history,
        previous=None, source="bench", read_at=NOW, now=NOW))
    second_s, _ = cpu(3, lambda: build_digest(
        clusters=clusters, findings={c.id: [] for c in clusters}, pending_cni_nodes={}, history=history,
        previous=report.snapshot, source="bench", read_at=NOW + timedelta(hours=6), now=NOW + timedelta(hours=6)))
    render_s, _ = cpu(3, lambda: (digest_text(report, color=False), digest_blocks(report)))
    forecasts = sum(1 for c in report.clusters for s in c.subnets if s.forecast.status == "forecast") + sum(
        1 for c in report.clusters if c.pods_cidr is not None and c.pods_cidr.forecast.status == "forecast")
    print(f"tenancy: {len(clusters)} clusters, {len(series)} series, {len(history):,} samples "
          f"({DAYS} days every 15 minutes); {forecasts} series with a forecast")
    print(f"build_digest (first digest):       {digest_s:7.3f} s CPU")
    print(f"build_digest (with a previous):    {second_s:7.3f} s CPU")
    print(f"render text + Block Kit:           {render_s:7.3f} s CPU")
    print(f"baseline: plain loop over samples: {loop_s:7.3f} s CPU  -> build_digest / loop = {digest_s / loop_s:5.1f}x")
    print(f"baseline: json.loads of samples:   {json_s:7.3f} s CPU  -> build_digest / json = {digest_s / json_s:5.2f}x")
    if with_store:
        store_main(clusters, history)
    return 0


DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
WINDOW = timedelta(days=14)


async def _store_bench(url: str, history: list[Sample], clusters: list[ClusterCapacity]) -> tuple[float, float, float,
                                                                                                     int, float]:
    """Write the history, read the forecast window back, build the digest from it: (write s wall, read s CPU,
    build s CPU, samples read, digest s CPU total)."""
    from adapters.store import open_store

    store = await open_store(url)
    try:
        started = time.perf_counter()
        for start in range(0, len(history), 50_000):
            await store.record_samples(history[start:start + 50_000])
        write_s = time.perf_counter() - started
        cpu_started = time.process_time()
        window = await store.read_samples(since=NOW - WINDOW)
        read_s = time.process_time() - cpu_started
    finally:
        await store.close()
    build_s, _ = cpu(1, lambda: build_digest(
        clusters=clusters, findings={c.id: [] for c in clusters}, pending_cni_nodes={}, history=window,
        previous=None, source="bench", read_at=NOW, now=NOW))
    return write_s, read_s, build_s, len(window), read_s + build_s


async def _postgres_bytes(dsn: str, schema: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        found = await conn.fetchval(
            "SELECT pg_total_relation_size($1::regclass) + pg_total_relation_size($2::regclass)",
            f'"{schema}".capacity_samples', f'"{schema}".capacity_series')
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        return int(found)
    finally:
        await conn.close()


def store_main(clusters: list[ClusterCapacity], history: list[Sample]) -> None:
    """The store half: SQLite always, PostgreSQL when reachable."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        write_s, read_s, build_s, count, total = asyncio.run(_store_bench(f"sqlite:///{path}", history, clusters))
        size = sum(os.path.getsize(path + suffix) for suffix in ("", "-wal") if os.path.exists(path + suffix))
        _store_lines("SQLite", write_s, read_s, build_s, count, total, size, len(history))
    dsn = os.environ.get("OKEBOT_TEST_POSTGRES_DSN", DEFAULT_DSN)
    schema = f"okebot_bench_{uuid.uuid4().hex[:10]}"
    try:
        write_s, read_s, build_s, count, total = asyncio.run(
            _store_bench(f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}", history, clusters))
        size = asyncio.run(_postgres_bytes(dsn, schema))
    except Exception as exc:  # no server here: say so, the SQLite half stands
        print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})")
        return
    _store_lines("PostgreSQL", write_s, read_s, build_s, count, total, size, len(history))


def _store_lines(name: str, write_s: float, read_s: float, build_s: float, count: int, total: float, size: int,
                 samples: int) -> None:
    print(f"{name}: wrote {samples:,} samples in {write_s:.1f} s; read back the 14-day window ({count:,} samples) "
          f"in {read_s:.3f} s CPU, built the digest in {build_s:.3f} s CPU: {total:.3f} s CPU from store to digest")
    print(f"{name}: history tables {size / 1e6:.1f} MB = {size / samples:.0f} bytes per sample "
          f"(indexes included)")


if __name__ == "__main__":
    raise SystemExit(main(with_store="--no-store" not in sys.argv))
