"""What-if: take the live model, change a node pool (or add one), validate it, compare capacity before and after."""

from __future__ import annotations

from pydantic import Field

from engine.capacity import assess_cluster_capacity
from engine.codes import Code
from engine.errors import InputError, NotFoundError
from engine.findings import Finding, Severity, merge_findings
from engine.model import Cluster, Frozen, NodePool, Tenancy
from engine.reports import WhatIfReport
from engine.shapes import ShapeCatalogue
from engine.usecases.capacity import is_pool
from engine.usecases.validate import validate_cluster


class WhatIfChange(Frozen):
    """A change to one node pool. `add_pool` adds a new pool modelled on `pool` (or the first pool)."""

    pool: str | None = None
    size: int | None = Field(default=None, ge=0, le=10_000)
    shape: str | None = None
    ocpus: float | None = Field(default=None, gt=0, le=512, allow_inf_nan=False)
    max_pods: int | None = Field(default=None, ge=1, le=10_000)
    add_pool: str | None = None

    def is_empty(self) -> bool:
        """True when the change changes nothing."""
        return self.add_pool is None and all(
            value is None for value in (self.size, self.shape, self.ocpus, self.max_pods)
        )


class ChangedModel(Frozen):
    tenancy: Tenancy
    cluster: Cluster
    changes: tuple[str, ...]


def _find_pool(cluster: Cluster, ref: str) -> NodePool:
    for pool in cluster.node_pools:
        if is_pool(pool, ref):
            return pool
    known = ", ".join(pool.name for pool in cluster.node_pools) or "none"
    raise NotFoundError(
        f"cluster {cluster.name} has no node pool {ref!r} (its pools: {known})",
        remedy="name one of the cluster's node pools",
    )


def _planned_nodes(pool: NodePool) -> int | None:
    if pool.nodes is not None:
        return len(pool.nodes)
    return pool.size


def _changed_pool(pool: NodePool, change: WhatIfChange, notes: list[str]) -> NodePool:
    updates: dict[str, object] = {}
    size = _planned_nodes(pool)
    if change.size is not None:
        notes.append(f"node pool {pool.name}: size {size if size is not None else 'unknown'} → {change.size}")
        size = change.size
    if change.shape is not None and change.shape != pool.shape:
        notes.append(f"node pool {pool.name}: shape {pool.shape or 'unknown'} → {change.shape}")
        updates["shape"] = change.shape
    if change.ocpus is not None:
        before = "unknown" if pool.ocpus is None else f"{pool.ocpus:g}"
        notes.append(f"node pool {pool.name}: OCPUs {before} → {change.ocpus:g}")
        updates["ocpus"] = change.ocpus
    if change.max_pods is not None:
        notes.append(
            f"node pool {pool.name}: maxPodsPerNode {pool.max_pods_per_node or 'unset'} → {change.max_pods}"
        )
        updates["max_pods_per_node"] = change.max_pods
    # The observed nodes no longer describe the changed pool's count, so it is modelled by its planned size;
    # the VNIC limit read from its instances still holds unless the shape or OCPUs change.
    observed = [node.max_vnics for node in pool.nodes or () if node.max_vnics is not None]
    same_hardware = "shape" not in updates and "ocpus" not in updates
    updates.update(
        nodes=None,
        size=size,
        max_size=None,
        observed_vnics=(min(observed) if observed else pool.observed_vnics) if same_hardware else None,
    )
    return pool.model_copy(update=updates)


def apply_whatif(tenancy: Tenancy, cluster: Cluster, change: WhatIfChange) -> ChangedModel:
    """Apply a what-if change to a cluster of the tenancy; raise InputError/NotFoundError when it cannot."""
    if change.is_empty():
        raise InputError(
            "a what-if needs at least one change",
            where="whatif",
            remedy="add --size N, --shape NAME, --ocpus N, --max-pods N or --add-pool NAME",
        )
    notes: list[str] = []
    pools = list(cluster.node_pools)
    if change.add_pool is not None:
        if any(pool.name.casefold() == change.add_pool.casefold() for pool in pools):
            raise InputError(f"node pool {change.add_pool!r} already exists", where="add-pool")
        if not pools:
            raise InputError("the cluster has no node pool to model a new pool on", where="add-pool")
        template = _find_pool(cluster, change.pool) if change.pool else pools[0]
        notes.append(f"add node pool {change.add_pool} modelled on {template.name}")
        new_pool = template.model_copy(
            update={"id": f"whatif:nodePool/{change.add_pool}", "name": change.add_pool, "nodes": None,
                    "size": 0 if change.size is None else change.size}
        )
        pools.append(_changed_pool(new_pool, change.model_copy(update={"size": None}), notes))
    else:
        if change.pool is None:
            raise InputError("which node pool?", where="pool", remedy="add --pool NAME")
        target = _find_pool(cluster, change.pool)
        pools = [_changed_pool(pool, change, notes) if pool.id == target.id else pool for pool in pools]
    changed_cluster = cluster.model_copy(update={"node_pools": tuple(pools)})
    clusters = tuple(changed_cluster if c.id == cluster.id else c for c in tenancy.clusters)
    return ChangedModel(
        tenancy=tenancy.model_copy(update={"clusters": clusters}),
        cluster=changed_cluster,
        changes=tuple(notes),
    )


UNKNOWN_CAPACITY_CODES = frozenset({Code.SHAPE_UNKNOWN, Code.PODS_PER_NODE_UNKNOWN})


def _finding_key(finding: Finding) -> tuple[str, str, str]:
    # Severity is part of the key so that a warning which becomes an error shows as new.
    return (finding.code, finding.subject, finding.severity.value)


def whatif(tenancy: Tenancy, *, cluster: str, change: WhatIfChange) -> WhatIfReport:
    """The live cluster `cluster` names, changed, validated, with capacity before and after.

    Raises:
        ClusterNotFoundError / NotFoundError: no such cluster or node pool.
        InputError: the change changes nothing or cannot be made.
    """
    live = tenancy.require_cluster(cluster)
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
