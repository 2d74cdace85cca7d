"""Intent a plan can now state: the cluster type, no internet egress, and where unknown rules come from."""

from __future__ import annotations

import pytest

from engine.catalogue import explain
from engine.check import Check
from engine.findings import Severity
from engine.model import ClusterType, NodePoolType, RouteRule, SourceKind
from engine.rules.node_pools import cluster_type_findings
from engine.rules.routes import route_findings
from engine.rules.security import security_findings
from tests.engine.builders import SERVICES, codes, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy

SGW = RouteRule(destination=SERVICES, destination_type="service", target="service-gateway")
VIRTUAL = pool("burst", type=NodePoolType.VIRTUAL, shape="Pod.Standard.E4.Flex", ocpus=None)


@pytest.mark.parametrize(
    ("cluster_type", "pools", "expected"),
    [
        ("basic", (pool(), VIRTUAL), ["VIRTUAL_NODES_NEED_ENHANCED_CLUSTER"]),
        ("basic", (VIRTUAL, VIRTUAL.model_copy(update={"id": "b2", "name": "b2"})),
         ["VIRTUAL_NODES_NEED_ENHANCED_CLUSTER"] * 2),
        ("basic", (pool(),), []),
        ("enhanced", (pool(), VIRTUAL), []),
        (None, (pool(), VIRTUAL), []),  # not stated: unknown, never guessed
    ],
)
def test_virtual_node_pools_need_an_enhanced_cluster(cluster_type: ClusterType | None,
                                                     pools: tuple[object, ...], expected: list[str]) -> None:
    the_cluster = cluster(type=cluster_type, node_pools=pools)
    found = cluster_type_findings(Check(tenancy(the_cluster), the_cluster))
    assert codes(found) == expected
    assert all(f.severity is Severity.ERROR and f.subject.startswith("nodePool:") for f in found)
    assert all("enhanced clusters" in f.message for f in found)


@pytest.mark.parametrize(
    ("internet", "severity"), [(True, Severity.ERROR), (False, Severity.INFO)],
)
def test_a_missing_nat_route_is_an_error_unless_the_cluster_needs_no_internet(internet: bool,
                                                                              severity: Severity) -> None:
    the_cluster = cluster(internet_egress=internet)
    the_tenancy = replace_subnet(tenancy(the_cluster), "pods", route_rules=(SGW,))
    (found,) = route_findings(Check(the_tenancy, the_cluster))
    assert (found.code, found.severity) == ("POD_SUBNET_NO_NAT_ROUTE", severity)
    assert ("internetEgress: false" in found.message) is (not internet)


def test_an_air_gapped_cluster_still_needs_its_service_gateway_route() -> None:
    the_cluster = cluster(internet_egress=False)
    the_tenancy = replace_subnet(tenancy(the_cluster), "pods", route_rules=())
    found = {f.code: f.severity for f in route_findings(Check(the_tenancy, the_cluster))}
    assert found == {"POD_SUBNET_NO_NAT_ROUTE": Severity.INFO, "POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE": Severity.ERROR}


def test_explain_no_nat_route_names_both_of_oracles_pages_and_the_air_gapped_case() -> None:
    entry = explain("POD_SUBNET_NO_NAT_ROUTE")
    assert "contengpodnetworking_topic-OCI_CNI_plugin.htm" in entry.source
    assert "contengnetworkconfig.htm" in entry.source
    assert "conditional on needing the internet" in entry.why
    assert "internetEgress: false" in entry.remedy
    assert entry.severity_note is not None
    assert "info" in entry.severity_note


WORDS: dict[SourceKind | None, tuple[str, str]] = {
    "plan": ("were not stated in the plan", "State them in the plan"),
    "snapshot": ("are not in the snapshot", "Record the snapshot again"),
    "live": ("could not be read from the tenancy (see unreadable)", "Grant okebot read access"),
    None: ("were not read (or not stated in the plan)", "or state them in the plan"),
}


@pytest.mark.parametrize("kind", list(WORDS))
def test_routes_not_read_says_what_applies_to_the_source_at_hand(kind: SourceKind | None) -> None:
    the_tenancy = replace_subnet(tenancy(), "pods", route_rules=None).model_copy(update={"source_kind": kind})
    (found,) = route_findings(Check(the_tenancy, cluster()))
    message, remedy = WORDS[kind]
    assert found.code == "ROUTES_NOT_READ"
    assert message in found.message
    assert remedy in found.remedy
    assert "subnets[].routes" in found.remedy or kind in ("snapshot", "live")
    assert ("not stated in the plan" in found.message) is (kind in ("plan", None))


@pytest.mark.parametrize("kind", list(WORDS))
def test_security_rules_not_read_says_what_applies_to_the_source_at_hand(kind: SourceKind | None) -> None:
    the_tenancy = replace_subnet(tenancy(), "api", security_rules=None).model_copy(update={"source_kind": kind})
    (found,) = [f for f in security_findings(Check(the_tenancy, cluster())) if f.code == "SECURITY_RULES_NOT_READ"]
    message, remedy = WORDS[kind]
    assert message in found.message
    assert remedy in found.remedy
    assert found.details["source"] == kind


def test_explain_gives_the_not_read_remedies_in_generic_words() -> None:
    assert "state route rules in the plan" in explain("ROUTES_NOT_READ").remedy
    assert "state the rules in the plan" in explain("SECURITY_RULES_NOT_READ").remedy
