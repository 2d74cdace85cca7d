"""SECURITY_RULE_MISSING: each role's security lists and NSGs together must allow what OKE requires.

Source: Oracle's network-configuration page for OKE (contengnetworkconfig.htm), its security-rule tables for
the API endpoint, worker, pod and load balancer subnets (`engine.rules.security_requirements`).

The effective rules of a subnet in a role are its security-list rules plus the rules of the NSGs attached for
that role to VNICs in it (endpoint NSGs, the NSGs of pools placing nodes or pods there): the union applies.
Subnets of a role with the same lists and NSGs are checked together; one whose lists differ, on its own.
A requirement is met when those rules together allow every peer address and every port of it: two rules for
30000-31000 and 31001-32767 meet 30000-32767, one for 30000-31000 does not. A stateless rule counts only with a
rule the other way to the same peer (or a block holding it) that takes the replies. How rules meet a requirement
is `engine.rules.security_matching`'s. A role whose rules were not read at all is reported once as unknown; one
read only in part gets warnings, not errors. Load-balancer rows are warnings unless the cluster says its
load-balancer rules are managed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network

from engine.catalogue import finding
from engine.check import Check
from engine.codes import Code
from engine.findings import Detail, Finding, Severity
from engine.model import Cluster, Cni, SecurityRule, Subnet, SubnetRole, Tenancy
from engine.rules._common import how_to_state, names, not_read_phrase, services_label, vcn_blocks
from engine.rules.security_matching import (
    ALL_PORTS,
    ANYWHERE,
    covers_special,
    is_client,
    matches,
    ports_covered,
    replies_allowed,
    rule_ports,
    uncovered,
)
from engine.rules.security_requirements import Requirement, describe, requirements_for
from engine.words import noun

_PEER_LABELS = {
    "workers": "Worker Nodes CIDR",
    "pods": "Pods CIDR",
    "api-endpoint": "API Endpoint CIDR",
    "load-balancers": "Load Balancer Subnet CIDR",
    "anywhere": "0.0.0.0/0",
    "services": "All <region> Services in Oracle Services Network",
    "clients": "clients outside the VCN (0.0.0.0/0 or a client CIDR)",
}
_PEER_ROLES = {
    "workers": SubnetRole.WORKERS,
    "pods": SubnetRole.PODS,
    "api-endpoint": SubnetRole.API_ENDPOINT,
    "load-balancers": SubnetRole.LOAD_BALANCERS,
}
_EFFECTS = {
    "clients": "No client outside the VCN can reach the load balancers",
    "load balancer to NodePorts": "Load balancers cannot reach their backends' NodePorts",
    "load balancer health check to kube-proxy": "Every load balancer backend fails its kube-proxy health check "
                                                "and is marked unhealthy",
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
    roles = role_rules(check)
    groups = role_groups(check)
    found: list[Finding] = []
    unread_roles: list[str] = []
    for req in requirements_for(cluster.cni):
        for group in groups.get(req.role, []):
            if not group.read_anything:
                unread_roles.append(req.role.value)
                continue
            peer_role = _PEER_ROLES.get(req.peer)
            inside = vcn_blocks(check.tenancy, cluster, group.subnets) if req.peer == "clients" else []
            missing = _check(req, group, roles.get(peer_role) if peer_role else None, cluster, inside,
                             tenancy=check.tenancy)
            if missing is not None:
                found.append(missing)
    if unread_roles:
        unread = list(dict.fromkeys(unread_roles))
        tenancy = check.tenancy
        found.append(
            finding(
                Code.SECURITY_RULES_NOT_READ,
                f"cluster:{cluster.name}",
                f"Security lists and NSG rules of the {', '.join(unread)} subnet {noun(len(unread), 'role')} of "
                f"cluster {cluster.name} {not_read_phrase(tenancy)}, so their required rules were not checked.",
                details={"roles": ", ".join(unread), "source": tenancy.source_kind},
                fields={"how": how_to_state(tenancy, plan_key="subnets[].securityRules",
                                            read_what="security lists and NSGs",
                                            grant="read virtual-network-family")},
            )
        )
    return found


def role_rules(check: Check) -> dict[SubnetRole, RoleRules]:
    """The effective rules of each subnet role the cluster uses (roles without a known subnet are left out).

    Load balancers have no NSGs the cluster names (OKE attaches them per Service), so their role holds the
    security lists of the cluster's load-balancer subnets only.
    """
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
        SubnetRole.LOAD_BALANCERS: (list(used.load_balancers), set()),
    }
    roles: dict[SubnetRole, RoleRules] = {}
    for role, (ids, nsg_ids) in wanted.items():
        subnets = [index[i] for i in ids if i in index]
        if subnets:
            roles[role] = effective_rules(tenancy, subnets, nsg_ids)
    return roles


def role_groups(check: Check) -> dict[SubnetRole, list[RoleRules]]:
    """Each role's subnets grouped by the rules that apply to them, to be checked group by group.

    A subnet's rules are its own security lists plus the NSGs attached for the role to VNICs in it: the
    endpoint's NSGs; the NSGs of the pools placing nodes (workers) or pods (pods) there; none for load
    balancers. Subnets with the same lists and NSGs form one group, so one finding names them all, and a
    subnet whose lists lack a rule its siblings have is found on its own.
    """
    tenancy, cluster, index = check.tenancy, check.cluster, check.subnets
    used = check.used
    native = cluster.cni is Cni.VCN_NATIVE
    worker_nsgs: dict[str, set[str]] = {}
    pod_nsgs: dict[str, set[str]] = {}
    for pool in cluster.node_pools:
        for subnet_id in pool.worker_subnet_ids:
            worker_nsgs.setdefault(subnet_id, set()).update(pool.nsg_ids)
        for subnet_id in pool.pod_subnet_ids:
            pod_nsgs.setdefault(subnet_id, set()).update(pool.pod_nsg_ids)
    wanted: dict[SubnetRole, list[tuple[str, frozenset[str]]]] = {
        SubnetRole.API_ENDPOINT: [(used.endpoint, frozenset(cluster.endpoint_nsg_ids))] if used.endpoint else [],
        SubnetRole.WORKERS: [(i, frozenset(worker_nsgs.get(i, ()))) for i in used.workers],
        SubnetRole.PODS: [(i, frozenset(pod_nsgs.get(i, ()))) for i in used.pods] if native else [],
        SubnetRole.LOAD_BALANCERS: [(i, frozenset()) for i in used.load_balancers],
    }
    members = {role: [(index[i], nsgs) for i, nsgs in pairs if i in index] for role, pairs in wanted.items()}
    groups: dict[SubnetRole, list[RoleRules]] = {}
    for role, pairs in members.items():
        by_rules: dict[tuple[object, frozenset[str]], list[Subnet]] = {}
        for subnet, nsgs in pairs:
            by_rules.setdefault((subnet.security_rules, nsgs), []).append(subnet)
        if by_rules:
            groups[role] = [effective_rules(tenancy, subnets, set(nsgs)) for (_, nsgs), subnets in by_rules.items()]
    return groups


def effective_rules(tenancy: Tenancy, subnets: list[Subnet], nsg_ids: set[str]) -> RoleRules:
    """The union of the subnets' security-list rules and the NSGs' rules, with what of them was not read."""
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


def _check(
    req: Requirement, role: RoleRules, peer: RoleRules | None, cluster: Cluster, inside: list[IPv4Network], *,
    tenancy: Tenancy,
) -> Finding | None:
    candidates = [rule for rule in role.rules if matches(rule, req) and replies_allowed(rule, role.rules)]
    wanted_ports = req.ports or ALL_PORTS
    if req.peer == "clients":
        if any(is_client(rule, inside) for rule in candidates):
            return None
        return _missing(req, role, [], cluster, tenancy=tenancy)
    if req.peer in ("anywhere", "services"):
        special = [rule for rule in candidates if covers_special(rule, req)]
        if ports_covered([rule_ports(rule) for rule in special], wanted_ports):
            return None
        return _missing(req, role, [ANYWHERE] if req.peer == "anywhere" else [], cluster, tenancy=tenancy)
    if peer is None or not peer.cidrs():
        return None  # nothing to check against: the peer role has no known subnet
    by_nsg = [rule for rule in candidates if rule.peer_type == "nsg" and rule.peer in peer.nsg_ids]
    if by_nsg and ports_covered([rule_ports(rule) for rule in by_nsg], wanted_ports):
        return None
    wanted = uncovered(peer.cidrs(), candidates, wanted_ports)
    if not wanted:
        return None
    return _missing(req, role, wanted, cluster, tenancy=tenancy)


def _missing(
    req: Requirement, role: RoleRules, peers: list[IPv4Network], cluster: Cluster, *, tenancy: Tenancy
) -> Finding:
    subnet_names = [subnet.name for subnet in role.subnets]
    subject = f"subnet:{subnet_names[0]}" if len(subnet_names) == 1 else f"cluster:{cluster.name}"
    way = "from" if req.direction == "ingress" else "to"
    label = services_label(tenancy) if req.peer == "services" else _PEER_LABELS[req.peer]
    peer_text = label + (f" ({names([str(p) for p in peers])})" if peers else "")
    partial = f" Not read: {names(role.unread)}; the rule may exist there." if role.unread else ""
    severity, managed = _load_balancer_severity(req, cluster)
    details: dict[str, Detail] = {
        "role": req.role.value,
        "direction": req.direction,
        "peer": req.peer,
        "peerCidrs": ", ".join(str(p) for p in peers) or None,
        "protocol": req.protocol,
        "port": req.port,
        "ports": None if req.ports is None else f"{req.ports[0]}-{req.ports[1]}",
        "icmpType": req.icmp[0] if req.icmp else None,
        "icmpCode": req.icmp[1] if req.icmp else None,
        "purpose": req.purpose,
    }
    if req.load_balancer:
        details["loadBalancerRules"] = cluster.load_balancer_rules
    return finding(
        Code.SECURITY_RULE_MISSING,
        subject,
        f"{req.role.value} {noun(len(subnet_names), 'subnet')} {names(subnet_names)}: no rule allows "
        f"{req.direction} {way} {peer_text}, "
        f"{describe(req)} ({req.purpose}).{managed}{partial}",
        severity=Severity.WARNING if role.unread else severity,
        fields={"rule": f"{req.direction} rule {way} {label}, {describe(req)},",
                "role": req.role.value, "planRule": plan_rule(req)},
        details=details,
        source=tenancy.source_kind,
    )


_PLAN_PEERS = {"workers": '"role:workers"', "pods": '"role:pods"', "api-endpoint": '"role:api-endpoint"',
               "load-balancers": '"role:load-balancers"', "anywhere": "0.0.0.0/0", "services": "all-services",
               "clients": "0.0.0.0/0"}
_PLAN_PROTOCOLS = {"6": "tcp", "1": "icmp", "17": "udp", "all": "all"}


def plan_rule(req: Requirement) -> str:
    """The required rule as one line of plan YAML, e.g. {direction: ingress, protocol: tcp, peer: "role:pods",
    ports: 6443}: what a plan author adds to a subnet's securityRules (docs/plan-format.md)."""
    parts = [f"direction: {req.direction}", f"protocol: {_PLAN_PROTOCOLS.get(req.protocol, req.protocol)}",
             f"peer: {_PLAN_PEERS[req.peer]}"]
    if req.ports is not None:
        low, high = req.ports
        parts.append(f"ports: {low}" if low == high else f"ports: {low}-{high}")
    if req.icmp is not None:
        parts += [f"icmpType: {req.icmp[0]}", f"icmpCode: {req.icmp[1]}"]
    return "{" + ", ".join(parts) + "}"


def _load_balancer_severity(req: Requirement, cluster: Cluster) -> tuple[Severity | None, str]:
    """A load-balancer row's severity and the sentence saying why: OKE's cloud controller manager adds these
    rules per Service while its security-list management is on (Oracle's network-configuration page), so a
    missing one is a warning, unless the cluster says they are managed by hand."""
    if not req.load_balancer:
        return None, ""
    effect = _EFFECTS.get("clients" if req.peer == "clients" else req.purpose, "Load balancers break")
    if cluster.load_balancer_rules == "manual":
        return Severity.ERROR, (
            f" {effect}: load-balancer rules are managed by hand here (loadBalancerRules: manual), so nothing "
            "adds this rule for you."
        )
    return Severity.WARNING, (
        f" {effect} unless OKE's cloud controller manages the security lists for your load balancers (its "
        "default for load balancers, not for network load balancers); if you manage them by hand, say "
        "loadBalancerRules: manual and this becomes an error."
    )


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (security_findings,)
