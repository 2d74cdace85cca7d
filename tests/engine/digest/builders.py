"""Builders for capacity reports and samples in digest tests: figures in, reports out, ids derived from names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from engine.codes import Code
from engine.digest.history import Sample
from engine.findings import Finding, Severity
from engine.reports import ClusterCapacity, NodePoolCapacity, PodsCidrCapacity, PoolHeadroom, SubnetCapacity

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def sid(name: str) -> str:
    return f"ocid1.subnet.oc1..{name}"


def cid(name: str) -> str:
    return f"ocid1.cluster.oc1..{name}"


def subnet_cap(
    name: str,
    *,
    usable: int = 509,
    used: int | None = None,
    reserved: int | None = 0,
    role: str = "pods",
    roles: Sequence[str] | None = None,
    headroom: Sequence[tuple[str, int, int | None]] = (),
    claimed: bool = True,
) -> SubnetCapacity:
    """A subnet as capacity reports it; utilization follows capacity's rule (reserved counts when `claimed`)."""
    known = [v for v in (used, reserved if claimed else None) if v is not None]
    taken = max(known) if known else None
    return SubnetCapacity(
        id=sid(name), name=name, role=role, roles=list(roles or [role]), cidrs=["10.0.0.0/23"], usable_ips=usable,
        used_ips=used, reserved_ips=reserved, utilization=None if taken is None or usable == 0 else round(
            taken / usable, 4),
        headroom=[PoolHeadroom(cluster="c", node_pool=p, ips_per_node=ips, more_nodes=more)
                  for p, ips, more in headroom],
        shared_with=[],
    )


def pool_cap(name: str, *, nodes: int | None = 3, max_pods: int | None = 31) -> NodePoolCapacity:
    return NodePoolCapacity(
        id=f"ocid1.nodepool.oc1..{name}", name=name, type="managed", shape="VM.Standard.E4.Flex", nodes=nodes,
        size=nodes, max_size=None, vnics_per_node=2, max_pods_per_node=max_pods, limited_by="vnics",
        pods_capacity=None, pod_subnet_ips_per_node=32,
    )


def cluster_cap(
    name: str,
    *,
    subnets: Sequence[SubnetCapacity] = (),
    pods_cidr: tuple[str, int, int | None] | None = None,
    pools: Sequence[NodePoolCapacity] = (),
    findings: Sequence[Finding] = (),
) -> ClusterCapacity:
    cidr = None
    if pods_cidr is not None:
        text, slots, used = pods_cidr
        cidr = PodsCidrCapacity(cidr=text, node_slots=slots, node_slots_used=used, pods_capacity=slots * 110)
    return ClusterCapacity(
        id=cid(name), name=name, cni="flannel" if pods_cidr else "vcn-native", kubernetes_version="v1.33.1",
        nodes=sum(p.nodes or 0 for p in pools), pods_cidr=cidr, node_pools=list(pools), subnets=list(subnets),
        findings=list(findings), assumptions=[],
    )


def finding(code: str, subject: str, severity: Severity = Severity.WARNING) -> Finding:
    """A finding of a real code (codes are a closed set) with a made-up message."""
    return Finding(code=Code(code), severity=severity, message=f"{code} on {subject}", remedy="fix it", subject=subject)


def series(
    values: Sequence[int | None],
    *,
    end: datetime = T0,
    step: timedelta = timedelta(minutes=15),
    usable: int = 509,
    kind: str = "subnet",
    key: str = "pods",
    cluster: str = "c",
    reserved: Sequence[int | None] | None = None,
) -> list[Sample]:
    """Samples of one series with these `used` values, the last at `end`, `step` apart."""
    start = end - step * (len(values) - 1)
    return [
        Sample(at=start + step * i, cluster_id=cid(cluster), cluster_name=cluster, kind=kind,
               key=sid(key) if kind == "subnet" else key, name=key, usable=usable, used=value,
               reserved=None if reserved is None else reserved[i])
        for i, value in enumerate(values)
    ]


def linear(start: float, per_day: float, *, days: float, step: timedelta = timedelta(hours=1)) -> list[int]:
    """Integer occupancies growing `per_day` a day from `start`, one per `step`, over `days` days."""
    count = int(days * 86_400 / step.total_seconds()) + 1
    per_step = per_day * step.total_seconds() / 86_400
    return [round(start + per_step * i) for i in range(count)]
