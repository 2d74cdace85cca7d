"""Builders for rule tests: a small, valid OKE network that each test breaks in one way."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Any

from engine.model import (
    Cluster,
    Cni,
    NodeImage,
    NodePool,
    RouteRule,
    SecurityRule,
    Subnet,
    Tenancy,
    Vcn,
)

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


def subnet(name: str, cidr: str, **changes: Any) -> Subnet:
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


def pool(name: str = "np1", **changes: Any) -> NodePool:
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


def cluster(cni: Cni = Cni.VCN_NATIVE, **changes: Any) -> Cluster:
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
        "node_pools": (pool(pod_subnet_ids=("pods",) if cni is Cni.VCN_NATIVE else ()),),
    }
    fields.update(changes)
    return Cluster(**fields)


def subnets() -> tuple[Subnet, ...]:
    return (
        subnet("api", "10.0.0.0/28"),
        subnet("lb", "10.0.2.0/24", public=True, security_rules=(*open_rules(), CLIENT_INGRESS)),
        subnet("workers", "10.0.1.0/24"),
        subnet("pods", "10.0.64.0/18"),
    )


def tenancy(the_cluster: Cluster | None = None, **changes: Any) -> Tenancy:
    """A tenancy with one VCN, its four subnets and the cluster (a good VCN-native one by default)."""
    fields: dict[str, Any] = {
        "region": "us-ashburn-1",
        "vcns": (Vcn(id=VCN_ID, name="prod-vcn", cidrs=net("10.0.0.0/16")),),
        "subnets": subnets(),
        "clusters": (the_cluster or cluster(),),
    }
    fields.update(changes)
    return Tenancy(**fields)


def replace_subnet(base: Tenancy, name: str, **changes: Any) -> Tenancy:
    """The tenancy with one subnet changed."""
    changed = tuple(s.model_copy(update=changes) if s.name == name else s for s in base.subnets)
    return base.model_copy(update={"subnets": changed})


def codes(findings: Any) -> list[str]:
    return sorted(f.code for f in findings)
