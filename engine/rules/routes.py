"""Route rules: a VCN-native pod subnet needs 0.0.0.0/0 to a NAT gateway and its region's services to a
service gateway (Oracle's VCN-native pod networking page). Oracle's network-configuration page makes the NAT
gateway conditional on needing the internet, so a cluster that says it needs no internet egress
(`Cluster.internet_egress` False) gets an info instead of an error. A route table that was not read is reported
once as unknown, never as missing routes, in the words of the source at hand (plan, snapshot, live)."""

from __future__ import annotations

from ipaddress import IPv4Network

from engine.catalogue import finding
from engine.check import Check
from engine.codes import Code
from engine.findings import Detail, Finding, Severity
from engine.model import Cni, RouteRule, Subnet, Tenancy
from engine.rules._common import how_to_state, is_all_services_label, names, not_read_phrase, services_label
from engine.words import noun

_DEFAULT_ROUTE = IPv4Network("0.0.0.0/0")


def route_findings(check: Check) -> list[Finding]:
    """POD_SUBNET_NO_NAT_ROUTE and POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE, or ROUTES_NOT_READ."""
    cluster = check.cluster
    if cluster.cni is not Cni.VCN_NATIVE:
        return []
    index = check.subnets
    pod_subnets = [index[i] for i in check.used.pods if i in index]
    unread = [subnet.name for subnet in pod_subnets if subnet.route_rules is None]
    found: list[Finding] = []
    for subnet in pod_subnets:
        if subnet.route_rules is not None:
            found += _pod_subnet_routes(subnet, subnet.route_rules, internet=cluster.internet_egress,
                                        tenancy=check.tenancy)
    if unread:
        tenancy = check.tenancy
        found.append(
            finding(
                Code.ROUTES_NOT_READ,
                f"cluster:{cluster.name}",
                f"Route rules of pod {noun(len(unread), 'subnet')} {names(unread)} {not_read_phrase(tenancy)}, "
                "so their NAT and service gateway routes were not checked.",
                details={"subnets": len(unread), "source": tenancy.source_kind},
                fields={"how": how_to_state(tenancy, plan_key="subnets[].routes", read_what="route tables",
                                            grant="read virtual-network-family")},
            )
        )
    return found


def _pod_subnet_routes(
    subnet: Subnet, rules: tuple[RouteRule, ...], *, internet: bool, tenancy: Tenancy
) -> list[Finding]:
    """The pod subnet's NAT and service gateway routes. Without internet egress (an air-gapped design that
    reaches Oracle services through the service gateway only), a missing NAT route is only an info."""
    found: list[Finding] = []
    subject = f"subnet:{subnet.name}"
    details: dict[str, Detail] = {"subnet": subnet.name, "routeRules": len(rules), "internetEgress": internet}
    table = f"The route table of pod subnet {subnet.name} ({_rules_phrase(len(rules))})"
    if not any(_is_nat_default(rule) for rule in rules):
        fine = "" if internet else (
            " The cluster says it needs no internet egress (internetEgress: false), so pods reach Oracle services "
            "through the service gateway only and this is fine; pods cannot reach the internet."
        )
        found.append(
            finding(
                Code.POD_SUBNET_NO_NAT_ROUTE,
                subject,
                f"{table} has no 0.0.0.0/0 → NAT gateway route.{fine}",
                details=details,
                severity=None if internet else Severity.INFO,
                source=tenancy.source_kind,
            )
        )
    if not any(_is_service_route(rule) for rule in rules):
        found.append(
            finding(
                Code.POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE,
                subject,
                f"{table} has no '{services_label(tenancy)}' → service gateway route.",
                details=details,
                fields={"services": services_label(tenancy)},
                source=tenancy.source_kind,
            )
        )
    return found


def _is_nat_default(rule: RouteRule) -> bool:
    if rule.target != "nat-gateway" or rule.destination_type != "cidr":
        return False
    try:
        return IPv4Network(rule.destination.strip(), strict=False) == _DEFAULT_ROUTE
    except ValueError:
        return False


def _is_service_route(rule: RouteRule) -> bool:
    return (
        rule.target == "service-gateway"
        and rule.destination_type == "service"
        and is_all_services_label(rule.destination)
    )


def _rules_phrase(count: int) -> str:
    return "no rules" if count == 0 else "1 rule" if count == 1 else f"{count} rules"


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (route_findings,)
