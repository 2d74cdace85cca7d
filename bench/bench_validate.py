"""Benchmark: validate a 2,000-subnet, 500-pool plan, and compare the overlap sweep with a pairwise check.

Run: .venv/bin/python -m bench.bench_validate
The ratio is measured against the naive check in the same run, so it does not depend on the machine.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from ipaddress import IPv4Network
from typing import TypeVar

from engine.check import Check
from engine.model import Cluster, Cni, NodeImage, NodePool, RouteRule, SecurityRule, Subnet, Tenancy, Vcn
from engine.rules import RULES
from engine.rules.cidr_overlap import overlapping_pairs
from engine.usecases.validate import validate_cluster

T = TypeVar("T")

SUBNETS, POOLS, SEED = 2_000, 500, 20_260_101
SERVICES = "all-iad-services-in-oracle-services-network"
OPEN_RULES = (
    SecurityRule(direction="ingress", protocol="all", peer="10.0.0.0/8"),
    SecurityRule(direction="egress", protocol="all", peer="10.0.0.0/8"),
    SecurityRule(direction="ingress", protocol="1", peer="0.0.0.0/0", icmp_type=3, icmp_code=4),
    SecurityRule(direction="egress", protocol="1", peer="0.0.0.0/0", icmp_type=3, icmp_code=4),
    SecurityRule(direction="egress", protocol="6", peer=SERVICES, peer_type="service"),
)
ROUTES = (
    RouteRule(destination="0.0.0.0/0", target="nat-gateway"),
    RouteRule(destination=SERVICES, destination_type="service", target="service-gateway"),
)


def _subnet(name: str, cidr: IPv4Network) -> Subnet:
    return Subnet(
        id=name,
        name=name,
        vcn_id="vcn",
        cidrs=(cidr,),
        regional=True,
        public=False,
        route_rules=ROUTES,
        security_rules=OPEN_RULES,
    )


def build_tenancy(seed: int = SEED) -> tuple[Tenancy, Cluster]:
    """1 API, 2 worker subnets and 1 pod subnet per pool, the rest LB subnets; a few LB subnets overlap."""
    rng = random.Random(seed)
    workers = [_subnet(f"w{i}", IPv4Network((0x0A010000 + i * 64, 26))) for i in range(2 * POOLS)]
    pods = [_subnet(f"p{i}", IPv4Network((0x0A100000 + i * 1024, 22))) for i in range(POOLS)]
    lb_count = SUBNETS - 1 - len(workers) - len(pods)
    lb_slots = rng.sample(range(2048), lb_count)
    # Ten LB subnets reuse another's block, so the plan has overlaps to find.
    for i in rng.sample(range(lb_count), 10):
        lb_slots[i] = lb_slots[(i + 1) % lb_count]
    lbs = [_subnet(f"lb{i}", IPv4Network((0x0A040000 + slot * 32, 27))) for i, slot in enumerate(lb_slots)]
    api = _subnet("api", IPv4Network("10.0.0.0/28"))
    pools = tuple(
        NodePool(
            id=f"np{i}",
            name=f"np{i}",
            cluster_id="c",
            shape="VM.Standard.E4.Flex",
            ocpus=4,
            size=3,
            max_size=rng.randint(3, 8),
            worker_subnet_ids=(f"w{2 * i}", f"w{2 * i + 1}"),
            pod_subnet_ids=(f"p{i}",),
            kubernetes_version="v1.29.1",
            image=NodeImage(name="Oracle-Linux-8.9-2024.01.26-0-OKE-1.29.1-668"),
        )
        for i in range(POOLS)
    )
    cluster = Cluster(
        id="c",
        name="big",
        vcn_id="vcn",
        kubernetes_version="v1.29.1",
        cni=Cni.VCN_NATIVE,
        pods_cidr=IPv4Network("10.244.0.0/16"),
        services_cidr=IPv4Network("10.96.0.0/16"),
        endpoint_subnet_id="api",
        lb_subnet_ids=tuple(s.id for s in lbs),
        node_pools=pools,
    )
    vcn = Vcn(id="vcn", name="big-vcn", cidrs=tuple(IPv4Network(f"10.{n}.0.0/16") for n in (0, 1, 4, *range(16, 24))))
    return Tenancy(vcns=(vcn,), subnets=(api, *workers, *pods, *lbs), clusters=(cluster,)), cluster


def naive_overlaps(blocks: list[tuple[IPv4Network, str]]) -> set[frozenset[str]]:
    """Every pair compared with every other: the quadratic baseline."""
    spans = [(int(b.network_address), int(b.broadcast_address), key) for b, key in blocks]
    return {
        frozenset((a, b))
        for i, (start_a, end_a, a) in enumerate(spans)
        for start_b, end_b, b in spans[i + 1 :]
        if start_a <= end_b and start_b <= end_a
    }


def best_of(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """The fastest of a few runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def main() -> int:
    """Print the timings, the ratio and the findings count; exit 0."""
    tenancy, cluster = build_tenancy()
    blocks = [(block, s.id) for s in tenancy.subnets for block in s.cidrs]
    rules_s, _ = best_of(3, lambda: [f for rule in RULES for f in rule(Check(tenancy, cluster))])
    validate_s, findings = best_of(1, lambda: validate_cluster(tenancy, cluster))
    sweep_s, swept = best_of(3, lambda: overlapping_pairs(blocks))
    naive_s, naive = best_of(1, lambda: naive_overlaps(blocks))
    if {frozenset(pair) for pair in swept} != naive:
        print("MISMATCH: the sweep and the pairwise check disagree")
        return 1
    overlaps = sum(1 for f in findings if f.code == "SUBNET_OVERLAP")
    print(f"plan: {len(tenancy.subnets):,} subnets, {len(cluster.node_pools):,} node pools")
    print(
        f"validate_cluster (all rules):   {validate_s * 1000:8.1f} ms, {len(findings)} findings "
        f"({overlaps} SUBNET_OVERLAP)"
    )
    print(f"  of which engine.rules:        {rules_s * 1000:8.1f} ms (capacity rules: the rest)")
    print(f"overlap sweep (sorted):         {sweep_s * 1000:8.1f} ms, {len(swept)} overlapping pairs")
    print(f"overlap pairwise (naive):       {naive_s * 1000:8.1f} ms, {len(naive)} overlapping pairs")
    print(f"naive / sweep ratio:            {naive_s / sweep_s:8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
