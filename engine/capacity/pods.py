"""Pods per node and pod-subnet IPs per node, for both CNIs.

The rules, from Oracle's CIDR-blocks and VCN-native pod networking pages:
- Flannel gives each node a /25 of the pods CIDR; Kubernetes caps pods per node at 110.
- VCN-native: `MIN((VNICs - 1) * 31, 110)`, further limited by the pool's `maxPodsPerNode`.
  Pools with secondary VNIC profiles are limited by the sum of their `ipCount`, at most 256; a node attaches
  one primary VNIC and at most VNICs - 1 secondary ones, so only the first VNICs - 1 profiles attach and count
  (the rest is VNIC_PROFILES_EXCEED_SHAPE), and with the shape's VNICs unknown so is the figure.
"""

from __future__ import annotations

import math

from engine.model import Cni, Frozen, NodePool, NodePoolType
from engine.shapes import ShapeCatalogue, vnics_for

KUBERNETES_MAX_PODS = 110
IPS_PER_POD_VNIC = 31
VNIC_PROFILE_MAX_IPS = 256
FLANNEL_PODS_PER_NODE = KUBERNETES_MAX_PODS

# Stated in every VCN-native capacity answer: Oracle does not publish the exact pre-allocation.
PREALLOCATION_ASSUMPTION = (
    "Assumed pod-subnet IPs per VCN-native node: each pod VNIC takes 1 primary IP plus up to 31 secondary "
    "IPs, and all 31 secondaries are pre-allocated per VNIC needed for maxPodsPerNode "
    "(Oracle's VCN-native pod networking page does not publish the exact rule). Pools with VNIC profiles "
    "reserve their ipCount plus one primary IP per profile."
)
VIRTUAL_POOL_ASSUMPTION = (
    "Virtual node pools ({pools}): each pod takes its own IP from the pod subnet, so the subnet's load follows "
    "the pod count, which okebot cannot see ahead; their pods per node and pod-subnet reservations are not "
    "counted (Oracle publishes no per-node rule for virtual nodes)."
)


class PodsPerNode(Frozen):
    """How many pods a node of a pool can run, and why.

    `vnics` is None when the shape or its OCPUs are unknown; `max_pods` is None then too. `limited_by`
    names the binding limit: "vnics", "kubernetes", "maxPodsPerNode", "vnicProfiles" or "flannel".
    """

    vnics: int | None
    max_pods: int | None
    limited_by: str | None
    shape_known: bool


def pool_vnics(pool: NodePool, shapes: ShapeCatalogue) -> int | None:
    """VNICs per node of the pool: an observed node's own limit wins, then the shape's rule."""
    observed = [node.max_vnics for node in pool.nodes or () if node.max_vnics is not None]
    if observed:
        return min(observed)
    if pool.observed_vnics is not None:
        return pool.observed_vnics
    shape = shapes.get(pool.shape)
    if shape is None:
        return None
    return vnics_for(shape, pool.ocpus)


def vcn_native_max_pods(vnics: int) -> int:
    """Oracle's rule: MIN((VNICs - 1) * 31, 110). One VNIC (no secondary) gives zero."""
    return max(0, min((vnics - 1) * IPS_PER_POD_VNIC, KUBERNETES_MAX_PODS))


def pods_per_node(pool: NodePool, cni: Cni, shapes: ShapeCatalogue) -> PodsPerNode:
    """Pods per node for a pool under the cluster's CNI."""
    if pool.type is NodePoolType.VIRTUAL:
        # Virtual nodes run pods on OCI-managed capacity with a pod shape, not on VNICs of a worker shape.
        return PodsPerNode(vnics=None, max_pods=None, limited_by="virtual", shape_known=True)
    shape_known = shapes.get(pool.shape) is not None
    vnics = pool_vnics(pool, shapes)
    if cni is Cni.FLANNEL:
        limit = FLANNEL_PODS_PER_NODE
        if pool.max_pods_per_node is not None and pool.max_pods_per_node < limit:
            return PodsPerNode(vnics=vnics, max_pods=pool.max_pods_per_node, limited_by="maxPodsPerNode",
                               shape_known=shape_known)
        return PodsPerNode(vnics=vnics, max_pods=limit, limited_by="flannel", shape_known=shape_known)
    if vnics is None:
        return PodsPerNode(vnics=None, max_pods=None, limited_by=None, shape_known=shape_known)
    if pool.secondary_vnic_ip_counts:
        return _profile_pods(pool, vnics, shape_known=shape_known)
    by_shape = vcn_native_max_pods(vnics)
    limited_by = "kubernetes" if by_shape == KUBERNETES_MAX_PODS else "vnics"
    if pool.max_pods_per_node is not None and pool.max_pods_per_node < by_shape:
        return PodsPerNode(vnics=vnics, max_pods=pool.max_pods_per_node, limited_by="maxPodsPerNode",
                           shape_known=shape_known)
    return PodsPerNode(vnics=vnics, max_pods=by_shape, limited_by=limited_by, shape_known=shape_known)


def attachable_profiles(pool: NodePool, vnics: int | None) -> tuple[int, ...] | None:
    """The `ipCount` of the VNIC profiles a node can attach: the first VNICs - 1 (one VNIC is the primary).

    () for a pool without profiles; None when the node's VNICs are unknown.
    """
    if not pool.secondary_vnic_ip_counts:
        return ()
    if vnics is None:
        return None
    return pool.secondary_vnic_ip_counts[: max(0, vnics - 1)]


def _profile_pods(pool: NodePool, vnics: int, *, shape_known: bool) -> PodsPerNode:
    attached = attachable_profiles(pool, vnics) or ()
    max_pods = min(sum(attached), VNIC_PROFILE_MAX_IPS)
    limited_by = "vnics" if len(attached) < len(pool.secondary_vnic_ip_counts) else "vnicProfiles"
    if pool.max_pods_per_node is not None and pool.max_pods_per_node < max_pods:
        max_pods, limited_by = pool.max_pods_per_node, "maxPodsPerNode"
    return PodsPerNode(vnics=vnics, max_pods=max_pods, limited_by=limited_by, shape_known=shape_known)


def pod_vnics_per_node(pool: NodePool, max_pods: int, *, vnics: int | None) -> int | None:
    """Pod VNICs one VCN-native node attaches: its attachable profiles, else ceil(maxPods / 31).

    None for a profile pool whose VNICs are unknown.
    """
    if pool.secondary_vnic_ip_counts:
        attached = attachable_profiles(pool, vnics)
        return None if attached is None else len(attached)
    return math.ceil(max_pods / IPS_PER_POD_VNIC) if max_pods > 0 else 0


def pod_subnet_ips_per_node(pool: NodePool, max_pods: int, *, vnics: int | None) -> int | None:
    """Pod-subnet IPs one VCN-native node reserves, under PREALLOCATION_ASSUMPTION: 1 + 31 per pod VNIC, or each
    attachable profile's ipCount plus its primary IP. None for a profile pool whose VNICs are unknown."""
    if pool.secondary_vnic_ip_counts:
        attached = attachable_profiles(pool, vnics)
        return None if attached is None else sum(attached) + len(attached)
    pod_vnics = pod_vnics_per_node(pool, max_pods, vnics=vnics) or 0
    return pod_vnics * (1 + IPS_PER_POD_VNIC)
