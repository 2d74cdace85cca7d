"""Digests for renderer tests: the demo's (with its history and a previous digest a day earlier) and made-up ones."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

from adapters.demo.history import load_demo_history
from adapters.snapshot import load_demo_reader
from engine.digest.build import build_digest
from engine.digest.history import Sample
from engine.digest.report import DigestReport
from engine.reports import ClusterCapacity
from engine.usecases.capacity import assess_capacity
from engine.usecases.cni import cni_status

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@cache
def demo_inputs() -> tuple[tuple[ClusterCapacity, ...], dict[str, int | None], tuple[Sample, ...]]:
    tenancy = asyncio.run(load_demo_reader().read())
    clusters = tuple(assess_capacity(tenancy).clusters)
    pending = {c.id: (len(c.pending_nodes) if c.pending_update is not None else None)
               for c in cni_status(tenancy).clusters}
    return clusters, pending, tuple(load_demo_history())


def shifted(clusters: Sequence[ClusterCapacity], *, subnet_used: dict[str, int], slots_used: dict[str, int]
            ) -> list[ClusterCapacity]:
    """The clusters with some subnets' used and reserved IPs, and some pods CIDRs' used slots, replaced."""
    out = []
    for cluster in clusters:
        subnets = [
            s.model_copy(update={"used_ips": subnet_used[s.name], "reserved_ips": subnet_used[s.name],
                                 "utilization": round(subnet_used[s.name] / s.usable_ips, 4)})
            if s.name in subnet_used else s
            for s in cluster.subnets
        ]
        cidr = cluster.pods_cidr
        if cidr is not None and cluster.name in slots_used:
            cidr = cidr.model_copy(update={"node_slots_used": slots_used[cluster.name]})
        out.append(cluster.model_copy(update={"subnets": subnets, "pods_cidr": cidr}))
    return out


def demo_digest(*, unchanged: bool = False, missed: Sequence[datetime] = (), failed: Sequence[datetime] = ()
                ) -> DigestReport:
    """The demo's digest at its capture. Yesterday's digest had payments' pod subnet at 384 IPs, analytics' at
    528 and retail's pods CIDR at 13 slots, and no POD_SUBNET_TOO_SMALL yet but a SHAPE_UNKNOWN since fixed; with
    `unchanged`, the previous digest is today's own figures six hours earlier. `missed` are the occurrences not
    posted, `failed` those of them that ran and failed."""
    clusters, pending, history = demo_inputs()
    findings = {c.id: c.findings for c in clusters}
    if unchanged:
        before, old_findings, then = list(clusters), findings, NOW - timedelta(hours=6)
    else:
        before = shifted(clusters, subnet_used={"payments-native-pods": 384, "analytics-pods": 528},
                         slots_used={"retail-flannel": 13})
        shape = next(f for c in clusters for f in c.findings).model_copy(
            update={"code": "SHAPE_UNKNOWN", "subject": "nodePool:analytics-spark", "message": "Shape unknown."})
        old_findings = {c.id: [f for f in c.findings if f.code != "POD_SUBNET_TOO_SMALL"] for c in before}
        old_findings[next(c.id for c in before if c.name == "analytics")] = [shape]
        then = NOW - timedelta(days=1)
    previous = build_digest(clusters=before, findings=old_findings, pending_cni_nodes=pending,
                            history=[s for s in history if s.at <= then], previous=None, source="demo", read_at=then,
                            now=then).snapshot
    return build_digest(clusters=list(clusters), findings=findings, pending_cni_nodes=pending, history=history,
                        previous=previous, source="demo", read_at=NOW, now=NOW, missed=list(missed),
                        failed=list(failed))
