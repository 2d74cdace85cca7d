"""A plan, turned into the one engine model: a Tenancy with one Cluster, and the findings met on the way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network

from engine.findings import Finding
from engine.model import (
    Cluster,
    Frozen,
    NodeImage,
    NodePool,
    RouteRule,
    SecurityRule,
    Shape,
    Subnet,
    SubnetRole,
    Tenancy,
    Vcn,
    VnicLimits,
)
from engine.plan.cidrs import CidrReader
from engine.plan.model import Plan, PlanNodePool, PlanRoute, PlanSecurityRule, PlanShape, PlanSubnet

# The region's "All Services in Oracle Services Network" label, without the region key a plan does not give.
ALL_SERVICES_LABEL = "all-services-in-oracle-services-network"
PROTOCOL_WIRE = {"all": "all", "tcp": "6", "udp": "17", "icmp": "1"}


class PlanConversion(Frozen):
    """A plan as the engine sees it. `findings` holds what the conversion found wrong (CIDR_INVALID)."""

    tenancy: Tenancy
    cluster: Cluster
    findings: tuple[Finding, ...] = ()


def plan_id(kind: str, name: str) -> str:
    """The id a plan object gets in the engine model, e.g. plan:subnet/workers."""
    return f"plan:{kind}/{name}"


def plan_to_tenancy(plan: Plan) -> PlanConversion:
    """Convert a plan into a Tenancy holding its one cluster; invalid CIDRs become findings."""
    reader = CidrReader()
    vcn = Vcn(
        id=plan_id("vcn", plan.vcn.name),
        name=plan.vcn.name,
        cidrs=reader.many(plan.vcn.cidrs, path=("vcn", "cidrs"), subject=f"vcn:{plan.vcn.name}"),
    )
    blocks = {s.name: _subnet_blocks(i, s, reader) for i, s in enumerate(plan.subnets)}
    peers = _peer_blocks(plan, blocks)
    subnets = tuple(
        _subnet(i, s, blocks[s.name], vcn_id=vcn.id, peers=peers, reader=reader) for i, s in enumerate(plan.subnets)
    )
    cluster = _cluster(plan, vcn_id=vcn.id, reader=reader)
    tenancy = Tenancy(
        vcns=(vcn,), subnets=subnets, shapes=tuple(_shape(s) for s in plan.shapes), clusters=(cluster,),
        source_kind="plan",
    )
    return PlanConversion(tenancy=tenancy, cluster=cluster, findings=tuple(reader.findings))


def _subnet_blocks(i: int, subnet: PlanSubnet, reader: CidrReader) -> tuple[IPv4Network, ...]:
    subject = f"subnet:{subnet.name}"
    if subnet.cidrs is not None:
        return reader.many(subnet.cidrs, path=("subnets", i, "cidrs"), subject=subject)
    block = reader.one(subnet.cidr or "", path=("subnets", i, "cidr"), subject=subject)
    return () if block is None else (block,)


def _subnet(
    i: int,
    subnet: PlanSubnet,
    cidrs: tuple[IPv4Network, ...],
    *,
    vcn_id: str,
    peers: Mapping[str, Sequence[IPv4Network]],
    reader: CidrReader,
) -> Subnet:
    subject = f"subnet:{subnet.name}"
    routes = None
    if subnet.routes is not None:
        routes = tuple(
            rule
            for k, route in enumerate(subnet.routes)
            for rule in _route(route, path=("subnets", i, "routes", k, "destination"), subject=subject, reader=reader)
        )
    rules = None
    if subnet.security_rules is not None:
        rules = tuple(
            engine_rule
            for k, rule in enumerate(subnet.security_rules)
            for engine_rule in _security_rule(
                rule,
                peers=peers,
                path=("subnets", i, "securityRules", k, "peer"),
                subject=subject,
                reader=reader,
            )
        )
    return Subnet(
        id=plan_id("subnet", subnet.name),
        name=subnet.name,
        vcn_id=vcn_id,
        cidrs=cidrs,
        regional=subnet.regional,
        public=subnet.public,
        route_rules=routes,
        security_rules=rules,
    )


def _peer_blocks(plan: Plan, blocks: Mapping[str, tuple[IPv4Network, ...]]) -> dict[str, tuple[IPv4Network, ...]]:
    """Blocks for every `role:` and `subnet:` shorthand the plan can use."""
    peers = {f"subnet:{name}": cidrs for name, cidrs in blocks.items()}
    for role in SubnetRole:
        peers[f"role:{role.value}"] = tuple(block for s in plan.subnets if role in s.roles for block in blocks[s.name])
    return peers


def _route(route: PlanRoute, *, path: tuple[str | int, ...], subject: str, reader: CidrReader) -> list[RouteRule]:
    destination = route.destination
    if destination == "all-services":
        return [RouteRule(destination=ALL_SERVICES_LABEL, destination_type="service", target=route.target)]
    if destination.startswith("service:"):
        return [
            RouteRule(
                destination=destination.removeprefix("service:"),
                destination_type="service",
                target=route.target,
            )
        ]
    block = reader.one(destination, path=path, subject=subject)
    return [] if block is None else [RouteRule(destination=str(block), target=route.target)]


def _security_rule(
    rule: PlanSecurityRule,
    *,
    peers: Mapping[str, Sequence[IPv4Network]],
    path: tuple[str | int, ...],
    subject: str,
    reader: CidrReader,
) -> list[SecurityRule]:
    port_min, port_max = _port_range(rule.ports)
    common = {
        "direction": rule.direction,
        "protocol": PROTOCOL_WIRE.get(rule.protocol, rule.protocol),
        "port_min": port_min,
        "port_max": port_max,
        "icmp_type": rule.icmp_type,
        "icmp_code": rule.icmp_code,
        "stateless": rule.stateless,
        "description": rule.description,
    }
    peer = rule.peer
    if peer == "all-services":
        return [SecurityRule.model_validate({**common, "peer": ALL_SERVICES_LABEL, "peer_type": "service"})]
    kind, _, ref = peer.partition(":")
    if kind in ("service", "nsg"):
        return [SecurityRule.model_validate({**common, "peer": ref, "peer_type": kind})]
    if kind in ("role", "subnet"):
        return [SecurityRule.model_validate({**common, "peer": str(b)}) for b in peers.get(peer, ())]
    block = reader.one(peer, path=path, subject=subject)
    return [] if block is None else [SecurityRule.model_validate({**common, "peer": str(block)})]


def _port_range(ports: str | None) -> tuple[int | None, int | None]:
    if ports is None or ports == "all":
        return None, None
    low, _, high = ports.partition("-")
    return int(low), int(high or low)


def _cluster(plan: Plan, *, vcn_id: str, reader: CidrReader) -> Cluster:
    spec = plan.cluster
    cluster_id = plan_id("cluster", spec.name)
    subject = f"cluster:{spec.name}"
    endpoint = next((s for s in plan.subnets if SubnetRole.API_ENDPOINT in s.roles), None)
    return Cluster(
        id=cluster_id,
        name=spec.name,
        vcn_id=vcn_id,
        kubernetes_version=spec.kubernetes_version,
        cni=spec.cni,
        pods_cidr=reader.one(spec.pods_cidr, path=("cluster", "podsCidr"), subject=subject),
        services_cidr=reader.one(spec.services_cidr, path=("cluster", "servicesCidr"), subject=subject),
        endpoint_subnet_id=plan_id("subnet", endpoint.name) if endpoint is not None else None,
        lb_subnet_ids=tuple(plan_id("subnet", s.name) for s in plan.subnets if SubnetRole.LOAD_BALANCERS in s.roles),
        node_pools=tuple(_node_pool(pool, cluster_id=cluster_id) for pool in plan.node_pools),
        service_mesh=spec.service_mesh,
        load_balancer_rules=spec.load_balancer_rules or "oke-managed",
        type=spec.type,
        internet_egress=spec.internet_egress is not False,
    )


def _node_pool(pool: PlanNodePool, *, cluster_id: str) -> NodePool:
    image = None
    if pool.image is not None:
        image = NodeImage(name=pool.image.name, released=pool.image.released)
    return NodePool(
        id=plan_id("nodePool", pool.name),
        name=pool.name,
        cluster_id=cluster_id,
        type=pool.type,
        shape=pool.shape,
        ocpus=pool.ocpus,
        size=pool.size,
        max_size=pool.max_size,
        nodes=None,
        max_pods_per_node=pool.max_pods_per_node,
        worker_subnet_ids=tuple(plan_id("subnet", n) for n in pool.worker_subnet_names),
        pod_subnet_ids=tuple(plan_id("subnet", n) for n in pool.pod_subnet_names),
        secondary_vnic_ip_counts=tuple(p.ip_count for p in pool.vnic_profiles),
        image=image,
        kubernetes_version=pool.kubernetes_version,
    )


def _shape(shape: PlanShape) -> Shape:
    flex = None
    if shape.flex is not None:
        flex = VnicLimits(minimum=shape.flex.minimum, maximum=shape.flex.maximum, per_ocpu=shape.flex.per_ocpu)
    return Shape(name=shape.name, max_vnics=shape.max_vnics, flex_vnics=flex, source="plan")
