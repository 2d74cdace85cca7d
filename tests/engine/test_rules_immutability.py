"""What OKE cannot change on a live cluster."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Any

import pytest

from engine.findings import Severity
from engine.model import Cni, Vcn
from engine.rules.immutability import compare_against
from tests.engine.builders import codes, net
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_subnet as subnet
from tests.engine.builders import valid_tenancy as tenancy


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"cni": Cni.FLANNEL}, ["CNI_IMMUTABLE"]),
        ({"pods_cidr": IPv4Network("10.200.0.0/14")}, ["PODS_CIDR_IMMUTABLE"]),
        ({"services_cidr": IPv4Network("10.97.0.0/16")}, ["SERVICES_CIDR_IMMUTABLE"]),
        ({"pods_cidr": None, "services_cidr": None}, []),
        ({"vcn_id": "vcn2"}, ["VCN_IMMUTABLE"]),
        ({"endpoint_subnet_id": "api2"}, ["API_ENDPOINT_SUBNET_IMMUTABLE"]),
        ({"kubernetes_version": "v1.30.1", "node_pools": ()}, []),
    ],
)
def test_a_plan_may_not_change_what_oke_fixes_at_creation(changes: dict[str, Any], expected: list[str]) -> None:
    live = cluster()
    planned = live.model_copy(update=changes)
    live_tenancy = tenancy(live)
    planned_tenancy = live_tenancy.model_copy(
        update={
            "vcns": (*live_tenancy.vcns, Vcn(id="vcn2", name="new-vcn", cidrs=net("10.9.0.0/16"))),
            "subnets": (*live_tenancy.subnets, subnet("api2", "10.0.0.16/28")),
            "clusters": (planned,),
        }
    )
    found = compare_against(live, planned, live_tenancy=live_tenancy, planned_tenancy=planned_tenancy)
    assert codes(found) == expected
    assert all(f.severity is Severity.ERROR and f.subject == "cluster:prod" for f in found)


def test_changes_name_the_live_and_planned_values() -> None:
    live = cluster()
    planned = live.model_copy(update={"pods_cidr": IPv4Network("10.200.0.0/14")})
    (found,) = compare_against(live, planned, live_tenancy=tenancy(live), planned_tenancy=tenancy(planned))
    assert "10.244.0.0/16" in found.message
    assert "10.200.0.0/14" in found.message
    assert found.details == {"live": "10.244.0.0/16", "planned": "10.200.0.0/14", "field": "cluster.podsCidr"}


def test_a_change_of_one_cluster_field_names_that_field_for_its_plan_line() -> None:
    live = cluster()
    planned = live.model_copy(update={"cni": Cni.FLANNEL, "pods_cidr": IPv4Network("10.200.0.0/14"),
                                      "services_cidr": IPv4Network("10.97.0.0/16")})
    found = compare_against(live, planned, live_tenancy=tenancy(live), planned_tenancy=tenancy(planned))
    assert {(f.code, f.details["field"]) for f in found} == {
        ("CNI_IMMUTABLE", "cluster.cni"),
        ("PODS_CIDR_IMMUTABLE", "cluster.podsCidr"),
        ("SERVICES_CIDR_IMMUTABLE", "cluster.servicesCidr"),
    }


def test_a_plan_that_names_the_same_vcn_and_subnet_by_name_is_no_change() -> None:
    live = cluster(vcn_id="ocid1.vcn.oc1..aaa", endpoint_subnet_id="ocid1.subnet.oc1..api")
    live_tenancy = tenancy(
        live,
        vcns=(Vcn(id="ocid1.vcn.oc1..aaa", name="prod-vcn", cidrs=net("10.0.0.0/16")),),
        subnets=(subnet("api", "10.0.0.0/28", id="ocid1.subnet.oc1..api"),),
    )
    planned = cluster(vcn_id="prod-vcn-plan-id", endpoint_subnet_id="api")
    planned_tenancy = tenancy(planned, vcns=(Vcn(id="prod-vcn-plan-id", name="prod-vcn", cidrs=net("10.0.0.0/16")),))
    assert compare_against(live, planned, live_tenancy=live_tenancy, planned_tenancy=planned_tenancy) == []


def test_renaming_the_vcn_or_endpoint_subnet_keeping_their_cidrs_is_only_a_warning() -> None:
    live = cluster(vcn_id="ocid1.vcn.oc1..aaa", endpoint_subnet_id="ocid1.subnet.oc1..api")
    live_tenancy = tenancy(
        live,
        vcns=(Vcn(id="ocid1.vcn.oc1..aaa", name="prod-vcn", cidrs=net("10.0.0.0/16")),),
        subnets=(subnet("api", "10.0.0.0/28", id="ocid1.subnet.oc1..api"),),
    )
    planned = cluster(vcn_id="plan:vcn/renamed", endpoint_subnet_id="plan:subnet/renamed-api")
    planned_tenancy = tenancy(
        planned,
        vcns=(Vcn(id="plan:vcn/renamed", name="renamed", cidrs=net("10.0.0.0/16")),),
        subnets=(subnet("renamed-api", "10.0.0.0/28", id="plan:subnet/renamed-api"),),
    )
    found = compare_against(live, planned, live_tenancy=live_tenancy, planned_tenancy=planned_tenancy)
    assert sorted(codes(found)) == ["API_ENDPOINT_SUBNET_IMMUTABLE", "VCN_IMMUTABLE"]
    assert all(f.severity is Severity.WARNING and "rename" in f.message for f in found)


def test_another_vcn_by_name_and_cidrs_is_a_move() -> None:
    live = cluster(vcn_id="ocid1.vcn.oc1..aaa")
    live_tenancy = tenancy(live, vcns=(Vcn(id="ocid1.vcn.oc1..aaa", name="prod-vcn", cidrs=net("10.0.0.0/16")),))
    planned = cluster(vcn_id="plan:vcn/other")
    planned_tenancy = tenancy(planned, vcns=(Vcn(id="plan:vcn/other", name="other", cidrs=net("10.8.0.0/16")),))
    found = compare_against(live, planned, live_tenancy=live_tenancy, planned_tenancy=planned_tenancy)
    assert codes(found) == ["VCN_IMMUTABLE"]
