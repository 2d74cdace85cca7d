"""IPs of nobody: private IPs in use in a subnet that no known node pool's nodes hold.

Karpenter or self-managed nodes, load balancers and other VMs take IPs from the same subnets as node pools.
Counted as pool usage they hide how little room is left, so they are counted apart ("unattributed") and added
to what the pools reserve.

How "held by known pool nodes" is worked out, for one subnet:

1. By instance, when the source says which VNIC holds each IP of the subnet (`SubnetUsage.ips_by_vnic`, from
   `privateIps[].vnicId`) and which instance each VNIC is attached to (`Tenancy.vnic_instances`, from
   `vnicAttachments`), and every node of every pool with a claim on the subnet has its VNIC attachments read
   (so its VNICs are all known). An IP is held by a known pool's node when its VNIC is attached to an instance
   that is a node (`Node.id`, the instance OCID) of any node pool of any cluster the source holds. The others
   are unattributed, named by instance (or by VNIC when no attachment names its instance).
2. Otherwise by count: unattributed = IPs in use − IPs the pools reserve (at their current node counts, under
   the pre-allocation assumption) when more are in use than reserved, else 0 — but only when those node counts
   are complete (every pool's count known, and the node pools of every cluster in the subnet's VCN listed);
   otherwise unknown (None).

Either way it is unknown when the subnet's IPs were not read, or when a virtual node pool uses the subnet (its
pods' IPs belong to no instance and follow a pod count okebot cannot see).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from engine.capacity.claims import SubnetClaim, tenancy_clusters, total_ips
from engine.memo import derived
from engine.model import Cluster, Frozen, NodePoolType, Subnet, Tenancy
from engine.reports import IpHolder

Method = Literal["instances", "reservations"]


class Attribution(Frozen):
    """A subnet's IPs in use split into those of known pool nodes and the rest.

    `unattributed` is None when it cannot be known; `attributed` is the pools' nodes' share (by instance, or
    the smaller of used and reserved by count); `holders` names the unattributed IPs' instances or VNICs when
    the method is "instances".
    """

    unattributed: int | None
    attributed: int | None = None
    method: Method | None = None
    holders: tuple[IpHolder, ...] = ()


UNKNOWN = Attribution(unattributed=None)


class Attributor:
    """Attributes the IPs of any subnet of a tenancy; what it needs from the clusters is gathered once, so that
    asking about every subnet of a large tenancy stays linear."""

    def __init__(self, tenancy: Tenancy, clusters: Sequence[Cluster]) -> None:
        self._tenancy = tenancy
        self._clusters = tuple(clusters)
        self._complete_by_vcn: dict[str | None, bool] = {}
        pools = [pool for cluster in self._clusters for pool in cluster.node_pools]
        self._virtual_subnets = {
            subnet_id
            for pool in pools
            if pool.type is NodePoolType.VIRTUAL
            for subnet_id in (*pool.worker_subnet_ids, *pool.pod_subnet_ids)
        }
        self._pool_nodes = {node.id for pool in pools for node in pool.nodes or ()}
        attached = set((tenancy.vnic_instances or {}).values())
        # Pools whose every node's VNICs are known (its attachments were read): by id.
        self._fully_attached = {
            pool.id for pool in pools if pool.nodes is not None and all(n.id in attached for n in pool.nodes)
        }

    @classmethod
    def of(cls, tenancy: Tenancy, cluster: Cluster) -> Attributor:
        """The attributor of `tenancy` with `cluster` in place of its stored copy (`tenancy_clusters`). When
        `cluster` is one of the tenancy's own, that is the tenancy's clusters as they are, so one attributor per
        tenancy object serves all of them (engine.memo): what it gathers does not depend on their order."""
        if any(stored is cluster for stored in tenancy.clusters):
            return derived(tenancy, "attributor", lambda: cls(tenancy, tenancy.clusters))
        return cls(tenancy, tenancy_clusters(tenancy, cluster))

    def _complete(self, vcn_id: str | None) -> bool:
        """Every cluster that may have nodes in a subnet of this VCN (or of an unknown one) listed all its node
        pools; worked out once per VCN."""
        if vcn_id not in self._complete_by_vcn:
            self._complete_by_vcn[vcn_id] = all(
                cluster.node_pools_complete
                for cluster in self._clusters
                if cluster.vcn_id is None or vcn_id is None or cluster.vcn_id == vcn_id
            )
        return self._complete_by_vcn[vcn_id]

    def attribute(self, subnet: Subnet, claims: Sequence[SubnetClaim]) -> Attribution:
        """Attribute a subnet's IPs in use to the pools' nodes (`claims` at the current node counts)."""
        usage = self._tenancy.ip_usage.get(subnet.id)
        if usage is None or subnet.id in self._virtual_subnets:
            return UNKNOWN
        if (usage.ips_by_vnic is not None and self._tenancy.vnic_instances is not None
                and all(claim.pool_id in self._fully_attached for claim in claims)):
            return self._by_instance(usage.ips_by_vnic, self._tenancy.vnic_instances)
        reserved = total_ips(claims)
        if reserved is None or not self._complete(subnet.vcn_id):
            return UNKNOWN
        unattributed = max(0, usage.used_ips - reserved)
        return Attribution(unattributed=unattributed, attributed=usage.used_ips - unattributed,
                           method="reservations")

    def _by_instance(self, ips_by_vnic: dict[str, int], instances: dict[str, str]) -> Attribution:
        attributed = 0
        held: dict[tuple[str, str], int] = {}
        for vnic_id, ips in ips_by_vnic.items():
            instance = instances.get(vnic_id)
            if instance is not None and instance in self._pool_nodes:
                attributed += ips
            else:
                key = ("instance", instance) if instance is not None else ("vnic", vnic_id)
                held[key] = held.get(key, 0) + ips
        holders = tuple(
            IpHolder(holder=holder, kind=kind, ips=ips)
            for (kind, holder), ips in sorted(held.items(), key=lambda item: (-item[1], item[0][1]))
        )
        return Attribution(unattributed=sum(held.values()), attributed=attributed, method="instances",
                           holders=holders)


def attribute(tenancy: Tenancy, subnet: Subnet, claims: Sequence[SubnetClaim],
              clusters: Sequence[Cluster]) -> Attribution:
    """Attribute one subnet's IPs in use to the pools' nodes (`claims` at the current node counts)."""
    return Attributor(tenancy, clusters).attribute(subnet, claims)


def occupied_ips(used: int | None, reserved: int | None, attribution: Attribution) -> int | None:
    """What a subnet holds: the pools' share (their reservation, or more when their nodes hold more) plus the
    unattributed IPs; without an attribution, the larger of used and reserved, whichever is known."""
    if attribution.unattributed is not None and attribution.attributed is not None and reserved is not None:
        return max(reserved, attribution.attributed) + attribution.unattributed
    known = [value for value in (used, reserved) if value is not None]
    return max(known) if known else None
