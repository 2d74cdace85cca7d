"""SECURITY_RULE_MISSING: the union of a role's security lists and NSGs must allow OKE's required traffic."""

from __future__ import annotations

from typing import Any

import pytest

from engine.check import Check
from engine.findings import Finding, Severity
from engine.model import Cni, SecurityRule
from engine.rules.security import security_findings
from engine.rules.security_requirements import requirements_for
from tests.engine.builders import SERVICES, net, open_rules, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_subnet as subnet
from tests.engine.builders import valid_tenancy as tenancy

ICMP_PATH: dict[str, Any] = {"protocol": "1", "icmp_type": 3, "icmp_code": 4}


def _rule(direction: str, peer: str, protocol: str = "all", **more: Any) -> SecurityRule:
    peer_type = "service" if peer == SERVICES else "nsg" if peer.startswith("nsg") else "cidr"
    return SecurityRule(direction=direction, protocol=protocol, peer=peer, peer_type=peer_type, **more)


def _missing(found: list[Finding]) -> list[tuple[object, ...]]:
    rows = [(f.details["role"], f.details["direction"], f.details["peer"], f.details["port"]) for f in found]
    return sorted(rows, key=lambda row: tuple(str(part) for part in row))


@pytest.mark.parametrize("cni", list(Cni))
def test_rules_open_inside_the_vcn_satisfy_every_requirement(cni: Cni) -> None:
    the_cluster = cluster(cni)
    assert security_findings(Check(tenancy(the_cluster), the_cluster)) == []


def test_a_worker_subnet_without_rules_misses_every_worker_requirement() -> None:
    the_tenancy = replace_subnet(tenancy(), "workers", security_rules=())
    found = security_findings(Check(the_tenancy, cluster()))
    worker_rows = [r for r in requirements_for(Cni.VCN_NATIVE) if r.role.value == "workers"]
    workers = [f for f in found if f.details["role"] == "workers"]
    assert len(workers) == len(worker_rows)
    assert all(f.code == "SECURITY_RULE_MISSING" for f in workers)
    # The load-balancer rows are warnings: OKE's cloud controller may add them (see the load-balancer tests).
    assert {f.details["purpose"]: f.severity for f in workers if f.severity is Severity.WARNING} == {
        "load balancer to NodePorts": Severity.WARNING,
        "load balancer health check to kube-proxy": Severity.WARNING,
    }
    assert all(f.subject == "subnet:workers" for f in workers)
    to_api = next(f for f in workers if f.details["port"] == 6443)
    assert "egress to API Endpoint CIDR (10.0.0.0/28), TCP port 6443" in to_api.message


def test_nsg_rules_count_when_subnet_security_lists_were_not_read() -> None:
    base = tenancy()
    unread = base.model_copy(
        update={
            "subnets": tuple(
                s if s.name == "lb" else s.model_copy(update={"security_rules": None}) for s in base.subnets
            )
        }
    )
    nsgs = {"nsg-api": open_rules(), "nsg-workers": open_rules(), "nsg-pods": open_rules()}
    the_cluster = cluster(
        endpoint_nsg_ids=("nsg-api",), node_pools=(pool(nsg_ids=("nsg-workers",), pod_nsg_ids=("nsg-pods",)),)
    )
    the_tenancy = unread.model_copy(update={"nsg_rules": nsgs, "clusters": (the_cluster,)})
    assert security_findings(Check(the_tenancy, the_cluster)) == []


def test_an_nsg_peer_attached_to_the_peer_role_satisfies_the_requirement() -> None:
    rules = (
        *open_rules("10.0.64.0/18"),
        _rule("ingress", "nsg-workers"),
        _rule("egress", "nsg-workers"),
        _rule("ingress", "nsg-api"),
        _rule("egress", "nsg-api"),
        _rule("ingress", "10.0.2.0/24"),  # from the load balancers
    )
    the_cluster = cluster(endpoint_nsg_ids=("nsg-api",), node_pools=(pool(nsg_ids=("nsg-workers",)),))
    the_tenancy = replace_subnet(tenancy(the_cluster), "workers", security_rules=rules)
    the_tenancy = the_tenancy.model_copy(update={"nsg_rules": {"nsg-workers": (), "nsg-api": ()}})
    assert security_findings(Check(the_tenancy, the_cluster)) == []


def test_an_nsg_peer_not_attached_to_the_peer_role_does_not_count() -> None:
    rules = (
        *open_rules("10.0.64.0/18"),
        _rule("ingress", "nsg-elsewhere"),
        _rule("egress", "nsg-elsewhere"),
        _rule("ingress", "10.0.0.0/28"),
        _rule("egress", "10.0.0.0/28"),
        _rule("ingress", "10.0.2.0/24"),  # from the load balancers
    )
    the_tenancy = replace_subnet(tenancy(), "workers", security_rules=rules)
    found = security_findings(Check(the_tenancy, cluster()))
    assert _missing(found) == [("workers", "egress", "workers", None), ("workers", "ingress", "workers", None)]


def test_nothing_read_for_any_role_gives_one_info_and_no_errors() -> None:
    base = tenancy()
    the_tenancy = base.model_copy(
        update={"subnets": tuple(s.model_copy(update={"security_rules": None}) for s in base.subnets)}
    )
    (found,) = security_findings(Check(the_tenancy, cluster()))
    assert (found.code, found.severity) == ("SECURITY_RULES_NOT_READ", Severity.INFO)
    assert "api-endpoint, workers, pods" in found.message


def test_a_role_read_only_in_part_gets_warnings_that_say_what_was_not_read() -> None:
    the_cluster = cluster(node_pools=(pool(nsg_ids=("nsg-unread",)),))
    the_tenancy = replace_subnet(tenancy(the_cluster), "workers", security_rules=())
    workers = [f for f in security_findings(Check(the_tenancy, the_cluster)) if f.details["role"] == "workers"]
    assert workers
    assert all(f.severity is Severity.WARNING for f in workers)
    assert all("NSG nsg-unread" in f.message for f in workers)


def test_a_port_range_covers_the_ports_inside_it_only() -> None:
    api_rules = (
        _rule("ingress", "10.0.1.0/24", "6", port_min=6000, port_max=7000),
        _rule("ingress", "10.0.1.0/24", **ICMP_PATH),
        _rule("ingress", "10.0.64.0/18", "6", port_min=6443, port_max=6443),
        _rule("ingress", "10.0.64.0/18", "6", port_min=12250, port_max=12250),
        _rule("egress", "0.0.0.0/0"),
    )
    the_tenancy = replace_subnet(tenancy(), "api", security_rules=api_rules)
    found = security_findings(Check(the_tenancy, cluster()))
    assert _missing(found) == [("api-endpoint", "ingress", "workers", 12250)]
    assert found[0].details["protocol"] == "6"
    assert "TCP port 12250" in found[0].message


@pytest.mark.parametrize(
    ("icmp_rule", "satisfied"),
    [
        ({"icmp_type": 3, "icmp_code": 4}, True),
        ({"icmp_type": 3}, True),
        ({}, True),
        ({"icmp_type": 8}, False),
        ({"icmp_type": 3, "icmp_code": 1}, False),
    ],
)
def test_path_discovery_needs_icmp_type_3_code_4(icmp_rule: dict[str, int], satisfied: bool) -> None:
    rules = (
        *tuple(r for r in open_rules() if r.protocol != "1"),
        _rule("ingress", "0.0.0.0/0", "1", **icmp_rule),
        _rule("egress", "0.0.0.0/0", "1", **icmp_rule),
    )
    the_tenancy = replace_subnet(tenancy(), "workers", security_rules=rules)
    found = security_findings(Check(the_tenancy, cluster()))
    assert (found == []) is satisfied
    assert all(f.details["icmpType"] == 3 and f.details["icmpCode"] == 4 for f in found)


def test_the_flannel_only_row_applies_to_flannel_clusters_only() -> None:
    api_rules = (
        _rule("ingress", "10.0.0.0/16"),
        _rule("egress", SERVICES, "6", port_min=443, port_max=443),
        _rule("egress", "10.0.1.0/24", **ICMP_PATH),
        _rule("egress", "10.0.64.0/18"),
        _rule("egress", "10.0.1.0/24", "6", port_min=10250, port_max=10250),
    )
    native = cluster()
    assert security_findings(Check(replace_subnet(tenancy(native), "api", security_rules=api_rules), native)) == []
    flannel = cluster(Cni.FLANNEL, node_pools=(pool(pod_subnet_ids=()),))
    found = security_findings(Check(replace_subnet(tenancy(flannel), "api", security_rules=api_rules), flannel))
    assert _missing(found) == [("api-endpoint", "egress", "workers", None)]


def test_every_worker_subnet_must_be_covered_and_the_uncovered_one_is_named() -> None:
    the_cluster = cluster(node_pools=(pool("a"), pool("b", worker_subnet_ids=("workers2",))))
    base = tenancy(the_cluster)
    base = base.model_copy(update={"subnets": (*base.subnets, subnet("workers2", "10.0.3.0/24"))})
    api_rules = (
        *tuple(r for r in open_rules("10.0.0.0/23") if r.peer_type != "cidr" or r.protocol == "1"),
        _rule("ingress", "10.0.0.0/23"),
        _rule("egress", "10.0.0.0/23"),
        _rule("ingress", "10.0.64.0/18"),
        _rule("egress", "10.0.64.0/18"),
    )
    found = security_findings(Check(replace_subnet(base, "api", security_rules=api_rules), the_cluster))
    api = [f for f in found if f.details["role"] == "api-endpoint"]
    assert api
    assert all(f.details["peerCidrs"] == "10.0.3.0/24" for f in api)


def test_protocol_names_are_read_like_their_numbers() -> None:
    rules = tuple(
        r.model_copy(update={"protocol": {"all": "ALL", "6": "TCP", "1": "icmp"}[r.protocol]}) for r in open_rules()
    )
    the_tenancy = replace_subnet(tenancy(), "workers", security_rules=rules, cidrs=net("10.0.1.0/24"))
    assert security_findings(Check(the_tenancy, cluster())) == []


def _vcn_rules(*, stateless: bool, both_ways: bool) -> tuple[SecurityRule, ...]:
    ingress = _rule("ingress", "10.0.0.0/16", stateless=stateless)
    egress = _rule("egress", "10.0.0.0/16", stateless=stateless)
    icmp = (_rule("ingress", "0.0.0.0/0", **ICMP_PATH), _rule("egress", "0.0.0.0/0", **ICMP_PATH))
    services = _rule("egress", SERVICES, protocol="6")
    return (ingress, egress, *icmp, services) if both_ways else (ingress, *icmp, services)


def test_stateless_rules_with_their_reverse_satisfy_the_requirements() -> None:
    the_tenancy = replace_subnet(tenancy(), "workers", security_rules=_vcn_rules(stateless=True, both_ways=True))
    workers = [f for f in security_findings(Check(the_tenancy, cluster())) if f.details["role"] == "workers"]
    assert workers == []


def test_a_lone_stateless_rule_does_not_meet_a_requirement_that_needs_replies() -> None:
    the_tenancy = replace_subnet(tenancy(), "workers", security_rules=_vcn_rules(stateless=True, both_ways=False))
    workers = [f for f in security_findings(Check(the_tenancy, cluster())) if f.details["role"] == "workers"]
    assert {f.details["direction"] for f in workers} == {"ingress", "egress"}


@pytest.mark.parametrize(
    "reverse",
    [
        _rule("egress", "192.168.0.0/16", stateless=True),  # another peer
        _rule("egress", "10.0.0.0/16", protocol="17", stateless=True),  # another protocol
    ],
)
def test_a_stateless_rule_whose_reverse_goes_elsewhere_does_not_meet_a_requirement(reverse: SecurityRule) -> None:
    ingress = _rule("ingress", "10.0.0.0/16", stateless=True)
    icmp = (_rule("ingress", "0.0.0.0/0", **ICMP_PATH), _rule("egress", "0.0.0.0/0", **ICMP_PATH))
    rules = (ingress, reverse, *icmp, _rule("egress", SERVICES, protocol="6"))
    the_tenancy = replace_subnet(tenancy(), "workers", security_rules=rules)
    found = [f for f in security_findings(Check(the_tenancy, cluster())) if f.details["role"] == "workers"]
    assert "ingress" in {f.details["direction"] for f in found}
