"""What-if: take the live model, change a node pool (or add one), validate it, compare capacity before and after.

The verdict comes from `engine.capacity.headroom.change_verdict`, the judgement behind every pool's headroom:
growing a pool by its `headroom.moreNodes` fits, by one more does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field

from engine.capacity import assess_cluster_capacity, capacity_assumptions
from engine.capacity.claims import pool_node_count
from engine.capacity.headroom import (
    SIZE_CODES,
    Limit,
    LimitJudgement,
    change_verdict,
    judge_limits,
    pool_limits,
    with_pools,
)
from engine.check import Check
from engine.codes import Code
from engine.errors import InputError, NotFoundError
from engine.findings import Finding, Severity, merge_findings
from engine.model import Cluster, Cni, Frozen, NodePool, Tenancy
from engine.reports import ChangedFinding, PoolChange, WhatIfReport
from engine.shapes import ShapeCatalogue
from engine.unreadable import CNI_KINDS, unreadable_for
from engine.usecases.capacity import is_pool
from engine.usecases.validate import validate_cluster

UNKNOWN_CAPACITY_CODES = frozenset({Code.SHAPE_UNKNOWN, Code.PODS_PER_NODE_UNKNOWN})
MAX_NODES = 10_000
MIN_FLEX_OCPUS = 1  # every OCI flex shape starts at 1 OCPU (and a plan's ocpus must be at least 1)


class WhatIfChange(Frozen):
    """A change to one node pool. `add_pool` adds a new pool of `size` nodes modelled on `pool` (or the
    cluster's first pool). Bounds are the queries' (bot.queries.WhatIfQuery)."""

    pool: str | None = None
    size: int | None = Field(default=None, ge=0, le=MAX_NODES)
    shape: str | None = None
    ocpus: float | None = Field(default=None, ge=MIN_FLEX_OCPUS, le=512, allow_inf_nan=False)
    max_pods: int | None = Field(default=None, ge=1, le=MAX_NODES)
    add_pool: str | None = None

    def is_empty(self) -> bool:
        """True when the change changes nothing."""
        return self.add_pool is None and all(
            value is None for value in (self.size, self.shape, self.ocpus, self.max_pods)
        )


class ChangedModel(Frozen):
    """The tenancy with the change made, the changed cluster, the change in words and as data, and the pools
    it changed."""

    tenancy: Tenancy
    cluster: Cluster
    changes: tuple[str, ...]
    pool_ids: tuple[str, ...] = ()
    details: tuple[PoolChange, ...] = ()


def _find_pool(cluster: Cluster, ref: str) -> NodePool:
    for pool in cluster.node_pools:
        if is_pool(pool, ref):
            return pool
    known = ", ".join(pool.name for pool in cluster.node_pools) or "none"
    raise NotFoundError(
        f"cluster {cluster.name} has no node pool {ref!r} (its pools: {known})",
        remedy="name one of the cluster's node pools",
    )


def _nodes(count: int | None) -> str:
    return "unknown" if count is None else f"{count:,} node" + ("" if count == 1 else "s")


def _check_hardware(cluster: Cluster, pool: NodePool, change: WhatIfChange, shapes: ShapeCatalogue) -> None:
    """Refuse what cannot be: OCPUs on a fixed shape, maxPodsPerNode on a flannel cluster."""
    shape_name = change.shape or pool.shape
    shape = shapes.get(shape_name)
    if change.ocpus is not None and shape is not None and shape.flex_vnics is None:
        raise InputError(f"{shape_name} is a fixed shape: its OCPUs come with it, they cannot be set",
                         where="ocpus", remedy="leave ocpus out, or pick a flex shape (such as VM.Standard.E5.Flex)")
    if change.max_pods is not None and cluster.cni is Cni.FLANNEL:
        raise InputError(f"cluster {cluster.name} uses flannel, where every node runs up to 110 pods; "
                         "maxPodsPerNode is a VCN-native setting", where="max-pods",
                         remedy="leave max-pods out on a flannel cluster")


def _changed_pool(
    pool: NodePool, change: WhatIfChange, notes: list[str], details: list[PoolChange] | None = None
) -> NodePool:
    """The pool with the change made; each real change said once in `notes` and `details` (a value the pool
    already has is no change)."""
    updates: dict[str, object] = {}
    said = details if details is not None else []
    size = pool_node_count(pool, at="current")
    if change.size is not None and change.size != size:
        notes.append(f"node pool {pool.name}: size {'unknown' if size is None else size} → {_nodes(change.size)}")
        said.append(PoolChange(node_pool=pool.name, field="size", before=size, after=change.size))
        size = change.size
    if change.shape is not None and change.shape != pool.shape:
        notes.append(f"node pool {pool.name}: shape {pool.shape or 'unknown'} → {change.shape}")
        said.append(PoolChange(node_pool=pool.name, field="shape", before=pool.shape, after=change.shape))
        updates["shape"] = change.shape
    if change.ocpus is not None and change.ocpus != pool.ocpus:
        before = "unknown" if pool.ocpus is None else f"{pool.ocpus:g}"
        notes.append(f"node pool {pool.name}: OCPUs {before} → {change.ocpus:g}")
        said.append(PoolChange(node_pool=pool.name, field="ocpus", before=pool.ocpus, after=change.ocpus))
        updates["ocpus"] = change.ocpus
    if change.max_pods is not None and change.max_pods != pool.max_pods_per_node:
        notes.append(
            f"node pool {pool.name}: maxPodsPerNode {pool.max_pods_per_node or 'unset'} → {change.max_pods}"
        )
        said.append(PoolChange(node_pool=pool.name, field="maxPodsPerNode", before=pool.max_pods_per_node,
                               after=change.max_pods))
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


def apply_whatif(
    tenancy: Tenancy, cluster: Cluster, change: WhatIfChange, *, shapes: ShapeCatalogue | None = None
) -> ChangedModel:
    """Apply a what-if change to a cluster of the tenancy.

    Raises:
        InputError: the change changes nothing (no value differs from the pool's), adds a pool without a size
            or of a name taken, sets OCPUs on a fixed shape, or maxPodsPerNode on a flannel cluster.
        NotFoundError: the pool (or template) named is not the cluster's.
    """
    if change.is_empty():
        raise InputError("a what-if needs at least one change", where="whatif",
                         remedy="say what to change: size, shape, ocpus, max-pods or add-pool")
    catalogue = shapes if shapes is not None else ShapeCatalogue(tenancy.shapes)
    notes: list[str] = []
    details: list[PoolChange] = []
    pools = list(cluster.node_pools)
    if change.add_pool is not None:
        new_pool = _added_pool(cluster, change, notes, details)
        _check_hardware(cluster, new_pool, change, catalogue)
        pools.append(_changed_pool(new_pool, change.model_copy(update={"size": None}), notes, details))
        changed_ids: tuple[str, ...] = (new_pool.id,)
    else:
        if change.pool is None:
            known = ", ".join(pool.name for pool in cluster.node_pools) or "none"
            raise InputError(f"which node pool? (the pools of cluster {cluster.name}: {known})", where="pool",
                             remedy="name the node pool to change")
        target = _find_pool(cluster, change.pool)
        _check_hardware(cluster, target, change, catalogue)
        pools = [_changed_pool(pool, change, notes, details) if pool.id == target.id else pool for pool in pools]
        if not notes:
            raise InputError(f"nothing changes: node pool {target.name} already has {_as_it_is(target, change)}",
                             where="whatif", remedy="give a value that differs from the pool's")
        changed_ids = (target.id,)
    changed_tenancy, changed_cluster = with_pools(tenancy, cluster, pools)
    return ChangedModel(tenancy=changed_tenancy, cluster=changed_cluster, changes=tuple(notes),
                        pool_ids=changed_ids, details=tuple(details))


def _added_pool(cluster: Cluster, change: WhatIfChange, notes: list[str], details: list[PoolChange]) -> NodePool:
    name = change.add_pool or ""
    if any(pool.name.casefold() == name.casefold() for pool in cluster.node_pools):
        raise InputError(f"node pool {name!r} already exists", where="add-pool",
                         remedy="give the new pool a name the cluster does not use")
    if not cluster.node_pools:
        raise InputError("the cluster has no node pool to model a new pool on", where="add-pool")
    if change.size is None or change.size == 0:
        raise InputError(f"how many nodes should the new pool {name} have?", where="size",
                         remedy="give its size (at least 1 node)")
    template = _find_pool(cluster, change.pool) if change.pool else cluster.node_pools[0]
    how = "" if change.pool else " (the cluster's first pool, as no pool was named to model it on)"
    notes.append(f"add node pool {name} of {_nodes(change.size)}, modelled on {template.name}{how}")
    details += [PoolChange(node_pool=name, field="nodePool", before=None, after=template.name),
                PoolChange(node_pool=name, field="size", before=None, after=change.size)]
    return template.model_copy(update={"id": f"whatif:nodePool/{name}", "name": name, "nodes": None,
                                       "size": change.size})


def _as_it_is(pool: NodePool, change: WhatIfChange) -> str:
    said = []
    if change.size is not None:
        said.append(_nodes(change.size))
    if change.shape is not None:
        said.append(f"shape {change.shape}")
    if change.ocpus is not None:
        said.append(f"{change.ocpus:g} OCPUs")
    if change.max_pods is not None:
        said.append(f"maxPodsPerNode {change.max_pods}")
    return ", ".join(said)


def _key(finding: Finding) -> tuple[str, str]:
    return (finding.code, finding.subject)


def whatif(tenancy: Tenancy, *, cluster: str, change: WhatIfChange, full: bool = False) -> WhatIfReport:
    """The live cluster `cluster` names, changed, validated, with capacity before and after.

    Raises:
        ClusterNotFoundError / NotFoundError: no such cluster or node pool.
        InputError: the change changes nothing or cannot be made (see `apply_whatif`).
    """
    live = tenancy.require_cluster(cluster)
    shapes = ShapeCatalogue(tenancy.shapes)
    changed = apply_whatif(tenancy, live, change, shapes=shapes)
    before = assess_cluster_capacity(tenancy, live, shapes=shapes)
    after = assess_cluster_capacity(changed.tenancy, changed.cluster, shapes=shapes, baseline=tenancy)
    findings_before = merge_findings(before.findings, validate_cluster(tenancy, live, at="current", shapes=shapes))
    findings_after = merge_findings(after.findings, validate_cluster(
        changed.tenancy, changed.cluster, at="current", shapes=shapes, baseline=tenancy))
    changed_pools = [pool for pool in changed.cluster.node_pools if pool.id in changed.pool_ids]
    limits = pool_limits(changed.tenancy, changed.cluster, changed_pools)
    judged = judge_limits(Check(changed.tenancy, changed.cluster, at="current", catalogue=shapes,
                                baseline=tenancy), limits)
    unknown_subjects = {limit.subject for limit in judged.unknown}
    # A subnet whose IPs in use were not read is judged on its reservations: more demand that fits them may
    # not fit. A change that asks no more of it (a shrink, another shape with the same VNICs) cannot fill it.
    unread = _asked_more_of(judged, judge_limits(Check(tenancy, live, at="current", catalogue=shapes), limits))
    verdict = change_verdict(findings_before, findings_after, limits={limit.subject for limit in limits},
                             unknown=bool(judged.unknown) or bool(unread))
    deltas = _deltas(findings_before, findings_after, unknown_subjects)
    return WhatIfReport(
        cluster=live.name,
        changes=list(changed.changes),
        change_details=list(changed.details),
        before=before,
        after=after,
        findings=list(findings_after),
        valid=not any(f.severity is Severity.ERROR for f in findings_after),
        verdict=verdict,
        unreadable=unreadable_for(tenancy, [live], ignore=CNI_KINDS),
        assumptions=list(dict.fromkeys([*before.assumptions, *after.assumptions,
                                        *capacity_assumptions(changed.cluster, shapes)])),
        full=full,
        new_findings=deltas.new,
        resolved_findings=deltas.resolved,
        worse_findings=deltas.worse,
        better_findings=deltas.better,
        unchecked_findings=deltas.unchecked,
        unknown_limits=[f"{limit.name}: cannot be judged" for limit in judged.unknown]
        + [f"{limit.name}: IPs in use not read" for limit in unread],
        unread_limits=[limit.name for limit in judged.unread],
    )


def _asked_more_of(after: LimitJudgement, before: LimitJudgement) -> list[Limit]:
    """The limits whose IPs in use were not read (after.unread) that the change asks more IPs of than
    before (or whose demand before is unknown)."""
    need_before = {item.subnet.id: item.need for item in before.demands}
    need_after = {item.subnet.id: item.need for item in after.demands}
    grown = []
    for limit in after.unread:
        if limit.subnet_id is None:
            continue
        was, now = need_before.get(limit.subnet_id), need_after.get(limit.subnet_id)
        if was is None or now is None or now > was:
            grown.append(limit)
    return grown


@dataclass(frozen=True)
class _Deltas:
    new: list[Finding]
    resolved: list[Finding]
    worse: list[ChangedFinding]
    better: list[ChangedFinding]
    unchecked: list[Finding]


def _deltas(before: Sequence[Finding], after: Sequence[Finding], unknown_subjects: set[str]) -> _Deltas:
    """Findings matched by code and subject: new, resolved, worse, better, and no longer checked."""
    was = {_key(f): f for f in before}
    now = {_key(f): f for f in after}
    new = [f for f in after if _key(f) not in was]
    worse: list[ChangedFinding] = []
    better: list[ChangedFinding] = []
    for key, found in now.items():
        old = was.get(key)
        if old is None or old.severity is found.severity:
            continue
        target = worse if found.severity.rank < old.severity.rank else better
        target.append(ChangedFinding(finding=found, was=old.severity))
    gone = [f for f in before if _key(f) not in now]
    # A finding whose figures became unknown did not go away: a size finding whose limit cannot be judged,
    # or a pool's setting finding once the pool's shape or pods per node are unknown.
    unknown_pools = {f.subject for f in after if f.code in UNKNOWN_CAPACITY_CODES}
    unchecked = [f for f in gone if (f.code in SIZE_CODES and f.subject in unknown_subjects)
                 or f.subject in unknown_pools]
    return _Deltas(new=new, resolved=[f for f in gone if f not in unchecked], worse=worse, better=better,
                   unchecked=unchecked)
