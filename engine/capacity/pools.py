"""Node pool capacity: pods per node and pods per pool, and the findings about one pool's settings."""

from __future__ import annotations

from engine.capacity.claims import pool_node_count
from engine.capacity.pods import (
    KUBERNETES_MAX_PODS,
    VNIC_PROFILE_MAX_IPS,
    attachable_profiles,
    pod_subnet_ips_per_node,
    pods_per_node,
    pool_vnics,
    vcn_native_max_pods,
)
from engine.catalogue import finding
from engine.codes import Code
from engine.findings import Finding
from engine.model import Cni, NodePool, NodePoolType, SourceKind
from engine.reports import NodePoolCapacity
from engine.shapes import ShapeCatalogue, vnics_for
from engine.words import noun, plural

MAX_FLEX_OCPUS = 512


def assess_pool(pool: NodePool, cni: Cni, *, shapes: ShapeCatalogue) -> NodePoolCapacity:
    """Capacity of one node pool: its nodes (observed, else its size) times the pods each node can run."""
    per_node = pods_per_node(pool, cni, shapes)
    nodes = len(pool.nodes) if pool.nodes is not None else None
    counted = pool_node_count(pool, at="current")
    max_pods = per_node.max_pods
    capacity = counted * max_pods if counted is not None and max_pods is not None else None
    pod_ips = None
    if cni is Cni.VCN_NATIVE and max_pods is not None:
        pod_ips = pod_subnet_ips_per_node(pool, max_pods, vnics=per_node.vnics)
    return NodePoolCapacity(
        id=pool.id,
        name=pool.name,
        type=pool.type.value,
        shape=pool.shape,
        nodes=nodes,
        size=pool.size,
        max_size=pool.max_size,
        vnics_per_node=per_node.vnics,
        max_pods_per_node=max_pods,
        limited_by=per_node.limited_by,
        pods_capacity=capacity,
        pod_subnet_ips_per_node=pod_ips,
    )


def pool_rule_findings(
    pool: NodePool, cni: Cni, *, shapes: ShapeCatalogue, source: SourceKind | None = None
) -> list[Finding]:
    """Findings about one pool's shape and maxPodsPerNode; `source` "plan" gives remedies in plan terms."""
    found = [_max_pods_over_limit(pool), _profiles_over_limit(pool)]
    if cni is Cni.VCN_NATIVE and pool.type is not NodePoolType.VIRTUAL:
        vnics = pool_vnics(pool, shapes)
        found += [
            _shape_unknown(pool, shapes, vnics),
            _pods_per_node_unknown(pool, shapes, vnics),
            _single_vnic(pool, vnics),
            _exceeds_shape(pool, vnics, shapes=shapes, source=source),
            _profiles_exceed_shape(pool, vnics),
        ]
    return [item for item in found if item is not None]


def _subject(pool: NodePool) -> str:
    return f"nodePool:{pool.name}"


def _profiles_over_limit(pool: NodePool) -> Finding | None:
    total = sum(pool.secondary_vnic_ip_counts)
    if total <= VNIC_PROFILE_MAX_IPS:
        return None
    return finding(
        Code.VNIC_PROFILES_OVER_LIMIT,
        _subject(pool),
        f"Node pool {pool.name}'s {len(pool.secondary_vnic_ip_counts)} secondary VNIC profiles ask for "
        f"{total} IPs in all; OKE allows at most {VNIC_PROFILE_MAX_IPS} across a node's profiles.",
        details={"ipCount": total, "limit": VNIC_PROFILE_MAX_IPS},
    )


def _profiles_exceed_shape(pool: NodePool, vnics: int | None) -> Finding | None:
    """VNIC_PROFILES_EXCEED_SHAPE: more profiles than VNICs - 1 (unknown VNICs: nothing to say)."""
    profiles = pool.secondary_vnic_ip_counts
    attached = attachable_profiles(pool, vnics)
    if not profiles or attached is None or vnics is None or len(attached) == len(profiles):
        return None
    ocpus = f" with {pool.ocpus:g} OCPUs" if pool.ocpus is not None else ""
    left_out = ", ".join(str(n) for n in profiles[len(attached):])
    return finding(
        Code.VNIC_PROFILES_EXCEED_SHAPE,
        _subject(pool),
        f"Node pool {pool.name} has {len(profiles)} secondary VNIC profiles, but its shape "
        f"{pool.shape or 'unknown'}{ocpus} attaches {vnics} VNICs: one primary and {len(attached)} for profiles. "
        f"The {noun(len(profiles) - len(attached), 'profile')} past the first {len(attached)} (ipCount {left_out}) "
        "cannot attach, so each node has "
        f"{sum(attached)} pod IPs from its profiles, not {sum(profiles)}.",
        details={"profiles": len(profiles), "vnicsPerNode": vnics, "attachableProfiles": len(attached),
                 "shape": pool.shape, "ocpus": pool.ocpus, "vnicsNeeded": len(profiles) + 1,
                 "attachedIpCount": sum(attached), "profilesIpCount": sum(profiles)},
        fields={"keepProfiles": plural(len(attached), "VNIC profile")},
    )


def _pods_per_node_unknown(pool: NodePool, shapes: ShapeCatalogue, vnics: int | None) -> Finding | None:
    # An unknown shape has SHAPE_UNKNOWN. Pools with VNIC profiles depend on the shape's VNICs too: only the
    # first VNICs - 1 profiles attach.
    if vnics is not None or (pool.shape and shapes.get(pool.shape) is None):
        return None
    why = f"flex shape {pool.shape} without an OCPU count" if pool.shape else "no shape"
    return finding(
        Code.PODS_PER_NODE_UNKNOWN,
        _subject(pool),
        f"Node pool {pool.name} has {why}, so its VNICs, pods per node and pod-subnet needs are unknown, "
        "and its pod subnet could not be checked for room.",
        details={"shape": pool.shape, "ocpus": pool.ocpus},
    )


def _shape_unknown(pool: NodePool, shapes: ShapeCatalogue, vnics: int | None) -> Finding | None:
    if pool.shape is None or shapes.get(pool.shape) is not None or vnics is not None:
        return None
    return finding(
        Code.SHAPE_UNKNOWN,
        _subject(pool),
        f"Node pool {pool.name} uses shape {pool.shape}, which neither the tenancy, the plan nor the "
        "built-in shape table knows, so its VNICs, pods per node and pod-subnet needs are unknown.",
        details={"shape": pool.shape},
    )


def _single_vnic(pool: NodePool, vnics: int | None) -> Finding | None:
    if vnics != 1:
        return None
    return finding(
        Code.SHAPE_SINGLE_VNIC,
        _subject(pool),
        f"Node pool {pool.name} uses shape {pool.shape or 'unknown'}, which attaches only 1 VNIC. "
        "VCN-native pod networking puts pods on secondary VNICs, so its nodes can run 0 pods.",
        details={"shape": pool.shape, "vnicsPerNode": vnics},
    )


def _exceeds_shape(
    pool: NodePool, vnics: int | None, *, shapes: ShapeCatalogue, source: SourceKind | None
) -> Finding | None:
    wanted = pool.max_pods_per_node
    if vnics is None or vnics < 2 or wanted is None or pool.secondary_vnic_ip_counts:
        return None
    limit = vcn_native_max_pods(vnics)
    # Above 110 MAX_PODS_OVER_LIMIT already speaks; this code is for the VNIC limit.
    if wanted <= limit or wanted > KUBERNETES_MAX_PODS:
        return None
    needed = vnics_for_pods(wanted)
    return finding(
        Code.MAX_PODS_EXCEEDS_SHAPE,
        _subject(pool),
        f"Node pool {pool.name} sets maxPodsPerNode {wanted}, but its shape {pool.shape or 'unknown'} "
        f"attaches {vnics} VNICs, which allow at most {limit} pods per node (MIN((VNICs-1)*31, 110)); "
        f"{wanted} pods need {needed} VNICs ({needed - 1} pod VNICs × 31).",
        details={"maxPodsPerNode": wanted, "vnicsPerNode": vnics, "shapeMaxPods": limit, "vnicsNeeded": needed},
        fields={"moreVnics": more_vnics(pool, needed, shapes, source=source)},
        source=source,
    )


def more_vnics(pool: NodePool, needed: int, shapes: ShapeCatalogue, *, source: SourceKind | None) -> str:
    """How to give a pool's nodes `needed` VNICs: the fewest whole OCPUs that do it on its flex shape ("set
    ocpus: 4 (VM.Standard.E5.Flex then attaches 4 VNICs)"), else a shape that attaches as many."""
    shape = shapes.get(pool.shape)
    if shape is not None and shape.flex_vnics is not None and needed <= shape.flex_vnics.maximum:
        for ocpus in range(1, MAX_FLEX_OCPUS + 1):
            vnics = vnics_for(shape, ocpus) or 0
            if vnics >= needed:
                said = f"ocpus: {ocpus}" if source == "plan" else f"{ocpus} OCPUs"
                return f"set {said} ({pool.shape} then attaches {vnics} VNICs)"
    return f"choose a shape (or more OCPUs on a flex shape) that attaches at least {needed} VNICs"


def vnics_for_pods(pods: int) -> int:
    """The fewest VNICs whose (VNICs - 1) * 31 pods reach `pods` (at most 110 pods: 5 VNICs)."""
    vnics = 2
    while vcn_native_max_pods(vnics) < pods:
        vnics += 1
    return vnics


def _max_pods_over_limit(pool: NodePool) -> Finding | None:
    wanted = pool.max_pods_per_node
    profiles = bool(pool.secondary_vnic_ip_counts)
    limit = VNIC_PROFILE_MAX_IPS if profiles else KUBERNETES_MAX_PODS
    if wanted is None or 1 <= wanted <= limit:
        return None
    why = "pools with secondary VNIC profiles allow up to 256" if profiles else "Kubernetes allows up to 110"
    return finding(
        Code.MAX_PODS_OVER_LIMIT,
        _subject(pool),
        f"Node pool {pool.name} sets maxPodsPerNode {wanted}; it must be from 1 to {limit} ({why}).",
        details={"maxPodsPerNode": wanted, "limit": limit},
    )
