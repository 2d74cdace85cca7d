"""API_ENDPOINT_NO_CLIENT_ACCESS: a public API endpoint must admit TCP 6443 from somewhere outside its VCN."""

from __future__ import annotations

from typing import Any

import pytest

from engine.check import Check
from engine.findings import Severity
from engine.model import RouteRule, SecurityRule, Tenancy, Vcn
from engine.plan import parse_plan
from engine.rules.endpoint_access import endpoint_client_access_findings
from engine.usecases.validate import validate_plan
from tests.engine.builders import net, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_tenancy as tenancy

WORKERS = "10.0.1.0/24"
PODS = "10.0.64.0/18"
IGW = RouteRule(destination="0.0.0.0/0", target="internet-gateway")


def _rule(peer: str, protocol: str = "6", ports: tuple[int, int] | None = (6443, 6443),
          direction: str = "ingress", **more: Any) -> SecurityRule:
    low, high = ports if ports is not None else (None, None)
    return SecurityRule(direction=direction, protocol=protocol, peer=peer,
                        peer_type="nsg" if peer.startswith("nsg") else "cidr", port_min=low, port_max=high, **more)


WORKERS_ONLY = (_rule(WORKERS), _rule(WORKERS, ports=(12250, 12250)), _rule(PODS))


def _public_api(*rules: SecurityRule, **cluster_changes: Any) -> tuple[Tenancy, Any]:
    the_cluster = cluster(**cluster_changes)
    the_tenancy = replace_subnet(tenancy(the_cluster), "api", public=True, route_rules=(IGW,),
                                 security_rules=tuple(rules))
    return the_tenancy, the_cluster


def _codes(the_tenancy: Tenancy, the_cluster: Any) -> list[str]:
    return [f.code for f in endpoint_client_access_findings(Check(the_tenancy, the_cluster))]


def test_the_issue_case_a_public_endpoint_open_only_to_workers_is_unreachable_from_outside() -> None:
    (found,) = endpoint_client_access_findings(Check(*_public_api(*WORKERS_ONLY)))
    assert (found.code, found.severity, found.subject) == ("API_ENDPOINT_NO_CLIENT_ACCESS", Severity.WARNING,
                                                            "subnet:api")
    assert f"only from {WORKERS}, {PODS}, inside the VCN" in found.message
    assert "kubectl from outside the VCN times out" in found.message
    assert "6443" in found.remedy


@pytest.mark.parametrize(
    ("client", "reachable"),
    [
        (_rule("0.0.0.0/0"), True),
        (_rule("203.0.113.0/24"), True),
        (_rule("10.0.0.0/8"), True),  # wider than the VCN: it admits addresses outside it
        (_rule("0.0.0.0/0", ports=(6000, 7000)), True),
        (_rule("0.0.0.0/0", "all", ports=None), True),
        (_rule("0.0.0.0/0", ports=None), True),
        (_rule("10.0.200.0/24"), False),  # a bastion subnet inside the VCN
        (_rule("10.0.0.0/16"), False),
        (_rule("0.0.0.0/0", ports=(443, 443)), False),
        (_rule("0.0.0.0/0", "17", ports=(6443, 6443)), False),
        (_rule("0.0.0.0/0", direction="egress"), False),
        (_rule("0.0.0.0/0", stateless=True), False),
        (_rule("nsg-bastion"), False),
    ],
)
def test_a_public_endpoint_is_reachable_only_through_a_tcp_6443_rule_from_outside_the_vcn(
    client: SecurityRule, reachable: bool
) -> None:
    the_tenancy, the_cluster = _public_api(*WORKERS_ONLY, client)
    assert _codes(the_tenancy, the_cluster) == ([] if reachable else ["API_ENDPOINT_NO_CLIENT_ACCESS"])


def test_a_stateless_client_rule_with_its_reverse_makes_the_endpoint_reachable() -> None:
    client = _rule("198.51.100.0/24", stateless=True)
    reverse = _rule("198.51.100.0/24", "6", ports=None, direction="egress", stateless=True)
    assert _codes(*_public_api(*WORKERS_ONLY, client, reverse)) == []


def test_a_client_rule_in_the_endpoint_nsg_counts() -> None:
    the_tenancy, the_cluster = _public_api(*WORKERS_ONLY, endpoint_nsg_ids=("nsg-api",))
    the_tenancy = the_tenancy.model_copy(update={"nsg_rules": {"nsg-api": (_rule("0.0.0.0/0"),)},
                                                 "clusters": (the_cluster,)})
    assert _codes(the_tenancy, the_cluster) == []


def test_a_peer_inside_a_second_vcn_block_is_not_a_client() -> None:
    the_tenancy, the_cluster = _public_api(*WORKERS_ONLY, _rule("172.16.8.0/24"))
    assert _codes(the_tenancy, the_cluster) == []
    two_blocks = Vcn(id="vcn1", name="prod-vcn", cidrs=net("10.0.0.0/16", "172.16.0.0/16"))
    the_tenancy = the_tenancy.model_copy(update={"vcns": (two_blocks,)})
    assert _codes(the_tenancy, the_cluster) == ["API_ENDPOINT_NO_CLIENT_ACCESS"]


def test_a_private_endpoint_needs_no_client_access_from_outside() -> None:
    the_cluster = cluster()
    the_tenancy = replace_subnet(tenancy(the_cluster), "api", public=False, security_rules=WORKERS_ONLY)
    assert _codes(the_tenancy, the_cluster) == []


@pytest.mark.parametrize(("public_endpoint", "subnet_public", "found"),
                         [(True, False, True), (False, True, False), (None, True, True), (None, False, False)])
def test_the_cluster_s_own_public_endpoint_flag_wins_over_the_subnet(public_endpoint: bool | None,
                                                                     subnet_public: bool, found: bool) -> None:
    the_cluster = cluster(public_endpoint=public_endpoint)
    the_tenancy = replace_subnet(tenancy(the_cluster), "api", public=subnet_public, security_rules=WORKERS_ONLY)
    assert bool(_codes(the_tenancy, the_cluster)) is found


def test_rules_not_read_leave_client_access_unknown() -> None:
    the_tenancy, the_cluster = _public_api()
    the_tenancy = replace_subnet(the_tenancy, "api", security_rules=None)
    assert _codes(the_tenancy, the_cluster) == []


def test_rules_read_in_part_warn_and_say_what_was_not_read() -> None:
    the_tenancy, the_cluster = _public_api(*WORKERS_ONLY, endpoint_nsg_ids=("nsg-unread",))
    (found,) = endpoint_client_access_findings(Check(the_tenancy, the_cluster))
    assert "NSG nsg-unread" in found.message


def _plan(api_rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "okebot.plan/v1",
        "cluster": {"name": "shop", "cni": "flannel", "kubernetesVersion": "v1.31.1"},
        "vcn": {"name": "vcn", "cidrs": ["10.0.0.0/16"]},
        "subnets": [
            {"name": "api", "roles": ["api-endpoint"], "cidr": "10.0.0.0/29", "public": True,
             "routes": [{"destination": "0.0.0.0/0", "target": "internet-gateway"}], "securityRules": api_rules},
            {"name": "workers", "roles": ["workers"], "cidr": WORKERS},
        ],
        "nodePools": [{"name": "np", "shape": "VM.Standard.E5.Flex", "ocpus": 2, "size": 3,
                       "workerSubnet": "workers"}],
    }


WORKER_6443 = {"direction": "ingress", "protocol": "tcp", "peer": "role:workers", "ports": 6443}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], ["API_ENDPOINT_NO_CLIENT_ACCESS"]),
        ([{"direction": "ingress", "protocol": "tcp", "peer": "0.0.0.0/0", "ports": 6443}], []),
        ([{"direction": "ingress", "protocol": "tcp", "peer": "192.0.2.0/24", "ports": 6443}], []),
        ([{"direction": "ingress", "protocol": "tcp", "peer": "10.0.8.0/24", "ports": 6443}],
         ["API_ENDPOINT_NO_CLIENT_ACCESS"]),
    ],
)
def test_a_plan_s_public_endpoint_subnet_is_checked_for_client_access(extra: list[dict[str, Any]],
                                                                      expected: list[str]) -> None:
    report = validate_plan(parse_plan(_plan([WORKER_6443, *extra]), source="p"), plan_name="p")
    assert [f.code for f in report.findings if f.code == "API_ENDPOINT_NO_CLIENT_ACCESS"] == expected
