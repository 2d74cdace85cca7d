"""Pod subnet routes: NAT for 0.0.0.0/0 and the service gateway for the region's services."""

from __future__ import annotations

import pytest

from engine.check import Check
from engine.findings import Severity
from engine.model import Cni, RouteRule
from engine.rules.routes import route_findings
from tests.engine.builders import SERVICES, codes, replace_subnet
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy

NAT = RouteRule(destination="0.0.0.0/0", target="nat-gateway")
SGW = RouteRule(destination=SERVICES, destination_type="service", target="service-gateway")
IGW = RouteRule(destination="0.0.0.0/0", target="internet-gateway")
OBJECT_STORAGE = RouteRule(destination="oci-iad-objectstorage", destination_type="service", target="service-gateway")


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ((NAT, SGW), []),
        ((SGW,), ["POD_SUBNET_NO_NAT_ROUTE"]),
        ((IGW, SGW), ["POD_SUBNET_NO_NAT_ROUTE"]),
        ((NAT,), ["POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE"]),
        ((NAT, OBJECT_STORAGE), ["POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE"]),
        ((), ["POD_SUBNET_NO_NAT_ROUTE", "POD_SUBNET_NO_SERVICE_GATEWAY_ROUTE"]),
    ],
)
def test_a_vcn_native_pod_subnet_routes_to_nat_and_the_service_gateway(
    rules: tuple[RouteRule, ...], expected: list[str]
) -> None:
    the_tenancy = replace_subnet(tenancy(), "pods", route_rules=rules)
    found = route_findings(Check(the_tenancy, cluster()))
    assert codes(found) == expected
    assert all(f.subject == "subnet:pods" for f in found)


def test_unread_routes_give_one_info_and_no_errors() -> None:
    the_cluster = cluster(node_pools=(pool("a"), pool("b")))
    the_tenancy = replace_subnet(tenancy(the_cluster), "pods", route_rules=None)
    (found,) = route_findings(Check(the_tenancy, the_cluster))
    assert (found.code, found.severity) == ("ROUTES_NOT_READ", Severity.INFO)
    assert "pods" in found.message


def test_flannel_clusters_have_no_pod_subnet_routes_to_check() -> None:
    the_cluster = cluster(Cni.FLANNEL, node_pools=(pool(),))
    the_tenancy = replace_subnet(tenancy(the_cluster), "pods", route_rules=())
    assert route_findings(Check(the_tenancy, the_cluster)) == []
