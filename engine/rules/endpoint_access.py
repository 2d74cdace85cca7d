"""API_ENDPOINT_NO_CLIENT_ACCESS: a public Kubernetes API endpoint that nothing outside its VCN may reach.

Source: Oracle's network-configuration page for OKE (contengnetworkconfig.htm): the API endpoint subnet's
client-access row (ingress from 0.0.0.0/0 or a specific CIDR, TCP 6443) is optional, so its absence is no
SECURITY_RULE_MISSING; but on a public endpoint it means kubectl from outside the VCN times out.

The endpoint is public when the cluster says so (`Cluster.public_endpoint`, read from the cluster's
`endpointConfig.isPublicIpEnabled` or `endpoints.publicEndpoint`), or, when that was not read (a plan), when its
endpoint subnet is public. Client access is an ingress rule of the endpoint subnet's security lists or the
endpoint's NSGs, TCP (or all protocols) on a port range holding 6443, from a CIDR not inside the VCN's CIDR
blocks (0.0.0.0/0, an office /24, 10.0.0.0/8 around a 10.0.0.0/16 VCN); a stateless one needs its reverse.
Rules not read at all leave the answer unknown: no finding.
"""

from __future__ import annotations

from engine.catalogue import finding
from engine.check import Check
from engine.codes import Code
from engine.findings import Finding
from engine.model import SecurityRule
from engine.rules._common import names, vcn_blocks
from engine.rules.security import effective_rules
from engine.rules.security_matching import is_client, ports_covered, protocol_of, replies_allowed, rule_ports

API_SERVER_PORT = 6443


def endpoint_client_access_findings(check: Check) -> list[Finding]:
    """API_ENDPOINT_NO_CLIENT_ACCESS when the endpoint is public and no rule admits 6443 from outside the VCN."""
    tenancy, cluster = check.tenancy, check.cluster
    subnet = check.subnets.get(cluster.endpoint_subnet_id or "")
    if subnet is None:
        return []
    public = cluster.public_endpoint if cluster.public_endpoint is not None else subnet.public
    if not public:
        return []
    role = effective_rules(tenancy, [subnet], set(cluster.endpoint_nsg_ids))
    if not role.read_anything:
        return []  # unknown: SECURITY_RULES_NOT_READ already says the endpoint's rules were not read
    inside = vcn_blocks(tenancy, cluster, [subnet])
    admitting = [rule for rule in role.rules if _admits_api(rule) and replies_allowed(rule, role.rules)]
    if any(is_client(rule, inside) for rule in admitting):
        return []
    internal = list(dict.fromkeys(rule.peer for rule in admitting))
    only = f"only from {names(internal)}, inside the VCN" if internal else "from nowhere at all"
    why = "its cluster has a public endpoint" if cluster.public_endpoint else f"its subnet {subnet.name} is public"
    partial = f" Not read: {names(role.unread)}; a rule may exist there." if role.unread else ""
    return [
        finding(
            Code.API_ENDPOINT_NO_CLIENT_ACCESS,
            f"subnet:{subnet.name}",
            f"Cluster {cluster.name}'s Kubernetes API endpoint is public ({why}), but its rules admit TCP "
            f"{API_SERVER_PORT} {only}, so kubectl from outside the VCN times out.{partial}",
            details={
                "cluster": cluster.name,
                "subnet": subnet.name,
                "publicEndpoint": cluster.public_endpoint,
                "admittedPeers": ", ".join(internal) or None,
                "vcnCidrs": ", ".join(str(block) for block in inside) or None,
            },
        )
    ]


def _admits_api(rule: SecurityRule) -> bool:
    if rule.direction != "ingress" or protocol_of(rule) not in ("6", "all"):
        return False
    return ports_covered([rule_ports(rule)], (API_SERVER_PORT, API_SERVER_PORT))


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (endpoint_client_access_findings,)
