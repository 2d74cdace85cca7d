"""The one engine model of an OKE network: what a tenancy, a snapshot or a plan file describes.

A `Tenancy` holds VCNs, subnets, shapes, network security groups, clusters and the usage observed beside
them. The same model is built from a live tenancy, a snapshot file or a plan file, and every engine function
(capacity, validation, CNI status, what-if) works on it.

`None` always means "not read" or "not known"; it is never a stand-in for zero.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum
from ipaddress import IPv4Network
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from engine.errors import ClusterNotFoundError


class Frozen(BaseModel):
    """Base for engine value objects: immutable, hashable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Cni(StrEnum):
    FLANNEL = "flannel"
    VCN_NATIVE = "vcn-native"


class SubnetRole(StrEnum):
    API_ENDPOINT = "api-endpoint"
    WORKERS = "workers"
    PODS = "pods"
    LOAD_BALANCERS = "load-balancers"


class NodePoolType(StrEnum):
    MANAGED = "managed"
    VIRTUAL = "virtual"


Direction = Literal["ingress", "egress"]
PeerType = Literal["cidr", "service", "nsg"]
RouteTarget = Literal[
    "nat-gateway", "service-gateway", "internet-gateway", "drg", "local-peering-gateway", "private-ip", "other"
]
ClusterType = Literal["basic", "enhanced"]
"""OKE's cluster type (API `Cluster.type`: BASIC_CLUSTER / ENHANCED_CLUSTER); virtual nodes need "enhanced"."""
SourceKind = Literal["plan", "snapshot", "live"]
"""Where a tenancy came from: a plan file, a snapshot file (the demo is one), or a live read of OCI."""
LoadBalancerRules = Literal["oke-managed", "manual"]
"""Who adds the load-balancer security rules: OKE's cloud controller manager per Service ("oke-managed", its
default for load balancers while its security-list management mode is on), or the cluster's owners by hand."""


class SecurityRule(Frozen):
    """One stateful or stateless rule from a security list or an NSG.

    `protocol` keeps OCI's wire form: "all", "6" (TCP), "17" (UDP), "1" (ICMP), "58" (ICMPv6).
    `peer` is a CIDR for peer_type "cidr", a service CIDR label such as "all-iad-services-in-oracle-services-network"
    for "service", and an NSG OCID for "nsg". Port bounds are inclusive; None means all ports.
    """

    direction: Direction
    protocol: str
    peer: str
    peer_type: PeerType = "cidr"
    port_min: int | None = None
    port_max: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    stateless: bool = False
    description: str | None = None


class RouteRule(Frozen):
    """A route: destination (CIDR or service label) to a gateway kind."""

    destination: str
    destination_type: Literal["cidr", "service"] = "cidr"
    target: RouteTarget
    target_id: str | None = None


class Vcn(Frozen):
    id: str
    name: str
    cidrs: tuple[IPv4Network, ...]


class Subnet(Frozen):
    """A subnet. `route_rules`/`security_rules` are None when they were not read."""

    id: str
    name: str
    vcn_id: str | None
    cidrs: tuple[IPv4Network, ...]
    regional: bool
    public: bool
    route_rules: tuple[RouteRule, ...] | None = None
    security_rules: tuple[SecurityRule, ...] | None = None


class VnicLimits(Frozen):
    """How many VNICs a flex shape attaches: `per_ocpu` per OCPU, clamped to [minimum, maximum]."""

    minimum: int
    maximum: int
    per_ocpu: float


class Shape(Frozen):
    """A compute shape's VNIC limits.

    A fixed shape has `max_vnics`; a flex shape has `flex_vnics`. Where both are set, the OCPU-based rule
    wins for pools that state their OCPUs.
    """

    name: str
    max_vnics: int | None = None
    flex_vnics: VnicLimits | None = None
    source: Literal["built-in", "tenancy", "plan"] = "built-in"


class NodeImage(Frozen):
    """The OS image of a node pool. `released` is an ISO date (YYYY-MM-DD) when known."""

    id: str | None = None
    name: str | None = None
    released: str | None = None


class Node(Frozen):
    """A worker node as OKE lists it. `max_vnics` comes from the instance's own shape config when read."""

    id: str
    name: str
    private_ip: str | None = None
    subnet_id: str | None = None
    state: str | None = None
    kubernetes_version: str | None = None
    max_vnics: int | None = None


class NodePool(Frozen):
    """A managed or virtual node pool.

    `size` is the desired node count; `max_size` the most it may grow to (plans, autoscaler); `nodes` the
    nodes observed (None when not read). `secondary_vnic_ip_counts` holds each secondary VNIC profile's
    `ipCount` for pools that use the newer VNIC-profile model.
    """

    id: str
    name: str
    cluster_id: str
    type: NodePoolType = NodePoolType.MANAGED
    shape: str | None = None
    ocpus: float | None = None
    size: int | None = None
    max_size: int | None = None
    nodes: tuple[Node, ...] | None = None
    max_pods_per_node: int | None = None
    worker_subnet_ids: tuple[str, ...] = ()
    pod_subnet_ids: tuple[str, ...] = ()
    secondary_vnic_ip_counts: tuple[int, ...] = ()
    nsg_ids: tuple[str, ...] = ()
    pod_nsg_ids: tuple[str, ...] = ()
    image: NodeImage | None = None
    kubernetes_version: str | None = None
    observed_vnics: int | None = None


class Addon(Frozen):
    """A cluster add-on. `version` None means Oracle manages (auto-updates) it."""

    name: str
    version: str | None = None
    current_installed_version: str | None = None
    lifecycle_state: str | None = None
    newest_available_version: str | None = None


class CniPod(Frozen):
    """A CNI pod. `ready` is its Ready condition (None when not read), `restarts` its containers' restart
    counts added up (None when not read)."""

    name: str
    node: str | None = None
    revision_hash: str | None = None
    phase: str | None = None
    image: str | None = None
    ready: bool | None = None
    restarts: int | None = None


class CniDaemonSet(Frozen):
    """The CNI DaemonSet's state. `newest_revision_hash` is the hash of its highest ControllerRevision."""

    name: str
    update_strategy: str | None = None
    desired: int | None = None
    updated: int | None = None
    newest_revision_hash: str | None = None
    image: str | None = None


class CniObservation(Frozen):
    """What was read from the cluster's Kubernetes API about its CNI. Logs hold a tail per pod name."""

    daemon_set: CniDaemonSet | None = None
    pods: tuple[CniPod, ...] = ()
    logs: dict[str, str] = Field(default_factory=dict)


class Cluster(Frozen):
    """An OKE cluster and the subnets it uses, by role.

    `addons` and `cni_observation` are None when they were not read. `node_pools_complete` is False when the
    source could not list the cluster's node pools, so its node counts are unknown rather than zero.
    `load_balancer_rules` says who adds the load-balancer security rules: a missing one is a warning while
    OKE's cloud controller may add it ("oke-managed", the default), an error when they are "manual".
    `public_endpoint` says whether the Kubernetes API endpoint has a public IP (None: not read; a plan leaves
    it None and its endpoint subnet's `public` stands in). `type` is basic or enhanced, None when not stated
    or not read (never guessed). `internet_egress` False says the design reaches Oracle services only
    through the service gateway and needs no internet (an air-gapped cluster), so no NAT route is needed.
    """

    id: str
    name: str
    vcn_id: str | None = None
    kubernetes_version: str | None = None
    cni: Cni = Cni.FLANNEL
    pods_cidr: IPv4Network | None = None
    services_cidr: IPv4Network | None = None
    endpoint_subnet_id: str | None = None
    endpoint_nsg_ids: tuple[str, ...] = ()
    public_endpoint: bool | None = None
    lb_subnet_ids: tuple[str, ...] = ()
    node_pools: tuple[NodePool, ...] = ()
    node_pools_complete: bool = True
    service_mesh: bool = False
    addons: tuple[Addon, ...] | None = None
    cni_observation: CniObservation | None = None
    lifecycle_state: str | None = None
    compartment_id: str | None = None
    load_balancer_rules: LoadBalancerRules = "oke-managed"
    type: ClusterType | None = None
    internet_egress: bool = True


class SubnetUsage(Frozen):
    """Private IPs observed in use in one subnet.

    `ips_by_vnic` maps each VNIC id to the IPs it holds in the subnet; None when the source did not say
    which VNIC holds each IP (then IPs can be attributed to node pools only by count).
    """

    subnet_id: str
    used_ips: int
    ips_by_vnic: dict[str, int] | None = None


class Unreadable(Frozen):
    """Something a source could not read, with why, so answers can say they are partial.

    `kind` is what was being read (the OCI resource kind, "kubernetes" for a cluster's CNI objects, "podLog");
    `name` is the cluster or node pool `id` names, when the tenancy holds it; `remedy` says what to do about it
    when okebot knows (a refusal usually means a missing permission), set by the answer that reports it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    kind: str
    id: str | None = None
    status: int | None = None
    code: str | None = None
    message: str
    request_id: str | None = None
    name: str | None = None
    remedy: str | None = None


class Tenancy(Frozen):
    """Everything one source knows: the network, its clusters, and observed usage.

    `ip_usage` maps subnet id to usage for subnets whose private IPs were read; a subnet missing from it
    is unknown. `nsg_rules` maps an NSG id to its rules. `vnic_instances` maps a VNIC id to the compute
    instance it is attached to (from VNIC attachments); None when attachments were not read. `source_kind`
    says where it came from (plan, snapshot, live), so answers can say "not stated in the plan" or "could not
    be read"; None when the caller did not say.
    """

    region: str | None = None
    captured_at: str | None = None
    vcns: tuple[Vcn, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    shapes: tuple[Shape, ...] = ()
    nsg_rules: dict[str, tuple[SecurityRule, ...]] = Field(default_factory=dict)
    clusters: tuple[Cluster, ...] = ()
    ip_usage: dict[str, SubnetUsage] = Field(default_factory=dict)
    vnic_instances: dict[str, str] | None = None
    unreadable: tuple[Unreadable, ...] = ()
    source_kind: SourceKind | None = None
    cached: bool = False

    def subnet(self, subnet_id: str) -> Subnet | None:
        """Return the subnet with this id, if the tenancy holds it."""
        for subnet in self.subnets:
            if subnet.id == subnet_id:
                return subnet
        return None

    def vcn(self, vcn_id: str | None) -> Vcn | None:
        """Return the VCN with this id, if the tenancy holds it."""
        for vcn in self.vcns:
            if vcn.id == vcn_id:
                return vcn
        return None

    def shape(self, name: str | None) -> Shape | None:
        """Return the tenancy's own shape of this name (not the built-in table)."""
        for shape in self.shapes:
            if shape.name == name:
                return shape
        return None

    def unreadable_for(self, clusters: Iterable[Cluster], *, ignore: Collection[str] = ()) -> tuple[Unreadable, ...]:
        """What could not be read that matters to these clusters: drops items about other clusters and their pools,
        and items of the kinds in `ignore` (what the question does not use), and names the cluster or pool an
        item's id is about."""
        if not self.unreadable:
            return ()
        chosen = tuple(clusters)
        wanted = {c.id for c in chosen} | {p.id for c in chosen for p in c.node_pools}
        foreign = {c.id for c in self.clusters} | {p.id for c in self.clusters for p in c.node_pools}
        foreign -= wanted

        def about_another_cluster(item_id: str) -> bool:
            # A reader asked for some clusters may not hold the others at all; their OCIDs still say what they are.
            return item_id in foreign or (
                item_id not in wanted and item_id.startswith(("ocid1.cluster.", "ocid1.nodepool."))
            )

        names = {c.id: c.name for c in chosen} | {p.id: p.name for c in chosen for p in c.node_pools}
        return tuple(
            item.model_copy(update={"name": names[item.id]}) if item.id in names and item.name is None else item
            for item in self.unreadable
            if item.kind not in ignore and (item.id is None or not about_another_cluster(item.id))
        )

    def require_cluster(self, ref: str) -> Cluster:
        """The cluster `ref` names (OCID, name, or case-insensitive name); ClusterNotFoundError if none."""
        cluster = self.find_cluster(ref)
        if cluster is None:
            raise ClusterNotFoundError(ref, (c.name for c in self.clusters))
        return cluster

    def select_clusters(self, ref: str | None) -> tuple[Cluster, ...]:
        """Every cluster when `ref` is None, else the one it names (ClusterNotFoundError if none)."""
        return self.clusters if ref is None else (self.require_cluster(ref),)

    def find_cluster(self, ref: str) -> Cluster | None:
        """Find a cluster by OCID, exact name, or case-insensitive name."""
        for cluster in self.clusters:
            if ref in (cluster.id, cluster.name):
                return cluster
        folded = ref.casefold()
        for cluster in self.clusters:
            if cluster.name.casefold() == folded:
                return cluster
        return None
