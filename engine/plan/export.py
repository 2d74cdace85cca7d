"""Export a cluster (live, snapshot or plan) as a plan: the starting point for a what-if or a new cluster."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network

from pydantic import ValidationError

from engine.errors import InputError, NotFoundError
from engine.model import Cluster, NodePool, RouteRule, SecurityRule, Shape, Subnet, SubnetRole, Tenancy
from engine.plan.convert import ALL_SERVICES_LABEL, PROTOCOL_WIRE
from engine.plan.model import (
    API_VERSION,
    Plan,
    PlanCluster,
    PlanFlexVnics,
    PlanImage,
    PlanNodePool,
    PlanRoute,
    PlanSecurityRule,
    PlanShape,
    PlanSubnet,
    PlanVcn,
    PlanVnicProfile,
)
from engine.plan.parse import problem_of
from engine.shapes import BUILT_IN_SHAPES

_PROTOCOL_NAMES = {wire: name for name, wire in PROTOCOL_WIRE.items()}


def _as_built_in(shape: Shape) -> bool:
    """Whether the built-in table gives this shape the same VNICs (for a flex shape, the per-OCPU rule, which
    wins over a maxVnics the tenancy lists beside it)."""
    known = BUILT_IN_SHAPES.get(shape.name)
    if known is None:
        return False
    if known.flex_vnics is not None:
        return shape.flex_vnics == known.flex_vnics
    return shape.flex_vnics is None and shape.max_vnics == known.max_vnics
_DEFAULT_PODS_CIDR = "10.244.0.0/16"
_DEFAULT_SERVICES_CIDR = "10.96.0.0/16"


def tenancy_to_plan(tenancy: Tenancy, cluster: Cluster) -> Plan:
    """The cluster as a plan: its subnets with their roles (and routes and rules where read), its pools.

    A live value a plan cannot hold (0.5 OCPUs, a pool above its own maxSize) is an InputError naming it.
    """
    try:
        return _to_plan(tenancy, cluster)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"cannot export cluster {cluster.name} as a plan: {problem_of(first).message}",
            where=f"{exc.title}.{where}" if where else exc.title,
            remedy="this live value is outside what a plan file accepts; export another cluster or fix the value",
        ) from None


def _to_plan(tenancy: Tenancy, cluster: Cluster) -> Plan:
    subnets = _cluster_subnets(tenancy, cluster)
    names = _unique_names(subnet.name for subnet, _ in subnets)
    subnet_names = {subnet.id: name for (subnet, _), name in zip(subnets, names, strict=True)}
    vcn = tenancy.vcn(cluster.vcn_id or (subnets[0][0].vcn_id if subnets else None))
    if vcn is None:
        raise NotFoundError(f"cannot export cluster {cluster.name} as a plan: its VCN was not read")
    pool_names = _unique_names(pool.name for pool in cluster.node_pools)
    # A rule whose peer is exactly one of the cluster's subnets names that subnet, so that editing the
    # subnet's CIDR in the plan keeps the rule pointing at it.
    peers = _subnet_peers(subnets, subnet_names)
    return Plan(
        api_version=API_VERSION,
        cluster=PlanCluster(
            name=cluster.name,
            kubernetes_version=cluster.kubernetes_version,
            cni=cluster.cni,
            pods_cidr=str(cluster.pods_cidr) if cluster.pods_cidr else _DEFAULT_PODS_CIDR,
            services_cidr=str(cluster.services_cidr) if cluster.services_cidr else _DEFAULT_SERVICES_CIDR,
            service_mesh=cluster.service_mesh,
            type=cluster.type,
            # Defaults are left unsaid, so an exported plan states only what differs from them.
            load_balancer_rules="manual" if cluster.load_balancer_rules == "manual" else None,
            internet_egress=None if cluster.internet_egress else False,
        ),
        vcn=PlanVcn(name=vcn.name, cidrs=tuple(str(block) for block in vcn.cidrs)),
        subnets=tuple(_subnet(s, roles, name=subnet_names[s.id], peers=peers) for s, roles in subnets),
        node_pools=tuple(
            _node_pool(pool, name=name, subnet_names=subnet_names)
            for pool, name in zip(cluster.node_pools, pool_names, strict=True)
        ),
        shapes=_shapes(tenancy, cluster),
    )


def _cluster_subnets(tenancy: Tenancy, cluster: Cluster) -> list[tuple[Subnet, tuple[SubnetRole, ...]]]:
    """Each subnet the cluster uses, once, with the roles it plays, in a stable order."""
    uses: dict[str, list[SubnetRole]] = {}
    references = [(cluster.endpoint_subnet_id, SubnetRole.API_ENDPOINT)]
    for pool in cluster.node_pools:
        references += [(i, SubnetRole.WORKERS) for i in pool.worker_subnet_ids]
        references += [(i, SubnetRole.PODS) for i in pool.pod_subnet_ids]
    references += [(i, SubnetRole.LOAD_BALANCERS) for i in cluster.lb_subnet_ids]
    for subnet_id, role in references:
        if subnet_id is not None and role not in uses.setdefault(subnet_id, []):
            uses[subnet_id].append(role)
    found = []
    for subnet_id, roles in uses.items():
        subnet = tenancy.subnet(subnet_id)
        if subnet is None:
            raise NotFoundError(f"cannot export cluster {cluster.name}: subnet {subnet_id} was not read")
        found.append((subnet, tuple(roles)))
    return found


def _unique_names(names: Iterable[str]) -> list[str]:
    # OCI display names need not be unique; a plan's names must be, as pools refer to subnets by name.
    taken: set[str] = set()
    unique = []
    for name in names:
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}-{n}", n + 1
        taken.add(candidate)
        unique.append(candidate)
    return unique


def _subnet_peers(
    subnets: list[tuple[Subnet, tuple[SubnetRole, ...]]], names: dict[str, str]
) -> dict[str, str]:
    """"subnet:NAME" for each CIDR that is one subnet's only block (a CIDR two subnets share is left as is)."""
    by_cidr: dict[str, list[str]] = {}
    for subnet, _ in subnets:
        if len(subnet.cidrs) == 1:
            by_cidr.setdefault(str(subnet.cidrs[0]), []).append(names[subnet.id])
    return {cidr: f"subnet:{found[0]}" for cidr, found in by_cidr.items() if len(found) == 1}


def _subnet(
    subnet: Subnet, roles: tuple[SubnetRole, ...], *, name: str, peers: dict[str, str] | None = None
) -> PlanSubnet:
    cidrs = tuple(str(block) for block in subnet.cidrs)
    routes = None
    if subnet.route_rules is not None:
        routes = tuple(_route(r) for r in subnet.route_rules if r.target != "other")
    rules = None
    if subnet.security_rules is not None:
        rules = tuple(_security_rule(r, peers or {}) for r in subnet.security_rules if _exportable(r))
    return PlanSubnet(
        name=name,
        roles=roles,
        cidr=cidrs[0] if len(cidrs) == 1 else None,
        cidrs=cidrs if len(cidrs) != 1 else None,
        regional=subnet.regional,
        public=subnet.public,
        routes=routes,
        security_rules=rules,
    )


def _service(label: str) -> str:
    return "all-services" if label == ALL_SERVICES_LABEL else f"service:{label}"


def _route(route: RouteRule) -> PlanRoute:
    destination = _service(route.destination) if route.destination_type == "service" else route.destination
    # "other" targets were filtered out by the caller; the rest are the plan's targets.
    return PlanRoute(destination=destination, target=route.target)


def _exportable(rule: SecurityRule) -> bool:
    return rule.protocol in _PROTOCOL_NAMES or (rule.protocol.isascii() and rule.protocol.isdigit())


def _security_rule(rule: SecurityRule, peers: dict[str, str]) -> PlanSecurityRule:
    peer = {"service": _service(rule.peer), "nsg": f"nsg:{rule.peer}"}.get(rule.peer_type, rule.peer)
    if rule.peer_type == "cidr":
        peer = peers.get(_normal_cidr(rule.peer), peer)
    ports = None
    if rule.port_min is not None or rule.port_max is not None:
        low, high = rule.port_min or 1, rule.port_max or 65535
        ports = str(low) if low == high else f"{low}-{high}"
    return PlanSecurityRule(
        direction=rule.direction,
        protocol=_PROTOCOL_NAMES.get(rule.protocol, rule.protocol),
        peer=peer,
        ports=ports,
        icmp_type=rule.icmp_type,
        icmp_code=rule.icmp_code,
        stateless=rule.stateless,
        description=rule.description[:1000] if rule.description else rule.description,
    )


def _normal_cidr(text: str) -> str:
    try:
        return str(IPv4Network(text.strip(), strict=False))
    except ValueError:
        return text


def _node_pool(pool: NodePool, *, name: str, subnet_names: dict[str, str]) -> PlanNodePool:
    workers = tuple(subnet_names[i] for i in pool.worker_subnet_ids)
    if not workers:
        raise NotFoundError(f"cannot export node pool {pool.name}: its worker subnets were not read")
    pods = tuple(subnet_names[i] for i in pool.pod_subnet_ids)
    image = None
    if pool.image is not None and (pool.image.name or pool.image.released):
        image = PlanImage(name=pool.image.name, released=pool.image.released)
    size = pool.size if pool.size is not None else len(pool.nodes) if pool.nodes is not None else None
    return PlanNodePool(
        name=name,
        type=pool.type,
        shape=pool.shape,
        ocpus=pool.ocpus,
        size=size,
        max_size=pool.max_size,
        max_pods_per_node=pool.max_pods_per_node,
        worker_subnet=workers[0] if len(workers) == 1 else None,
        worker_subnets=workers if len(workers) != 1 else None,
        pod_subnet=pods[0] if len(pods) == 1 else None,
        pod_subnets=pods if len(pods) > 1 else None,
        image=image,
        kubernetes_version=pool.kubernetes_version,
        vnic_profiles=tuple(PlanVnicProfile(ip_count=n) for n in pool.secondary_vnic_ip_counts),
    )


def _shapes(tenancy: Tenancy, cluster: Cluster) -> tuple[PlanShape, ...]:
    """The tenancy's own shapes that the pools use, so the plan carries their VNIC limits with it; a shape the
    built-in table already knows with the same limits is left out (it would only repeat the table)."""
    shapes = []
    for name in dict.fromkeys(pool.shape for pool in cluster.node_pools if pool.shape):
        shape = tenancy.shape(name)
        if shape is None or shape.source == "built-in" or _as_built_in(shape):
            continue
        flex = None
        if shape.flex_vnics is not None:
            limits = shape.flex_vnics
            flex = PlanFlexVnics(minimum=limits.minimum, maximum=limits.maximum, per_ocpu=limits.per_ocpu)
        shapes.append(PlanShape(name=shape.name, max_vnics=shape.max_vnics, flex=flex))
    return tuple(shapes)
