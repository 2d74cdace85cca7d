"""The capacity question: one cluster or all, optionally narrowed to one node pool."""

from __future__ import annotations

from engine.capacity import assess_cluster_capacity
from engine.check import Check
from engine.errors import NotFoundError
from engine.findings import FindingCounts, count_findings, merge_findings
from engine.model import Cluster, NodePool, Tenancy
from engine.reports import CapacityReport, ClusterCapacity
from engine.rules import NETWORK_RULES
from engine.shapes import ShapeCatalogue
from engine.unreadable import CAPACITY_IGNORES, unreadable_for


def assess_capacity(tenancy: Tenancy, *, cluster: str | None = None, pool: str | None = None) -> CapacityReport:
    """Capacity of one cluster or all; `pool` narrows the node pools shown (subnets stay whole). Each cluster
    says how many of its findings are not about capacity; `assumptions` are every cluster's, once; what could
    not be read is listed only when capacity uses it.

    Raises:
        ClusterNotFoundError: `cluster` names no cluster of the tenancy.
        NotFoundError: `pool` names no node pool of the chosen clusters.
    """
    targets = list(tenancy.select_clusters(cluster or None))
    shapes = ShapeCatalogue(tenancy.shapes)
    if pool is not None and not cluster:
        # Without a cluster, a pool picks the clusters that have such a pool, not every cluster.
        targets = [t for t in targets if any(is_pool(p, pool) for p in t.node_pools)]
        if not targets:
            raise NotFoundError(f"no cluster has a node pool {pool!r}",
                                remedy="name a pool that the capacity answer lists")
    reports = []
    for target in targets:
        report = assess_cluster_capacity(tenancy, target, shapes=shapes)
        report = report.model_copy(update={"other_findings": _other_counts(tenancy, target, report, shapes)})
        if pool is not None:
            pools = [p for p, q in zip(report.node_pools, target.node_pools, strict=True) if is_pool(q, pool)]
            if not pools:
                known = ", ".join(p.name for p in report.node_pools) or "none"
                raise NotFoundError(f"cluster {target.name} has no node pool {pool!r} (its pools: {known})",
                                    remedy="name one of the cluster's node pools")
            report = report.model_copy(update={"node_pools": pools})
        reports.append(report)
    return CapacityReport(
        clusters=reports,
        unreadable=unreadable_for(tenancy, targets, ignore=CAPACITY_IGNORES),
        assumptions=list(dict.fromkeys(a for report in reports for a in report.assumptions)),
    )


def _other_counts(tenancy: Tenancy, cluster: Cluster, report: ClusterCapacity, shapes: ShapeCatalogue) -> FindingCounts:
    """How many of the cluster's findings are not capacity findings (security rules, routes, ...), so that an
    answer with no capacity finding does not read as a cluster with no finding."""
    # The capacity rules' findings are the report's own; the other rule families give the rest.
    check = Check(tenancy, cluster, at="current", catalogue=shapes)
    mine = {(f.code, f.subject) for f in report.findings}
    found = merge_findings(*(rule(check) for rule in NETWORK_RULES))
    return count_findings([f for f in found if (f.code, f.subject) not in mine])


def is_pool(pool: NodePool, ref: str) -> bool:
    """Whether `ref` names this pool: its OCID, its name, or its name in another case."""
    return ref in (pool.id, pool.name) or pool.name.casefold() == ref.casefold()
