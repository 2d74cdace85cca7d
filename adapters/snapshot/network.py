"""Snapshot network objects (VCNs, subnets, rules, NSGs, route tables, shapes, IPs) → engine model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Network

from adapters.snapshot.document import (
    GatewayWire,
    RouteRuleWire,
    RouteTableWire,
    RuleWire,
    SecurityListWire,
    ShapeWire,
    SnapshotDocument,
    SubnetWire,
    VcnWire,
)
from engine.model import (
    Direction,
    PeerType,
    RouteRule,
    RouteTarget,
    SecurityRule,
    Shape,
    Subnet,
    SubnetUsage,
    Vcn,
    VnicLimits,
)

_PEER_TYPES: dict[str, PeerType] = {
    "CIDR_BLOCK": "cidr",
    "SERVICE_CIDR_BLOCK": "service",
    "NETWORK_SECURITY_GROUP": "nsg",
}
_TARGET_PREFIXES: tuple[tuple[str, RouteTarget], ...] = (
    ("ocid1.natgateway.", "nat-gateway"),
    ("ocid1.servicegateway.", "service-gateway"),
    ("ocid1.internetgateway.", "internet-gateway"),
    ("ocid1.drg.", "drg"),
    ("ocid1.drgattachment.", "drg"),
    ("ocid1.localpeeringgateway.", "local-peering-gateway"),
    ("ocid1.privateip.", "private-ip"),
)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """The values in first-seen order, without repeats."""
    return tuple(dict.fromkeys(values))


def vcn_from_wire(wire: VcnWire) -> Vcn:
    """A VCN: `cidrBlocks`, or the legacy single `cidrBlock`."""
    cidrs = _networks(wire.cidr_blocks or (), wire.cidr_block)
    return Vcn(id=wire.id, name=wire.display_name or wire.id, cidrs=cidrs)


def subnets_from_document(doc: SnapshotDocument) -> tuple[Subnet, ...]:
    """Every subnet with its route and security rules, each None when its table or lists were not read."""
    lists = None if doc.security_lists is None else {sl.id: sl for sl in doc.security_lists}
    tables = None if doc.route_tables is None else {rt.id: rt for rt in doc.route_tables}
    gateways = _gateway_kinds(doc)
    return tuple(_subnet(wire, lists=lists, tables=tables, gateways=gateways) for wire in doc.subnets or ())


def _subnet(
    wire: SubnetWire,
    *,
    lists: dict[str, SecurityListWire] | None,
    tables: dict[str, RouteTableWire] | None,
    gateways: dict[str, RouteTarget],
) -> Subnet:
    table = None if tables is None or wire.route_table_id is None else tables.get(wire.route_table_id)
    return Subnet(
        id=wire.id,
        name=wire.display_name or wire.id,
        vcn_id=wire.vcn_id,
        cidrs=_networks(wire.ipv4_cidr_blocks or (), wire.cidr_block),
        regional=wire.availability_domain is None,
        # OCI's default for prohibitPublicIpOnVnic is false: a subnet that does not say is public.
        public=not wire.prohibit_public_ip_on_vnic,
        route_rules=None
        if table is None
        else tuple(_route(rule, gateways) for rule in table.route_rules or ()),
        security_rules=_subnet_security_rules(wire.security_list_ids or [], lists),
    )


def _subnet_security_rules(
    list_ids: Sequence[str], lists: dict[str, SecurityListWire] | None
) -> tuple[SecurityRule, ...] | None:
    if lists is None or any(list_id not in lists for list_id in list_ids):
        return None
    rules: list[SecurityRule] = []
    for list_id in list_ids:
        rules.extend(_list_rules(lists[list_id]))
    return tuple(rules)


def _list_rules(security_list: SecurityListWire) -> Iterable[SecurityRule]:
    for rule in security_list.ingress_security_rules or ():
        yield security_rule(rule, "ingress")
    for rule in security_list.egress_security_rules or ():
        yield security_rule(rule, "egress")


def nsg_rules_from_document(doc: SnapshotDocument) -> dict[str, tuple[SecurityRule, ...]]:
    """NSG id → its rules; an NSG rule states its own direction (INGRESS when it has a source)."""
    result: dict[str, tuple[SecurityRule, ...]] = {}
    for nsg_id, rules in (doc.nsg_security_rules or {}).items():
        result[nsg_id] = tuple(security_rule(rule, _nsg_direction(rule)) for rule in rules)
    return result


def _nsg_direction(rule: RuleWire) -> Direction:
    if rule.direction is not None:
        return "ingress" if rule.direction == "INGRESS" else "egress"
    return "ingress" if rule.source is not None else "egress"


def security_rule(rule: RuleWire, direction: Direction) -> SecurityRule:
    """One OCI rule as an engine SecurityRule; the peer is the source (ingress) or destination (egress)."""
    if direction == "ingress":
        peer, kind = rule.source, rule.source_type
    else:
        peer, kind = rule.destination, rule.destination_type
    ports = rule.tcp_options or rule.udp_options
    port_range = ports.destination_port_range if ports else None
    return SecurityRule(
        direction=direction,
        protocol=rule.protocol.lower(),
        peer=peer or "",
        peer_type=_PEER_TYPES[kind] if kind else "cidr",
        port_min=port_range.min if port_range else None,
        port_max=port_range.max if port_range else None,
        icmp_type=rule.icmp_options.type if rule.icmp_options else None,
        icmp_code=rule.icmp_options.code if rule.icmp_options else None,
        stateless=bool(rule.is_stateless),
        description=rule.description,
    )


def _gateway_kinds(doc: SnapshotDocument) -> dict[str, RouteTarget]:
    lists: tuple[tuple[list[GatewayWire] | None, RouteTarget], ...] = (
        (doc.nat_gateways, "nat-gateway"),
        (doc.service_gateways, "service-gateway"),
        (doc.internet_gateways, "internet-gateway"),
    )
    return {gateway.id: kind for gateways, kind in lists for gateway in gateways or ()}


def _route(rule: RouteRuleWire, gateways: dict[str, RouteTarget]) -> RouteRule:
    return RouteRule(
        destination=rule.destination or rule.cidr_block or "",
        destination_type="service" if rule.destination_type == "SERVICE_CIDR_BLOCK" else "cidr",
        target=route_target(rule.network_entity_id, gateways),
        target_id=rule.network_entity_id,
    )


def route_target(entity_id: str | None, gateways: dict[str, RouteTarget]) -> RouteTarget:
    """The gateway kind a route points at: from the gateway lists, else from the OCID's resource type."""
    if entity_id is None:
        return "other"
    if entity_id in gateways:
        return gateways[entity_id]
    for prefix, kind in _TARGET_PREFIXES:
        if entity_id.startswith(prefix):
            return kind
    return "other"


def shapes_from_document(wires: Iterable[ShapeWire]) -> tuple[Shape, ...]:
    """The tenancy's shapes; list_shapes repeats a shape per availability domain, so the first one wins."""
    seen: dict[str, Shape] = {}
    for wire in wires:
        if wire.shape not in seen:
            seen[wire.shape] = _shape(wire)
    return tuple(seen.values())


def _shape(wire: ShapeWire) -> Shape:
    options = wire.max_vnic_attachment_options
    flex = None
    if (
        wire.is_flexible is not False
        and options is not None
        and options.min is not None
        and options.max is not None
        and options.default_per_ocpu is not None
    ):
        flex = VnicLimits(minimum=options.min, maximum=int(options.max), per_ocpu=options.default_per_ocpu)
    return Shape(name=wire.shape, max_vnics=wire.max_vnic_attachments, flex_vnics=flex, source="tenancy")


def ip_usage_from_document(doc: SnapshotDocument) -> dict[str, SubnetUsage]:
    """Private IPs in use per subnet, only for subnets whose IPs were read (see docs/snapshot-format.md)."""
    ips = doc.private_ip_counts()
    if ips is None:
        return {}  # no IP was read: a list of "covered" subnets alone cannot make their usage zero
    if doc.private_ip_subnet_ids is not None:
        covered = unique(doc.private_ip_subnet_ids)
    else:
        covered = unique(subnet.id for subnet in doc.subnets or ())
    counts: Counter[str] = Counter()
    by_vnic: dict[str, Counter[str]] = {}
    unnamed: set[str] = set()
    for (subnet_id, vnic_id), count in ips.items():
        counts[subnet_id] += count
        if vnic_id is None:
            unnamed.add(subnet_id)
        else:
            by_vnic.setdefault(subnet_id, Counter())[vnic_id] += count
    return {
        subnet_id: SubnetUsage(
            subnet_id=subnet_id,
            used_ips=counts[subnet_id],
            ips_by_vnic=None if subnet_id in unnamed else dict(by_vnic.get(subnet_id, {})),
        )
        for subnet_id in covered
    }


def vnic_instances_from_document(doc: SnapshotDocument) -> dict[str, str] | None:
    """VNIC id → the instance it is attached to, from `vnicAttachments`; None when the kind was not read.

    Attachments that are detached (or detaching) hold no IPs and are left out.
    """
    if doc.vnic_attachments is None:
        return None
    return {
        attachment.vnic_id: attachment.instance_id
        for attachment in doc.vnic_attachments
        if attachment.vnic_id and attachment.instance_id
        and (attachment.lifecycle_state or "").upper() not in ("DETACHED", "DETACHING")
    }


def _networks(blocks: Iterable[IPv4Network], single: IPv4Network | None) -> tuple[IPv4Network, ...]:
    ordered = [*blocks, *([single] if single is not None else [])]
    return tuple(dict.fromkeys(ordered))
