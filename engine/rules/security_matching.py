"""Whether security rules meet a required rule: pure functions on `SecurityRule`s and `Requirement`s.

Source: Oracle's network-configuration page for OKE (contengnetworkconfig.htm) for what is required
(`engine.rules.security_requirements`); OCI's security-rule semantics for how rules combine: the rules that
apply to a VNIC are a union, a stateful rule lets its replies back, a stateless one needs a rule the other way.

- A rule matches a requirement by direction and protocol ("all" matches any; ICMP also by type and code),
  ports aside (`matches`).
- Ports are inclusive (low, high) destination ranges; protocols without ports allow all of them
  (`rule_ports`). Several rules together cover a range when their ranges leave no gap: 30000-31000 and
  31001-32767 cover 30000-32767 (`ports_covered`).
- Peers are CIDR blocks: the wanted blocks must lie inside the union of the allowing rules' blocks, on every
  port of the range (`uncovered`).
- A stateless rule counts only with its reverse (`replies_allowed`).

Used by SECURITY_RULE_MISSING (`engine.rules.security`) and API_ENDPOINT_NO_CLIENT_ACCESS
(`engine.rules.endpoint_access`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Network, collapse_addresses
from itertools import pairwise

from engine.model import SecurityRule
from engine.rules._common import is_all_services_label, outside, parse_network
from engine.rules.security_requirements import ALL, ICMP, PortRange, Requirement

ANYWHERE = IPv4Network("0.0.0.0/0")
ALL_PORTS: PortRange = (1, 65535)
EPHEMERAL_PORTS: PortRange = (32768, 60999)  # Linux's default ip_local_port_range: where replies return
_PROTOCOL_NAMES = {"tcp": "6", "udp": "17", "icmp": "1", "all": "all"}


def protocol_of(rule: SecurityRule) -> str:
    """A rule's protocol in wire form ("6", "1", "all", ...), whether it was written as a name or a number."""
    text = rule.protocol.strip()
    return _PROTOCOL_NAMES.get(text.casefold(), text)


def matches(rule: SecurityRule, req: Requirement) -> bool:
    """Whether the rule is of the requirement's direction and protocol (and ICMP type/code); ports aside."""
    protocol = protocol_of(rule)
    if rule.direction != req.direction:
        return False
    if protocol == ALL:
        return True
    if protocol != req.protocol:
        return False
    if req.protocol == ICMP:
        return rule.icmp_type is None or (
            req.icmp is not None and rule.icmp_type == req.icmp[0] and rule.icmp_code in (None, req.icmp[1])
        )
    return True


def rule_ports(rule: SecurityRule) -> PortRange:
    """The destination ports a rule allows, as an inclusive range; all ports for protocols without ports."""
    if protocol_of(rule) not in ("6", "17"):
        return ALL_PORTS
    return (rule.port_min or 1, rule.port_max or 65535)


def ports_covered(ranges: Iterable[PortRange], wanted: PortRange) -> bool:
    """True when the ranges together hold every port of `wanted` (inclusive bounds)."""
    low, high = wanted
    reached = low - 1
    for start, end in sorted(ranges):
        if start > reached + 1:
            break
        reached = max(reached, end)
        if reached >= high:
            return True
    return reached >= high


def uncovered(
    wanted: Sequence[IPv4Network], rules: Iterable[SecurityRule], ports: PortRange
) -> list[IPv4Network]:
    """The wanted blocks that the rules' CIDR peers do not allow on every port of `ports`.

    The port range is cut where any rule's range starts or ends; on each piece the rules covering the whole
    piece must together hold every wanted block.
    """
    low, high = ports
    cidr_rules = [
        (network, rule_ports(rule))
        for rule in rules
        if rule.peer_type == "cidr" and (network := parse_network(rule.peer)) is not None
    ]
    cuts = {low, high + 1}
    for _, (start, end) in cidr_rules:
        cuts.update(point for point in (start, end + 1) if low < point <= high)
    points = sorted(cuts)
    missing: dict[IPv4Network, None] = {}
    for start, stop in pairwise(points):
        allowed = [network for network, (a, b) in cidr_rules if a <= start and b >= stop - 1]
        missing.update(dict.fromkeys(_outside_union(wanted, allowed)))
    return list(missing)


def _outside_union(wanted: Sequence[IPv4Network], allowed: Iterable[IPv4Network]) -> list[IPv4Network]:
    blocks = list(collapse_addresses(set(allowed)))
    starts = [int(block.network_address) for block in blocks]
    missing: list[IPv4Network] = []
    for block in wanted:
        at = bisect.bisect_right(starts, int(block.network_address)) - 1
        if at < 0 or not block.subnet_of(blocks[at]):
            missing.append(block)
    return missing


def replies_allowed(rule: SecurityRule, rules: Iterable[SecurityRule]) -> bool:
    """A stateful rule lets replies back by itself; a stateless one only with a rule the other way to the same
    peer, or to a CIDR block holding it, of the same protocol or all, whose destination ports take the
    replies: they return to the sender's ephemeral port, so the reverse must allow at least Linux's ephemeral
    range 32768-60999 (a reverse for port 10256 alone lets no reply back). OKE's required rules are all
    stateful, per Oracle's network-configuration page, so a lone stateless rule does not meet one."""
    if not rule.stateless:
        return True
    protocol = protocol_of(rule)
    network = parse_network(rule.peer) if rule.peer_type == "cidr" else None
    return any(
        other.direction != rule.direction
        and protocol_of(other) in (protocol, ALL)
        and _same_or_wider_peer(other, rule, network)
        and ports_covered([rule_ports(other)], EPHEMERAL_PORTS)
        for other in rules
    )


def _same_or_wider_peer(other: SecurityRule, rule: SecurityRule, network: IPv4Network | None) -> bool:
    if other.peer_type != rule.peer_type:
        return False
    if other.peer == rule.peer:
        return True
    wider = parse_network(other.peer) if other.peer_type == "cidr" else None
    return network is not None and wider is not None and network.subnet_of(wider)


def is_client(rule: SecurityRule, inside: list[IPv4Network]) -> bool:
    """Whether the rule's peer is a CIDR block outside `inside` (the VCN's blocks): a client's address."""
    network = parse_network(rule.peer) if rule.peer_type == "cidr" else None
    return network is not None and outside(network, inside)


def covers_special(rule: SecurityRule, req: Requirement) -> bool:
    """Whether the rule's peer is 0.0.0.0/0, or, for a requirement on Oracle's services, their all-services
    label: the peers "anywhere" and "services" are met by these alone, never by a union of narrower blocks."""
    if rule.peer_type == "cidr":
        return parse_network(rule.peer) == ANYWHERE
    return req.peer == "services" and rule.peer_type == "service" and is_all_services_label(rule.peer)
