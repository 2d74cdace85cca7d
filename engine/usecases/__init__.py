"""Use cases: read through a port, then ask the pure core. The CLI and the Slack bot both call these."""

from __future__ import annotations

from engine.capacity import assess_cluster_capacity
from engine.cni import assess_cni_all
from engine.errors import NotFoundError
from engine.findings import Finding, Severity, sort_findings
from engine.model import Cluster, Tenancy, Unreadable
from engine.ports import TenancyReader
from engine.reports import (
    CapacityReport,
    ClusterListReport,
    CniReport,
    DiagnoseReport,
    ValidationReport,
    WhatIfReport,
)
from engine.rules.immutability import compare_against
from engine.shapes import ShapeCatalogue
from engine.usecases.clusters import list_clusters
from engine.usecases.diagnose import diagnose_cluster, merge_findings
from engine.usecases.validate import validate_cluster, validation_report
from engine.usecases.whatif import WhatIfChange, apply_whatif


def require_cluster(tenancy: Tenancy, ref: str) -> Cluster:
    """The cluster named by ref, or NotFoundError listing the clusters there are."""
    cluster = tenancy.find_cluster(ref)
    if cluster is None:
        known = ", ".join(sorted(c.name for c in tenancy.clusters)) or "none"
        raise NotFoundError(f"no cluster named {ref!r} (clusters: {known})", remedy="name one of those clusters")
    return cluster


async def clusters_overview(reader: TenancyReader, *, fresh: bool = False) -> ClusterListReport:
    """Every cluster with its worst finding."""
    tenancy = await reader.read(fresh=fresh)
    return list_clusters(tenancy, source=reader.description)


async def capacity(
    reader: TenancyReader, *, cluster: str | None = None, pool: str | None = None, fresh: bool = False
) -> CapacityReport:
    """Capacity of one cluster or all; `pool` narrows the node pools shown (subnets stay whole)."""
    tenancy = await reader.read(clusters=[cluster] if cluster else None, fresh=fresh)
    targets = [require_cluster(tenancy, cluster)] if cluster else list(tenancy.clusters)
    shapes = ShapeCatalogue(tenancy.shapes)
    if pool is not None and not cluster:
        # Without --cluster, --pool picks the clusters that have such a pool, not every cluster.
        targets = [t for t in targets if any(_is_pool(p.id, p.name, pool) for p in t.node_pools)]
        if not targets:
            raise NotFoundError(f"no cluster has a node pool {pool!r}", remedy="name a pool from `okebot capacity`")
    reports = []
    for target in targets:
        report = assess_cluster_capacity(tenancy, target, shapes=shapes)
        if pool is not None:
            pools = [p for p in report.node_pools if _is_pool(p.id, p.name, pool)]
            if not pools:
                known = ", ".join(p.name for p in report.node_pools) or "none"
                raise NotFoundError(f"cluster {target.name} has no node pool {pool!r} (its pools: {known})")
            report = report.model_copy(update={"node_pools": pools})
        reports.append(report)
    return CapacityReport(clusters=reports, unreadable=list(tenancy.unreadable_for(targets)))


def _is_pool(pool_id: str, name: str, ref: str) -> bool:
    return ref in (pool_id, name) or name.casefold() == ref.casefold()


async def cni_status(reader: TenancyReader, *, cluster: str | None = None, fresh: bool = False) -> CniReport:
    """CNI add-on versions and nodes waiting for an update."""
    tenancy = await reader.read(clusters=[cluster] if cluster else None, fresh=fresh)
    if cluster:
        require_cluster(tenancy, cluster)
    return assess_cni_all(tenancy, cluster_ref=cluster)


async def diagnose(reader: TenancyReader, *, cluster: str, fresh: bool = False) -> DiagnoseReport:
    """Every check on one live cluster, worst first."""
    tenancy = await reader.read(clusters=[cluster], fresh=fresh)
    return diagnose_cluster(tenancy, require_cluster(tenancy, cluster))


UNKNOWN_CAPACITY_CODES = frozenset({"SHAPE_UNKNOWN", "PODS_PER_NODE_UNKNOWN"})


def _finding_key(finding: Finding) -> tuple[str, str, str]:
    # Severity is part of the key so that a warning which becomes an error shows as new.
    return (finding.code, finding.subject, finding.severity.value)


async def whatif(
    reader: TenancyReader, *, cluster: str, change: WhatIfChange, fresh: bool = False
) -> WhatIfReport:
    """The live cluster, changed, validated, with capacity before and after."""
    tenancy = await reader.read(clusters=[cluster], fresh=fresh)
    live = require_cluster(tenancy, cluster)
    changed = apply_whatif(tenancy, live, change)
    shapes = ShapeCatalogue(tenancy.shapes)
    before = assess_cluster_capacity(tenancy, live, shapes=shapes)
    after = assess_cluster_capacity(changed.tenancy, changed.cluster, shapes=shapes)
    findings_before = merge_findings(
        before.findings, validate_cluster(tenancy, live, at="current", shapes=shapes)
    )
    findings_after = merge_findings(
        after.findings, validate_cluster(changed.tenancy, changed.cluster, at="current", shapes=shapes)
    )
    keys_before = {_finding_key(f) for f in findings_before}
    keys_after = {_finding_key(f) for f in findings_after}
    new_findings = [f for f in findings_after if _finding_key(f) not in keys_before]
    valid = not any(f.severity is Severity.ERROR for f in findings_after)
    # A change whose capacity cannot be worked out (a shape nobody knows) neither fits nor fails: say so.
    unknown = any(f.code in UNKNOWN_CAPACITY_CODES for f in new_findings)
    return WhatIfReport(
        cluster=live.name,
        changes=list(changed.changes),
        before=before,
        after=after,
        findings=list(findings_after),
        new_findings=new_findings,
        resolved_findings=[f for f in findings_before if _finding_key(f) not in keys_after],
        valid=valid,
        verdict="does not fit" if not valid else "unknown" if unknown else "fits",
        unreadable=list(tenancy.unreadable_for([live])),
    )


def keep_live_values(
    planned: Tenancy, planned_cluster: Cluster, live: Cluster, fields: set[str]
) -> tuple[Tenancy, Cluster]:
    """The planned cluster with these fields taken from the live one (what the plan did not state)."""
    if not fields:
        return planned, planned_cluster
    changed = planned_cluster.model_copy(update={name: getattr(live, name) for name in fields})
    clusters = tuple(changed if c.id == planned_cluster.id else c for c in planned.clusters)
    return planned.model_copy(update={"clusters": clusters}), changed


def validate_planned(
    planned: Tenancy,
    planned_cluster: Cluster,
    *,
    plan_name: str,
    parse_findings: tuple[Finding, ...] = (),
    against: tuple[Tenancy, Cluster] | None = None,
) -> ValidationReport:
    """Validate a planned cluster; with `against`, also flag what OKE cannot change on the live one."""
    findings = list(parse_findings) + list(validate_cluster(planned, planned_cluster, at="planned"))
    unreadable: tuple[Unreadable, ...] = ()
    if against is not None:
        live_tenancy, live_cluster = against
        findings += compare_against(
            live_cluster, planned_cluster, live_tenancy=live_tenancy, planned_tenancy=planned
        )
        unreadable = live_tenancy.unreadable_for([live_cluster])
    report = validation_report(plan_name, sort_findings(findings))
    return report.model_copy(update={"unreadable": list(unreadable)})
