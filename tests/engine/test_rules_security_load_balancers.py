"""Load balancer subnet rules: NodePorts and kube-proxy's health check both ways, and some client ingress.

Oracle's network-configuration page lists them; OKE's cloud controller manager adds them per Service while its
security-list management is on, so a missing one is a warning, unless the cluster says they are managed by
hand (then an error).
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.check import Check
from engine.findings import Finding, Severity
from engine.model import Cluster, Cni, SecurityRule, Tenancy, Vcn
from engine.plan import parse_plan
from engine.rules.security import security_findings
from engine.usecases.validate import validate_plan
from tests.engine.builders import net, open_rules, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_subnet as subnet
from tests.engine.builders import valid_tenancy as tenancy

VCN = "10.0.0.0/16"
WORKERS = "10.0.1.0/24"
LB = "10.0.2.0/24"
UNLESS_OKE = "unless OKE's cloud controller manages the security lists for your load balancers"


def _rule(direction: str, peer: str, protocol: str = "6", ports: tuple[int, int] | None = None,
          **more: Any) -> SecurityRule:
    low, high = ports if ports is not None else (None, None)
    peer_type = "nsg" if peer.startswith("nsg") else "cidr"
    return SecurityRule(direction=direction, protocol=protocol, peer=peer, peer_type=peer_type, port_min=low,
                        port_max=high, **more)


NODE_PORTS = (30000, 32767)
HEALTH = (10256, 10256)
LB_RULES = (
    _rule("ingress", "0.0.0.0/0", ports=(443, 443)),
    _rule("egress", WORKERS, ports=NODE_PORTS),
    _rule("egress", WORKERS, ports=HEALTH),
)
WORKER_LB_RULES = (_rule("ingress", LB, ports=NODE_PORTS), _rule("ingress", LB, ports=HEALTH))


def _worker_rules(*lb_rules: SecurityRule) -> tuple[SecurityRule, ...]:
    """Every worker requirement met inside the VCN except ingress from the load balancers, plus `lb_rules`."""
    vcn_wide = tuple(r for r in open_rules() if not (r.direction == "ingress" and r.peer == VCN))
    others = (_rule("ingress", WORKERS, "all"), _rule("ingress", "10.0.0.0/28", "all"),
              _rule("ingress", "10.0.64.0/18", "all"))
    return (*vcn_wide, *others, *lb_rules)


def _network(lb_rules: tuple[SecurityRule, ...] = LB_RULES,
             worker_rules: tuple[SecurityRule, ...] = WORKER_LB_RULES, **cluster_changes: Any) -> tuple[Tenancy,
                                                                                                       Cluster]:
    the_cluster = cluster(**cluster_changes)
    base = replace_subnet(tenancy(the_cluster), "lb", security_rules=lb_rules)
    return replace_subnet(base, "workers", security_rules=_worker_rules(*worker_rules)), the_cluster


def _lb_findings(the_tenancy: Tenancy, the_cluster: Cluster) -> list[Finding]:
    found = security_findings(Check(the_tenancy, the_cluster))
    return [f for f in found if f.details.get("loadBalancerRules") is not None]


def _rows(found: list[Finding]) -> set[tuple[object, ...]]:
    return {(f.details["role"], f.details["direction"], f.details["peer"], f.details["ports"]) for f in found}


def test_every_load_balancer_rule_present_gives_no_finding() -> None:
    assert security_findings(Check(*_network())) == []


@pytest.mark.parametrize("cni", list(Cni))
@pytest.mark.parametrize(
    ("dropped", "row"),
    [
        ("lb", ("load-balancers", "ingress", "clients", None)),
        ("lb", ("load-balancers", "egress", "workers", "30000-32767")),
        ("lb", ("load-balancers", "egress", "workers", "10256-10256")),
        ("workers", ("workers", "ingress", "load-balancers", "30000-32767")),
        ("workers", ("workers", "ingress", "load-balancers", "10256-10256")),
    ],
)
def test_each_load_balancer_rule_missing_is_named_as_a_warning(cni: Cni, dropped: str,
                                                               row: tuple[str, str, str, str | None]) -> None:
    order: dict[str, list[tuple[str, str | None]]] = {
        "lb": [("ingress", None), ("egress", "30000-32767"), ("egress", "10256-10256")],
        "workers": [("ingress", "30000-32767"), ("ingress", "10256-10256")],
    }
    at = order[dropped].index((row[1], row[3]))
    lb_rules = tuple(r for i, r in enumerate(LB_RULES) if dropped != "lb" or i != at)
    worker_rules = tuple(r for i, r in enumerate(WORKER_LB_RULES) if dropped != "workers" or i != at)
    pools = (pool(pod_subnet_ids=()),) if cni is Cni.FLANNEL else (pool(),)
    found = _lb_findings(*_network(lb_rules, worker_rules, cni=cni, node_pools=pools))
    assert _rows(found) == {row}
    (only,) = found
    assert (only.code, only.severity) == ("SECURITY_RULE_MISSING", Severity.WARNING)
    assert UNLESS_OKE in only.message


def test_manual_load_balancer_rules_make_each_missing_one_an_error() -> None:
    found = _lb_findings(*_network(LB_RULES[:1], (), load_balancer_rules="manual"))
    assert len(found) == 4
    assert all(f.severity is Severity.ERROR for f in found)
    assert all("loadBalancerRules: manual" in f.message for f in found)
    assert all(f.details["loadBalancerRules"] == "manual" for f in found)


def test_the_health_check_port_missing_both_ways_says_backends_go_unhealthy() -> None:
    found = _lb_findings(*_network(LB_RULES[:2], WORKER_LB_RULES[:1]))
    assert _rows(found) == {
        ("load-balancers", "egress", "workers", "10256-10256"),
        ("workers", "ingress", "load-balancers", "10256-10256"),
    }
    assert all("kube-proxy health check" in f.message and "unhealthy" in f.message for f in found)
    assert all("TCP port 10256" in f.message for f in found)


@pytest.mark.parametrize(
    ("worker_rules", "met"),
    [
        ((_rule("ingress", LB, ports=NODE_PORTS),), True),
        ((_rule("ingress", LB, ports=(30000, 31000)),), False),
        ((_rule("ingress", LB, ports=(30000, 31000)), _rule("ingress", LB, ports=(31001, 32767))), True),
        ((_rule("ingress", LB, ports=(30000, 31000)), _rule("ingress", LB, ports=(31002, 32767))), False),
        ((_rule("ingress", LB, ports=(1, 65535)),), True),
        ((_rule("ingress", LB),), True),
        ((_rule("ingress", LB, "all"),), True),
        ((_rule("ingress", LB, "17", ports=NODE_PORTS),), False),
        ((_rule("ingress", "10.0.2.0/25", ports=NODE_PORTS),), False),
        ((_rule("ingress", "10.0.2.0/25", ports=NODE_PORTS), _rule("ingress", "10.0.2.128/25", ports=NODE_PORTS)),
         True),
        ((_rule("ingress", "10.0.2.0/25", ports=(30000, 31000)), _rule("ingress", LB, ports=(31001, 32767)),
          _rule("ingress", "10.0.2.128/25", ports=(30000, 31000))), True),
    ],
)
def test_a_port_range_is_met_only_when_the_rules_cover_all_of_it(worker_rules: tuple[SecurityRule, ...],
                                                                 met: bool) -> None:
    found = _lb_findings(*_network(worker_rules=(*worker_rules, WORKER_LB_RULES[1])))
    assert (found == []) is met
    assert all(f.details["ports"] == "30000-32767" for f in found)


def test_a_range_covering_only_part_of_the_node_ports_names_the_full_range() -> None:
    (found,) = _lb_findings(*_network((LB_RULES[0], _rule("egress", WORKERS, ports=(30000, 31000)), LB_RULES[2])))
    assert "TCP ports 30000-32767" in found.message
    assert found.details["peerCidrs"] == WORKERS


@pytest.mark.parametrize(
    ("client_rule", "met"),
    [
        (_rule("ingress", "0.0.0.0/0", ports=(443, 443)), True),
        (_rule("ingress", "203.0.113.0/24", ports=(8443, 8443)), True),
        (_rule("ingress", "10.0.0.0/8", ports=(80, 80)), True),
        (_rule("ingress", "0.0.0.0/0", "all"), True),
        (_rule("ingress", "10.0.5.0/24", ports=(443, 443)), False),
        (_rule("ingress", VCN, ports=(443, 443)), False),
        (_rule("ingress", "nsg-clients", ports=(443, 443)), False),
        (_rule("ingress", "0.0.0.0/0", "17", ports=(53, 53)), False),
        (_rule("ingress", "0.0.0.0/0", "1", icmp_type=3, icmp_code=4), False),
        (_rule("ingress", "0.0.0.0/0", ports=(443, 443), stateless=True), False),
        (_rule("egress", "0.0.0.0/0", ports=(443, 443)), False),
    ],
)
def test_load_balancers_need_some_tcp_ingress_from_outside_the_vcn(client_rule: SecurityRule, met: bool) -> None:
    found = _lb_findings(*_network((client_rule, *LB_RULES[1:])))
    assert (found == []) is met
    if not met:
        (only,) = found
        assert "clients outside the VCN" in only.message
        assert "TCP on some port" in only.message


def test_a_stateless_client_rule_with_its_reverse_counts() -> None:
    rules = (_rule("ingress", "0.0.0.0/0", ports=(443, 443), stateless=True),
             _rule("egress", "0.0.0.0/0", stateless=True), *LB_RULES[1:])
    assert _lb_findings(*_network(rules)) == []


def test_a_peer_in_a_second_vcn_block_is_inside_the_vcn() -> None:
    the_tenancy, the_cluster = _network((_rule("ingress", "172.16.4.0/24", ports=(443, 443)), *LB_RULES[1:]))
    assert _lb_findings(the_tenancy, the_cluster) == []  # outside the VCN's one block: a client
    two_blocks = Vcn(id="vcn1", name="prod-vcn", cidrs=net(VCN, "172.16.0.0/16"))
    the_tenancy = the_tenancy.model_copy(update={"vcns": (two_blocks,)})
    assert _rows(_lb_findings(the_tenancy, the_cluster)) == {("load-balancers", "ingress", "clients", None)}


@pytest.mark.parametrize("stateless_reverse", [True, False])
def test_stateless_load_balancer_rules_need_their_reverse(stateless_reverse: bool) -> None:
    egress = (_rule("egress", WORKERS, ports=NODE_PORTS, stateless=True),
              _rule("egress", WORKERS, ports=HEALTH, stateless=True))
    reverse = (_rule("ingress", WORKERS, stateless=True),) if stateless_reverse else ()
    found = _lb_findings(*_network((LB_RULES[0], *egress, *reverse)))
    assert (found == []) is stateless_reverse
    if not stateless_reverse:
        assert _rows(found) == {("load-balancers", "egress", "workers", "30000-32767"),
                                ("load-balancers", "egress", "workers", "10256-10256")}


def test_worker_ingress_from_load_balancers_may_come_from_a_pool_nsg() -> None:
    the_cluster = cluster(node_pools=(pool(nsg_ids=("nsg-workers",)),))
    the_tenancy, _ = _network(worker_rules=())
    the_tenancy = the_tenancy.model_copy(
        update={"clusters": (the_cluster,), "nsg_rules": {"nsg-workers": WORKER_LB_RULES}}
    )
    assert _lb_findings(the_tenancy, the_cluster) == []


def test_every_block_of_a_load_balancer_subnet_must_be_allowed_and_the_missing_one_named() -> None:
    the_tenancy, the_cluster = _network()
    the_tenancy = replace_subnet(the_tenancy, "lb", cidrs=net(LB, "10.0.3.0/24"))
    found = _lb_findings(the_tenancy, the_cluster)
    assert _rows(found) == {("workers", "ingress", "load-balancers", "30000-32767"),
                            ("workers", "ingress", "load-balancers", "10256-10256")}
    assert all(f.details["peerCidrs"] == "10.0.3.0/24" for f in found)


def test_a_cluster_without_load_balancer_subnets_has_no_load_balancer_rules_to_check() -> None:
    the_tenancy, the_cluster = _network(LB_RULES, (), lb_subnet_ids=())
    assert _lb_findings(the_tenancy, the_cluster) == []


def test_unread_load_balancer_rules_are_named_in_security_rules_not_read() -> None:
    the_tenancy, the_cluster = _network()
    the_tenancy = replace_subnet(the_tenancy, "lb", security_rules=None)
    found = security_findings(Check(the_tenancy, the_cluster))
    (unread,) = [f for f in found if f.code == "SECURITY_RULES_NOT_READ"]
    assert "load-balancers" in unread.message
    assert unread.details["roles"] == "load-balancers"
    # The workers' side still is checked against the load balancer subnet's CIDR.
    assert _rows(_lb_findings(*_network(LB_RULES, ()))) == {
        ("workers", "ingress", "load-balancers", "30000-32767"),
        ("workers", "ingress", "load-balancers", "10256-10256"),
    }


def _flannel_plan(lb_rules: list[dict[str, Any]], worker_lb_rules: list[dict[str, Any]],
                  **cluster: Any) -> dict[str, Any]:
    """The issue's plan: a flannel cluster whose every non-load-balancer rule is right."""
    workers = [
        {"direction": "ingress", "protocol": "all", "peer": "role:workers"},
        {"direction": "ingress", "protocol": "tcp", "peer": "role:api-endpoint"},
        {"direction": "ingress", "protocol": "icmp", "peer": "0.0.0.0/0", "icmpType": 3, "icmpCode": 4},
        {"direction": "egress", "protocol": "all", "peer": "role:workers"},
        {"direction": "egress", "protocol": "icmp", "peer": "0.0.0.0/0", "icmpType": 3, "icmpCode": 4},
        {"direction": "egress", "protocol": "tcp", "peer": "all-services"},
        {"direction": "egress", "protocol": "tcp", "peer": "role:api-endpoint", "ports": 6443},
        {"direction": "egress", "protocol": "tcp", "peer": "role:api-endpoint", "ports": 12250},
        *worker_lb_rules,
    ]
    api = [
        {"direction": "ingress", "protocol": "tcp", "peer": "role:workers", "ports": 6443},
        {"direction": "ingress", "protocol": "tcp", "peer": "role:workers", "ports": 12250},
        {"direction": "ingress", "protocol": "icmp", "peer": "role:workers", "icmpType": 3, "icmpCode": 4},
        {"direction": "egress", "protocol": "tcp", "peer": "all-services", "ports": 443},
        {"direction": "egress", "protocol": "tcp", "peer": "role:workers"},
        {"direction": "egress", "protocol": "icmp", "peer": "role:workers", "icmpType": 3, "icmpCode": 4},
    ]
    return {
        "apiVersion": "okebot.plan/v1",
        "cluster": {"name": "shop", "cni": "flannel", "kubernetesVersion": "v1.31.1", **cluster},
        "vcn": {"name": "vcn", "cidrs": [VCN]},
        "subnets": [
            {"name": "api", "roles": ["api-endpoint"], "cidr": "10.0.0.0/29", "securityRules": api},
            {"name": "workers", "roles": ["workers"], "cidr": WORKERS, "securityRules": workers},
            {"name": "lb", "roles": ["load-balancers"], "cidr": LB, "public": True, "securityRules": lb_rules},
        ],
        "nodePools": [{"name": "general", "shape": "VM.Standard.E5.Flex", "ocpus": 2, "size": 3,
                       "workerSubnet": "workers"}],
    }


NODE_PORTS_ONLY_LB: list[dict[str, Any]] = [
    {"direction": "egress", "protocol": "tcp", "peer": "role:workers", "ports": "30000-32767"}
]
NODE_PORTS_ONLY_WORKERS: list[dict[str, Any]] = [
    {"direction": "ingress", "protocol": "tcp", "peer": "role:load-balancers", "ports": "30000-32767"}
]


def test_the_issue_plan_with_node_ports_only_warns_of_the_health_check_both_ways_and_the_clients() -> None:
    plan = parse_plan(_flannel_plan(NODE_PORTS_ONLY_LB, NODE_PORTS_ONLY_WORKERS), source="plan.yaml")
    report = validate_plan(plan, plan_name="plan.yaml")
    assert report.valid  # warnings only: OKE's cloud controller may add them
    assert {(f.code, f.severity, f.subject, f.details["ports"]) for f in report.findings} == {
        ("SECURITY_RULE_MISSING", Severity.WARNING, "subnet:lb", "10256-10256"),
        ("SECURITY_RULE_MISSING", Severity.WARNING, "subnet:workers", "10256-10256"),
        ("SECURITY_RULE_MISSING", Severity.WARNING, "subnet:lb", None),
    }


def test_the_issue_plan_with_load_balancer_rules_managed_by_hand_is_invalid() -> None:
    data = _flannel_plan(NODE_PORTS_ONLY_LB, NODE_PORTS_ONLY_WORKERS, loadBalancerRules="manual")
    report = validate_plan(parse_plan(data, source="plan.yaml"), plan_name="plan.yaml")
    assert not report.valid
    assert report.counts.error == 3


def test_the_issue_plan_with_every_load_balancer_rule_is_clean() -> None:
    lb: list[dict[str, Any]] = [
        *NODE_PORTS_ONLY_LB,
        {"direction": "egress", "protocol": "tcp", "peer": "role:workers", "ports": 10256},
        {"direction": "ingress", "protocol": "tcp", "peer": "0.0.0.0/0", "ports": 443},
    ]
    workers: list[dict[str, Any]] = [*NODE_PORTS_ONLY_WORKERS,
               {"direction": "ingress", "protocol": "tcp", "peer": "role:load-balancers", "ports": 10256}]
    report = validate_plan(parse_plan(_flannel_plan(lb, workers, loadBalancerRules="manual"), source="p"),
                           plan_name="p")
    assert report.findings == []


@pytest.mark.parametrize(
    ("reverse", "met"),
    [
        (_rule("ingress", WORKERS, ports=(1024, 65535), stateless=True), True),
        (_rule("ingress", "0.0.0.0/0", stateless=True), True),
        (_rule("ingress", WORKERS, ports=(30000, 32767), stateless=True), False),
        (_rule("ingress", WORKERS, "17", stateless=True), False),
        (_rule("ingress", "10.0.1.0/25", stateless=True), False),
    ],
)
def test_a_stateless_reverse_must_take_replies_on_ephemeral_ports_from_the_same_peer(reverse: SecurityRule,
                                                                                     met: bool) -> None:
    egress = (_rule("egress", WORKERS, ports=NODE_PORTS, stateless=True),
              _rule("egress", WORKERS, ports=HEALTH, stateless=True))
    found = _lb_findings(*_network((LB_RULES[0], *egress, reverse)))
    assert (found == []) is met


def test_each_load_balancer_subnet_is_checked_with_its_own_security_lists() -> None:
    the_tenancy, the_cluster = _network(lb_subnet_ids=("lb", "lb2"))
    bare = subnet("lb2", "10.0.3.0/24", public=True, security_rules=(LB_RULES[0],))
    the_tenancy = the_tenancy.model_copy(update={"subnets": (*the_tenancy.subnets, bare)})
    workers = (*WORKER_LB_RULES, _rule("ingress", "10.0.3.0/24", ports=NODE_PORTS),
               _rule("ingress", "10.0.3.0/24", ports=HEALTH))
    the_tenancy = replace_subnet(the_tenancy, "workers", security_rules=_worker_rules(*workers))
    found = _lb_findings(the_tenancy, the_cluster)
    assert {(f.subject, f.details["ports"]) for f in found} == {
        ("subnet:lb2", "30000-32767"), ("subnet:lb2", "10256-10256")}


def test_worker_subnets_with_different_lists_are_checked_apart_and_a_pool_nsg_covers_only_its_own() -> None:
    other = pool("other", worker_subnet_ids=("workers2",), nsg_ids=("nsg-other",))
    the_cluster = cluster(node_pools=(pool(), other))
    the_tenancy, _ = _network()
    workers2 = subnet("workers2", "10.0.4.0/24", security_rules=_worker_rules())
    the_tenancy = the_tenancy.model_copy(update={
        "clusters": (the_cluster,), "subnets": (*the_tenancy.subnets, workers2),
        "nsg_rules": {"nsg-other": (_rule("ingress", LB, ports=NODE_PORTS),)},
    })
    found = _lb_findings(the_tenancy, the_cluster)
    # workers has the LB rules in its list; workers2 only NodePorts, through its pool's NSG.
    assert {(f.subject, f.details["direction"], f.details["ports"]) for f in found} >= {
        ("subnet:workers2", "ingress", "10256-10256")}
    assert not [f for f in found if f.subject == "subnet:workers"]
    assert not [f for f in found if f.subject == "subnet:workers2" and f.details["ports"] == "30000-32767"]
