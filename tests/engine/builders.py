"""Small builders for engine models in tests. Ids derive from names, so tests refer to things by name.

    subnet("pods-a", "10.0.64.0/19")            -> Subnet with id subnet_id("pods-a")
    pool("np1", pod_subnets=["pods-a"], nodes=3) -> NodePool with 3 observed nodes
    cluster("prod", pools=[...])                 -> Cluster whose pools point back at it
    tenancy(cluster(...), subnets=[...], used={"pods-a": 40})

Two kinds of builders live here: the small ones above, keyed by name with OCID-like ids (capacity, CNI and
what-if tests), and `valid_*`, which build one valid VCN-native network with every required route and rule for
rule tests to break in one way (`replace_subnet`, `codes`). Keep this API stable: other test modules import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from ipaddress import IPv4Network
from typing import Any

from engine.model import (
    Addon,
    Cluster,
    Cni,
    CniObservation,
    Node,
    NodeImage,
    NodePool,
    NodePoolType,
    RouteRule,
    SecurityRule,
    Shape,
    Subnet,
    SubnetUsage,
    Tenancy,
    Vcn,
)


def subnet_id(name: str) -> str:
    """The OCID-like id the builders give the subnet of this name."""
    return f"ocid1.subnet.oc1..{name}"


def pool_id(name: str) -> str:
    """The OCID-like id the builders give the node pool of this name."""
    return f"ocid1.nodepool.oc1..{name}"


def cluster_id(name: str) -> str:
    """The OCID-like id the builders give the cluster of this name."""
    return f"ocid1.cluster.oc1..{name}"


def subnet(name: str, *cidrs: str, vcn_id: str | None = "ocid1.vcn.oc1..vcn", regional: bool = True,
           public: bool = False) -> Subnet:
    """A subnet with one or more CIDR blocks (a /24 at 10.0.0.0 when none is given)."""
    blocks = tuple(IPv4Network(cidr) for cidr in (cidrs or ("10.0.0.0/24",)))
    return Subnet(id=subnet_id(name), name=name, vcn_id=vcn_id, cidrs=blocks, regional=regional,
                  public=public)


def nodes(count: int, *, prefix: str = "node", max_vnics: int | None = None,
          subnet: str | None = None) -> tuple[Node, ...]:
    """`count` observed nodes, optionally with their instance's VNIC limit and worker subnet (a name)."""
    where = subnet_id(subnet) if subnet is not None else None
    return tuple(
        Node(id=f"ocid1.instance.oc1..{prefix}{i}", name=f"{prefix}-{i}", max_vnics=max_vnics,
             subnet_id=where)
        for i in range(count)
    )


_observed_nodes = nodes  # `pool` takes a parameter of the same name


def pool(
    name: str,
    *,
    shape: str | None = "VM.Standard.E4.Flex",
    ocpus: float | None = 4,
    size: int | None = None,
    max_size: int | None = None,
    nodes: int | Sequence[Node] | None = None,
    max_pods: int | None = None,
    worker_subnets: Iterable[str] = (),
    pod_subnets: Iterable[str] = (),
    vnic_ip_counts: Iterable[int] = (),
    type: NodePoolType = NodePoolType.MANAGED,
) -> NodePool:
    """A node pool; subnets are given by name. `nodes` is a count of observed nodes, or the nodes."""
    observed = _observed_nodes(nodes, prefix=name) if isinstance(nodes, int) else nodes
    return NodePool(
        id=pool_id(name),
        name=name,
        cluster_id="unassigned",
        type=type,
        shape=shape,
        ocpus=ocpus,
        size=size,
        max_size=max_size,
        nodes=tuple(observed) if observed is not None else None,
        max_pods_per_node=max_pods,
        worker_subnet_ids=tuple(subnet_id(s) for s in worker_subnets),
        pod_subnet_ids=tuple(subnet_id(s) for s in pod_subnets),
        secondary_vnic_ip_counts=tuple(vnic_ip_counts),
    )


def cluster(
    name: str,
    *,
    cni: Cni = Cni.VCN_NATIVE,
    pools: Iterable[NodePool] = (),
    pods_cidr: str | None = None,
    endpoint_subnet: str | None = None,
    lb_subnets: Iterable[str] = (),
    addons: Iterable[Addon] | None = None,
    observation: CniObservation | None = None,
    kubernetes_version: str | None = "v1.31.1",
) -> Cluster:
    """A cluster whose pools point back at it; subnets are given by name."""
    own_id = cluster_id(name)
    return Cluster(
        id=own_id,
        name=name,
        kubernetes_version=kubernetes_version,
        cni=cni,
        pods_cidr=IPv4Network(pods_cidr) if pods_cidr is not None else None,
        endpoint_subnet_id=subnet_id(endpoint_subnet) if endpoint_subnet is not None else None,
        lb_subnet_ids=tuple(subnet_id(s) for s in lb_subnets),
        node_pools=tuple(p.model_copy(update={"cluster_id": own_id}) for p in pools),
        addons=tuple(addons) if addons is not None else None,
        cni_observation=observation,
    )


def tenancy(
    *clusters: Cluster,
    subnets: Iterable[Subnet] = (),
    used: Mapping[str, int] | None = None,
    shapes: Iterable[Shape] = (),
) -> Tenancy:
    """A tenancy; `used` maps subnet names to the private IPs observed in use there."""
    usage = {
        subnet_id(name): SubnetUsage(subnet_id=subnet_id(name), used_ips=ips)
        for name, ips in (used or {}).items()
    }
    return Tenancy(region="us-ashburn-1", clusters=clusters, subnets=tuple(subnets), shapes=tuple(shapes),
                   ip_usage=usage)


# --- A valid OKE network, for rule tests to break in one way --------------------------------------------------
# Ids here are the names themselves ("workers", "pods", "c1"); rule tests import these under short aliases.

VCN_ID = "vcn1"
SERVICES = "all-iad-services-in-oracle-services-network"


def net(*cidrs: str) -> tuple[IPv4Network, ...]:
    return tuple(IPv4Network(c) for c in cidrs)


def open_rules(vcn_cidr: str = "10.0.0.0/16") -> tuple[SecurityRule, ...]:
    """Rules that satisfy every OKE requirement for any role inside the VCN."""
    return (
        SecurityRule(direction="ingress", protocol="all", peer=vcn_cidr),
        SecurityRule(direction="egress", protocol="all", peer=vcn_cidr),
        SecurityRule(direction="ingress", protocol="1", peer="0.0.0.0/0", icmp_type=3, icmp_code=4),
        SecurityRule(direction="egress", protocol="1", peer="0.0.0.0/0", icmp_type=3, icmp_code=4),
        SecurityRule(direction="egress", protocol="6", peer=SERVICES, peer_type="service"),
    )


# Load balancers also need some ingress from their clients, outside the VCN.
CLIENT_INGRESS = SecurityRule(direction="ingress", protocol="6", peer="0.0.0.0/0", port_min=443, port_max=443)

GOOD_ROUTES = (
    RouteRule(destination="0.0.0.0/0", target="nat-gateway"),
    RouteRule(destination=SERVICES, destination_type="service", target="service-gateway"),
)


def valid_subnet(name: str, cidr: str, **changes: Any) -> Subnet:
    fields: dict[str, Any] = {
        "id": name,
        "name": name,
        "vcn_id": VCN_ID,
        "cidrs": net(cidr),
        "regional": True,
        "public": False,
        "route_rules": GOOD_ROUTES,
        "security_rules": open_rules(),
    }
    fields.update(changes)
    return Subnet(**fields)


def valid_pool(name: str = "np1", **changes: Any) -> NodePool:
    fields: dict[str, Any] = {
        "id": name,
        "name": name,
        "cluster_id": "c1",
        "shape": "VM.Standard.E4.Flex",
        "ocpus": 4,
        "size": 3,
        "max_size": 3,
        "worker_subnet_ids": ("workers",),
        "pod_subnet_ids": ("pods",),
        "image": NodeImage(name="Oracle-Linux-8.9-2024.01.26-0-OKE-1.29.1-668"),
    }
    fields.update(changes)
    return NodePool(**fields)


def valid_cluster(cni: Cni = Cni.VCN_NATIVE, **changes: Any) -> Cluster:
    fields: dict[str, Any] = {
        "id": "c1",
        "name": "prod",
        "vcn_id": VCN_ID,
        "kubernetes_version": "v1.29.1",
        "cni": cni,
        "pods_cidr": IPv4Network("10.244.0.0/16"),
        "services_cidr": IPv4Network("10.96.0.0/16"),
        "endpoint_subnet_id": "api",
        "lb_subnet_ids": ("lb",),
        "node_pools": (valid_pool(pod_subnet_ids=("pods",) if cni is Cni.VCN_NATIVE else ()),),
    }
    fields.update(changes)
    return Cluster(**fields)


def valid_subnets() -> tuple[Subnet, ...]:
    return (
        valid_subnet("api", "10.0.0.0/28"),
        valid_subnet("lb", "10.0.2.0/24", public=True, security_rules=(*open_rules(), CLIENT_INGRESS)),
        valid_subnet("workers", "10.0.1.0/24"),
        valid_subnet("pods", "10.0.64.0/18"),
    )


def valid_tenancy(the_cluster: Cluster | None = None, **changes: Any) -> Tenancy:
    """A tenancy with one VCN, its four subnets and the cluster (a good VCN-native one by default)."""
    fields: dict[str, Any] = {
        "region": "us-ashburn-1",
        "vcns": (Vcn(id=VCN_ID, name="prod-vcn", cidrs=net("10.0.0.0/16")),),
        "subnets": valid_subnets(),
        "clusters": (the_cluster or valid_cluster(),),
    }
    fields.update(changes)
    return Tenancy(**fields)


def replace_subnet(base: Tenancy, name: str, **changes: Any) -> Tenancy:
    """The tenancy with one subnet changed."""
    changed = tuple(s.model_copy(update=changes) if s.name == name else s for s in base.subnets)
    return base.model_copy(update={"subnets": changed})


def codes(findings: Any) -> list[str]:
    return sorted(f.code for f in findings)
