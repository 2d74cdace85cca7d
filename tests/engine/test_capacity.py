from __future__ import annotations

import pytest

from engine.capacity import assess_cluster_capacity
from engine.capacity.pods import PREALLOCATION_ASSUMPTION
from engine.errors import NotFoundError
from engine.model import Cni, Shape, Unreadable
from engine.usecases.capacity import assess_capacity
from tests.engine.builders import cluster, nodes, pool, subnet, tenancy


def pool_capacity(cni: Cni = Cni.VCN_NATIVE, **pool_args):
    c = cluster("prod", cni=cni, pools=[pool("np1", **pool_args)])
    return assess_cluster_capacity(tenancy(c), c).node_pools[0]


@pytest.mark.parametrize(
    ("ocpus", "vnics", "max_pods"),
    [(1, 2, 31), (2, 2, 31), (3, 3, 62), (4, 4, 93), (5, 5, 110), (16, 16, 110)],
)
def test_vcn_native_e4_flex_pods_per_node_follow_its_ocpus(ocpus, vnics, max_pods):
    capacity = pool_capacity(shape="VM.Standard.E4.Flex", ocpus=ocpus)
    assert (capacity.vnics_per_node, capacity.max_pods_per_node) == (vnics, max_pods)


@pytest.mark.parametrize(
    ("pool_args", "max_pods", "limited_by"),
    [
        ({"ocpus": 4}, 93, "vnics"),
        ({"ocpus": 8}, 110, "kubernetes"),
        ({"ocpus": 8, "max_pods": 40}, 40, "maxPodsPerNode"),
        ({"ocpus": 1, "nodes": nodes(2, max_vnics=4)}, 93, "vnics"),
        ({"ocpus": 4, "vnic_ip_counts": [64, 64]}, 128, "vnicProfiles"),
        ({"ocpus": 4, "vnic_ip_counts": [200, 200]}, 256, "vnicProfiles"),
        ({"ocpus": 4, "vnic_ip_counts": [64, 64], "max_pods": 100}, 100, "maxPodsPerNode"),
        ({"shape": "VM.Standard.E2.1.Micro"}, 0, "vnics"),
    ],
)
def test_vcn_native_pods_per_node_take_the_binding_limit(pool_args, max_pods, limited_by):
    capacity = pool_capacity(**pool_args)
    assert (capacity.max_pods_per_node, capacity.limited_by) == (max_pods, limited_by)


def test_an_observed_nodes_own_vnic_limit_wins_over_the_shape():
    capacity = pool_capacity(shape="VM.Standard.E4.Flex", ocpus=1, nodes=nodes(3, max_vnics=5))
    assert capacity.vnics_per_node == 5
    assert capacity.max_pods_per_node == 110


@pytest.mark.parametrize(
    ("pool_args", "nodes_seen", "pods_capacity"),
    [
        ({"ocpus": 4, "nodes": 3, "size": 10}, 3, 279),
        ({"ocpus": 4, "size": 10}, None, 930),
        ({"ocpus": 4}, None, None),
        ({"shape": "VM.Unknown.Shape", "nodes": 3}, 3, None),
        ({"shape": "VM.Standard.E4.Flex", "ocpus": None, "nodes": 3}, 3, None),
    ],
)
def test_pool_pods_capacity_is_observed_nodes_or_else_size_times_pods_per_node_or_unknown(pool_args, nodes_seen,
                                                                              pods_capacity):
    capacity = pool_capacity(**pool_args)
    assert (capacity.nodes, capacity.pods_capacity) == (nodes_seen, pods_capacity)


def test_pool_reports_its_pod_subnet_ips_per_node_under_the_preallocation_assumption():
    assert pool_capacity(ocpus=2).pod_subnet_ips_per_node == 32
    assert pool_capacity(ocpus=4).pod_subnet_ips_per_node == 96
    assert pool_capacity(ocpus=4, vnic_ip_counts=[64, 64]).pod_subnet_ips_per_node == 130
    assert pool_capacity(cni=Cni.FLANNEL, ocpus=4).pod_subnet_ips_per_node is None


def test_a_shape_from_the_tenancy_takes_precedence_over_the_built_in_table():
    c = cluster("prod", pools=[pool("np1", shape="VM.Standard.E4.Flex", ocpus=4)])
    own = Shape(name="VM.Standard.E4.Flex", max_vnics=2, source="tenancy")
    report = assess_cluster_capacity(tenancy(c, shapes=[own]), c)
    assert report.node_pools[0].max_pods_per_node == 31


@pytest.mark.parametrize(
    ("pods_cidr", "slots", "pods"),
    [("10.244.0.0/16", 512, 56_320), ("10.244.0.0/14", 2048, 225_280), ("10.244.0.0/25", 1, 110)],
)
def test_flannel_pods_cidr_gives_one_node_slot_per_25(pods_cidr, slots, pods):
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr=pods_cidr, pools=[pool("np1", nodes=3)])
    cidr = assess_cluster_capacity(tenancy(c), c).pods_cidr
    assert cidr is not None
    assert (cidr.node_slots, cidr.pods_capacity, cidr.node_slots_used) == (slots, pods, 3)


@pytest.mark.parametrize(
    ("pools", "used"),
    [
        ([pool("a", nodes=3), pool("b", nodes=4)], 7),
        ([pool("a", nodes=3), pool("b", size=5)], 8),
        ([pool("a", nodes=3), pool("b")], None),
    ],
)
def test_flannel_slots_used_count_observed_nodes_else_size_else_unknown(pools, used):
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr="10.244.0.0/16", pools=pools)
    cidr = assess_cluster_capacity(tenancy(c), c).pods_cidr
    assert cidr is not None
    assert cidr.node_slots_used == used


def test_flannel_cluster_with_unread_pods_cidr_says_its_slots_are_unknown():
    c = cluster("prod", cni=Cni.FLANNEL, pools=[pool("np1", nodes=3)])
    report = assess_cluster_capacity(tenancy(c), c)
    assert report.pods_cidr is None
    assert any("pods CIDR is unknown (not read, or not a valid CIDR)" in line for line in report.assumptions)


def test_vcn_native_cluster_has_no_pods_cidr_capacity():
    c = cluster("prod", pods_cidr="10.244.0.0/16", pools=[pool("np1", nodes=3)])
    assert assess_cluster_capacity(tenancy(c), c).pods_cidr is None


@pytest.mark.parametrize(
    ("pools", "total"),
    [([pool("a", nodes=3), pool("b", nodes=0)], 3), ([pool("a", nodes=3), pool("b", size=4)], None)],
)
def test_cluster_nodes_are_the_observed_nodes_or_unknown_when_a_pool_was_not_read(pools, total):
    c = cluster("prod", pools=pools)
    assert assess_cluster_capacity(tenancy(c), c).nodes == total


def test_vcn_native_answer_states_the_preallocation_and_unset_max_pods_assumptions():
    c = cluster("prod", pools=[pool("np1", nodes=1), pool("np2", nodes=1, max_pods=31)])
    assumptions = assess_cluster_capacity(tenancy(c), c).assumptions
    assert PREALLOCATION_ASSUMPTION in assumptions
    unset = [line for line in assumptions if "maxPodsPerNode is not set" in line]
    assert len(unset) == 1
    assert "np1" in unset[0]
    assert "np2" not in unset[0]
    assert "defaults it to 31" in unset[0]


def test_flannel_answer_states_no_vcn_native_assumption():
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr="10.244.0.0/16", pools=[pool("np1", nodes=1)])
    assert assess_cluster_capacity(tenancy(c), c).assumptions == []


def test_a_pool_spread_over_two_pod_subnets_says_it_assumes_an_even_split():
    c = cluster("prod", pools=[pool("np1", nodes=4, pod_subnets=["pa", "pb"])])
    t = tenancy(c, subnets=[subnet("pa", "10.0.64.0/24"), subnet("pb", "10.0.65.0/24")])
    report = assess_cluster_capacity(t, c)
    assert any("spreads over 2 pod subnets" in line for line in report.assumptions)
    assert [s.reserved_ips for s in report.subnets] == [2 * 96, 2 * 96]


def test_capacity_report_covers_every_cluster_and_passes_on_what_was_unreadable():
    gap = Unreadable(kind="privateIps", id="ocid1.subnet.oc1..x", message="403 NotAuthorizedOrNotFound")
    t = tenancy(cluster("prod"), cluster("dev")).model_copy(update={"unreadable": (gap,)})
    report = assess_capacity(t)
    assert [c.name for c in report.clusters] == ["prod", "dev"]
    assert report.unreadable == [gap]


def test_capacity_report_for_one_cluster_finds_it_by_name_in_any_case():
    report = assess_capacity(tenancy(cluster("prod"), cluster("dev")), cluster="PROD")
    assert [c.name for c in report.clusters] == ["prod"]


def test_capacity_report_for_an_unknown_cluster_names_the_known_ones():
    with pytest.raises(NotFoundError, match=r"no cluster 'stage' \(clusters: dev, prod\)"):
        assess_capacity(tenancy(cluster("prod"), cluster("dev")), cluster="stage")


def test_capacity_report_json_is_camel_case_with_nulls_for_unknowns():
    c = cluster("prod", pools=[pool("np1")])
    data = assess_capacity(tenancy(c)).model_dump(mode="json", by_alias=True)
    pool_json = data["clusters"][0]["nodePools"][0]
    assert pool_json["nodes"] is None
    assert pool_json["size"] is None
    assert pool_json["podsCapacity"] is None
    assert pool_json["maxPodsPerNode"] == 93
