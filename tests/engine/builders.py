"""Small builders for engine models in tests. Ids derive from names, so tests refer to things by name.

    subnet("pods-a", "10.0.64.0/19")            -> Subnet with id subnet_id("pods-a")
    pool("np1", pod_subnets=["pods-a"], nodes=3) -> NodePool with 3 observed nodes
    cluster("prod", pools=[...])                 -> Cluster whose pools point back at it
    tenancy(cluster(...), subnets=[...], used={"pods-a": 40})

Keep this API stable: other test modules import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from ipaddress import IPv4Network

from engine.model import (
    Addon,
    Cluster,
    Cni,
    CniObservation,
    Node,
    NodePool,
    NodePoolType,
    Shape,
    Subnet,
    SubnetUsage,
    Tenancy,
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
