"""SECURITY_RULE_MISSING: each role's security lists and NSGs together must allow what OKE requires.

The effective rules of a role are the security-list rules of its subnets plus the rules of the NSGs attached
for it (endpoint NSGs, pool NSGs, pod NSGs): the union applies. A role whose rules were not read at all is
reported once as unknown; one read only in part gets warnings, not errors.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Network, collapse_addresses

from engine.catalogue import finding
from engine.check import Check
from engine.codes import Code
from engine.findings import Finding, Severity
from engine.model import Cluster, Cni, SecurityRule, Subnet, SubnetRole, Tenancy
from engine.rules._common import is_all_services_label, names
from engine.rules.security_requirements import ALL, ICMP, Requirement, describe, requirements_for

_ANYWHERE = IPv4Network("0.0.0.0/0")
_PROTOCOL_NAMES = {"tcp": "6", "udp": "17", "icmp": "1", "all": "all"}
_PEER_LABELS = {
    "workers": "Worker Nodes CIDR",
    "pods": "Pods CIDR",
    "api-endpoint": "API Endpoint CIDR",
    "anywhere": "0.0.0.0/0",
    "services": "All <region> Services in Oracle Services Network",
}


@dataclass
class RoleRules:
    """One subnet role: its subnets, attached NSGs, effective rules, and what was not read."""

    subnets: list[Subnet]
    nsg_ids: set[str]
    rules: list[SecurityRule] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)

    @property
    def read_anything(self) -> bool:
        return len(self.unread) < len(self.subnets) + len(self.nsg_ids)

    def cidrs(self) -> list[IPv4Network]:
        return [block for subnet in self.subnets for block in subnet.cidrs]


def security_findings(check: Check) -> list[Finding]:
    """SECURITY_RULE_MISSING per missing required rule, or SECURITY_RULES_NOT_READ when rules are unknown."""
    cluster = check.cluster
    roles = _roles(check)
    found: list[Finding] = []
    unread_roles: list[str] = []
    for req in requirements_for(cluster.cni):
        role = roles.get(req.role)
        if role is None:
            continue
        if not role.read_anything:
            unread_roles.append(req.role.value)
            continue
        peer_role = _peer_role(req)
        missing = _check(req, role, roles.get(peer_role) if peer_role else None, cluster)
        if missing is not None:
            found.append(missing)
    if unread_roles:
        unread = list(dict.fromkeys(unread_roles))
        found.append(
            finding(
                Code.SECURITY_RULES_NOT_READ,
                f"cluster:{cluster.name}",
                f"Security lists and NSG rules of the {', '.join(unread)} subnet role(s) of cluster "
                f"{cluster.name} "
                "were not read (or not stated in the plan), so their required rules were not checked.",
                details={"roles": ", ".join(unread)},
            )
        )
    return found


def _roles(check: Check) -> dict[SubnetRole, RoleRules]:
    tenancy, cluster, index = check.tenancy, check.cluster, check.subnets
    used = check.used
    native = cluster.cni is Cni.VCN_NATIVE
    wanted = {
        SubnetRole.API_ENDPOINT: ([used.endpoint] if used.endpoint else [], set(cluster.endpoint_nsg_ids)),
        SubnetRole.WORKERS: (list(used.workers), {n for p in cluster.node_pools for n in p.nsg_ids}),
        SubnetRole.PODS: (
            list(used.pods) if native else [],
            {n for p in cluster.node_pools for n in p.pod_nsg_ids} if native else set(),
        ),
    }
    roles: dict[SubnetRole, RoleRules] = {}
    for role, (ids, nsg_ids) in wanted.items():
        subnets = [index[i] for i in ids if i in index]
        if subnets:
            roles[role] = _effective(tenancy, subnets, nsg_ids)
    return roles


def _effective(tenancy: Tenancy, subnets: list[Subnet], nsg_ids: set[str]) -> RoleRules:
    role = RoleRules(subnets=subnets, nsg_ids=nsg_ids)
    rules: dict[SecurityRule, None] = {}
    for subnet in subnets:
        if subnet.security_rules is None:
            role.unread.append(f"subnet {subnet.name}")
        else:
            rules.update(dict.fromkeys(subnet.security_rules))
    for nsg_id in sorted(nsg_ids):
        if nsg_id in tenancy.nsg_rules:
            rules.update(dict.fromkeys(tenancy.nsg_rules[nsg_id]))
        else:
            role.unread.append(f"NSG {nsg_id}")
    role.rules = list(rules)
    return role


def _peer_role(req: Requirement) -> SubnetRole | None:
    return {
        "workers": SubnetRole.WORKERS,
        "pods": SubnetRole.PODS,
        "api-endpoint": SubnetRole.API_ENDPOINT,
    }.get(req.peer)


def _check(req: Requirement, role: RoleRules, peer: RoleRules | None, cluster: Cluster) -> Finding | None:
    candidates = [
        rule for rule in role.rules if _allows_traffic(rule, req) and _replies_allowed(rule, role.rules)
    ]
    if req.peer in ("anywhere", "services"):
        wanted = [_ANYWHERE] if req.peer == "anywhere" else []
        if any(_covers_special(rule, req) for rule in candidates):
            return None
    else:
        if peer is None or not peer.cidrs():
            return None  # nothing to check against: the peer role has no known subnet
        if any(r.peer_type == "nsg" and r.peer in peer.nsg_ids for r in candidates):
            return None
        wanted = _uncovered(peer.cidrs(), _rule_networks(candidates))
        if not wanted:
            return None
    return _missing(req, role, wanted, cluster)


def _allows_traffic(rule: SecurityRule, req: Requirement) -> bool:
    protocol = _PROTOCOL_NAMES.get(rule.protocol.strip().casefold(), rule.protocol.strip())
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
    if rule.port_min is None and rule.port_max is None:
        return True
    low, high = rule.port_min or 1, rule.port_max or 65535
    return low <= req.port <= high if req.port is not None else low <= 1 and high >= 65535


def _replies_allowed(rule: SecurityRule, rules: Iterable[SecurityRule]) -> bool:
    """A stateful rule lets replies back by itself; a stateless one only with a rule the other way to the same
    peer (OKE's required rules are all stateful, per Oracle's network-configuration page, so a lone stateless
    rule does not meet one)."""
    if not rule.stateless:
        return True
    protocol = rule.protocol.strip().casefold()
    return any(
        other.direction != rule.direction
        and other.peer == rule.peer
        and other.peer_type == rule.peer_type
        and other.protocol.strip().casefold() in (protocol, "all")
        for other in rules
    )


def _covers_special(rule: SecurityRule, req: Requirement) -> bool:
    if rule.peer_type == "cidr":
        return _network(rule.peer) == _ANYWHERE
    return req.peer == "services" and rule.peer_type == "service" and is_all_services_label(rule.peer)


def _network(text: str) -> IPv4Network | None:
    try:
        return IPv4Network(text.strip(), strict=False)
    except ValueError:
        return None


def _rule_networks(rules: Iterable[SecurityRule]) -> list[IPv4Network]:
    """The union of the rules' CIDR peers as sorted, disjoint blocks."""
    nets = {net for rule in rules if rule.peer_type == "cidr" and (net := _network(rule.peer)) is not None}
    return list(collapse_addresses(nets))


def _uncovered(wanted: list[IPv4Network], allowed: list[IPv4Network]) -> list[IPv4Network]:
    starts = [int(block.network_address) for block in allowed]
    missing: list[IPv4Network] = []
    for block in wanted:
        at = bisect.bisect_right(starts, int(block.network_address)) - 1
        if at < 0 or not block.subnet_of(allowed[at]):
            missing.append(block)
    return missing


def _missing(req: Requirement, role: RoleRules, peers: list[IPv4Network], cluster: Cluster) -> Finding:
    subnet_names = [subnet.name for subnet in role.subnets]
    subject = f"subnet:{subnet_names[0]}" if len(subnet_names) == 1 else f"cluster:{cluster.name}"
    way = "from" if req.direction == "ingress" else "to"
    peer_text = _PEER_LABELS[req.peer] + (f" ({names([str(p) for p in peers])})" if peers else "")
    partial = f" Not read: {names(role.unread)}; the rule may exist there." if role.unread else ""
    return finding(
        Code.SECURITY_RULE_MISSING,
        subject,
        f"{req.role.value} subnet(s) {names(subnet_names)}: no rule allows {req.direction} {way} "
        f"{peer_text}, "
        f"{describe(req)} ({req.purpose}).{partial}",
        severity=Severity.WARNING if role.unread else None,
        fields={"rule": f"{req.direction} rule {way} {_PEER_LABELS[req.peer]}, {describe(req)},",
                "role": req.role.value},
        details={
            "role": req.role.value,
            "direction": req.direction,
            "peer": req.peer,
            "peerCidrs": ", ".join(str(p) for p in peers) or None,
            "protocol": req.protocol,
            "port": req.port,
            "icmpType": req.icmp[0] if req.icmp else None,
            "icmpCode": req.icmp[1] if req.icmp else None,
            "purpose": req.purpose,
        },
    )


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (security_findings,)
