from __future__ import annotations

import pytest

from engine.capacity import assess_cluster_capacity
from engine.model import Cluster, Cni, Tenancy
from engine.reports import SubnetCapacity
from tests.engine.builders import cluster, nodes, pool, subnet, tenancy


def subnet_named(t: Tenancy, c: Cluster, name: str) -> SubnetCapacity:
    report = assess_cluster_capacity(t, c)
    return next(s for s in report.subnets if s.name == name)


def test_every_subnet_the_cluster_uses_is_listed_with_its_roles_most_relevant_first():
    c = cluster(
        "prod",
        endpoint_subnet="api",
        lb_subnets=["lb"],
        pools=[pool("np1", nodes=1, worker_subnets=["nodes"], pod_subnets=["nodes"])],
    )
    t = tenancy(c, subnets=[subnet("api", "10.0.0.0/29"), subnet("lb", "10.0.1.0/24"), subnet("nodes")])
    roles = {s.name: (s.role, s.roles) for s in assess_cluster_capacity(t, c).subnets}
    assert roles == {
        "api": ("api-endpoint", ["api-endpoint"]),
        "lb": ("load-balancers", ["load-balancers"]),
        "nodes": ("pods", ["pods", "workers"]),
    }


@pytest.mark.parametrize(
    ("cidrs", "usable"),
    [
        (("10.0.0.0/24",), 253),
        (("10.0.0.0/19",), 8189),
        (("10.0.0.0/29",), 5),
        (("10.0.0.0/24", "10.1.0.0/24"), 506),
    ],
)
def test_usable_ips_leave_out_ocis_three_reserved_addresses_per_block(cidrs, usable):
    c = cluster("prod", pools=[pool("np1", nodes=1, worker_subnets=["w"])])
    assert subnet_named(tenancy(c, subnets=[subnet("w", *cidrs)]), c, "w").usable_ips == usable


def test_used_ips_come_from_observed_usage_and_stay_unknown_when_not_read():
    c = cluster("prod", pools=[pool("np1", nodes=1, worker_subnets=["w"], pod_subnets=["p"])])
    t = tenancy(c, subnets=[subnet("w"), subnet("p", "10.0.64.0/19")], used={"p": 123})
    assert subnet_named(t, c, "p").used_ips == 123
    assert subnet_named(t, c, "w").used_ips is None


@pytest.mark.parametrize(
    ("pool_args", "subnet_name", "reserved"),
    [
        ({"nodes": 3, "worker_subnets": ["w"], "pod_subnets": ["p"]}, "w", 3),
        ({"nodes": 3, "ocpus": 2, "worker_subnets": ["w"], "pod_subnets": ["p"]}, "p", 3 * 32),
        ({"nodes": 3, "ocpus": 3, "worker_subnets": ["w"], "pod_subnets": ["p"]}, "p", 3 * 64),
        ({"nodes": 3, "ocpus": 8, "max_pods": 20, "pod_subnets": ["p"]}, "p", 3 * 32),
        ({"nodes": 3, "ocpus": 2, "worker_subnets": ["p"], "pod_subnets": ["p"]}, "p", 3 + 3 * 32),
        ({"size": 5, "ocpus": 2, "pod_subnets": ["p"]}, "p", 5 * 32),
        ({"ocpus": 2, "pod_subnets": ["p"]}, "p", None),
        ({"nodes": 3, "shape": "VM.Mystery", "pod_subnets": ["p"]}, "p", None),
    ],
)
def test_reserved_ips_are_what_the_pools_hold_at_their_current_node_count(pool_args, subnet_name, reserved):
    c = cluster("prod", pools=[pool("np1", **pool_args)])
    t = tenancy(c, subnets=[subnet("w"), subnet("p", "10.0.64.0/19")])
    assert subnet_named(t, c, subnet_name).reserved_ips == reserved


def test_flannel_pools_reserve_only_their_worker_ips():
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr="10.244.0.0/16",
                pools=[pool("np1", nodes=4, worker_subnets=["w"])])
    assert subnet_named(tenancy(c, subnets=[subnet("w")]), c, "w").reserved_ips == 4


def test_a_pod_subnet_shared_by_pools_and_clusters_adds_them_all_up():
    prod = cluster("prod", pools=[
        pool("prod-a", nodes=2, ocpus=2, pod_subnets=["shared"]),
        pool("prod-b", nodes=1, ocpus=4, pod_subnets=["shared"]),
    ])
    dev = cluster("dev", pools=[pool("dev-a", nodes=3, ocpus=3, pod_subnets=["shared"])])
    other = cluster("other", pools=[pool("other-a", nodes=5, pod_subnets=["elsewhere"])])
    subnets = [subnet("shared", "10.0.64.0/22"), subnet("elsewhere", "10.1.0.0/22")]
    t = tenancy(prod, dev, other, subnets=subnets)
    shared = subnet_named(t, prod, "shared")
    assert shared.reserved_ips == 2 * 32 + 1 * 96 + 3 * 64
    assert shared.shared_with == ["dev"]
    assert {(h.cluster, h.node_pool) for h in shared.headroom} == {
        ("prod", "prod-a"), ("prod", "prod-b"), ("dev", "dev-a"),
    }
    assert subnet_named(t, dev, "shared").shared_with == ["prod"]


def test_a_shared_subnet_with_one_unknown_pool_has_unknown_reserved_ips():
    prod = cluster("prod", pools=[pool("a", nodes=2, pod_subnets=["shared"])])
    dev = cluster("dev", pools=[pool("b", nodes=2, shape="VM.Mystery", pod_subnets=["shared"])])
    t = tenancy(prod, dev, subnets=[subnet("shared", "10.0.64.0/22")])
    assert subnet_named(t, prod, "shared").reserved_ips is None


def test_worker_ips_follow_each_observed_nodes_own_subnet():
    placed = (*nodes(3, prefix="ad1", subnet="w1"), *nodes(1, prefix="ad2", subnet="w2"))
    c = cluster("prod", pools=[pool("np1", nodes=placed, worker_subnets=["w1", "w2"])])
    t = tenancy(c, subnets=[subnet("w1"), subnet("w2", "10.0.1.0/24")])
    assert subnet_named(t, c, "w1").reserved_ips == 3
    assert subnet_named(t, c, "w2").reserved_ips == 1


def test_the_cluster_given_replaces_its_stored_copy_so_what_ifs_count_the_change():
    stored = cluster("prod", pools=[pool("np1", nodes=2, ocpus=2, pod_subnets=["p"])])
    t = tenancy(stored, subnets=[subnet("p", "10.0.64.0/22")])
    grown = cluster("prod", pools=[pool("np1", nodes=6, ocpus=2, pod_subnets=["p"])])
    assert subnet_named(t, grown, "p").reserved_ips == 6 * 32


@pytest.mark.parametrize(
    ("used", "nodes_seen", "utilization"),
    [
        (None, 3, round(96 / 253, 4)),  # reservations alone: a lower bound, which renderers say
        (200, 3, round(200 / 253, 4)),
        (10, 3, round(96 / 253, 4)),
        (None, None, None),
        (50, None, round(50 / 253, 4)),
    ],
)
def test_utilization_is_the_larger_of_used_and_reserved_over_usable(used, nodes_seen, utilization):
    c = cluster("prod", pools=[pool("np1", nodes=nodes_seen, ocpus=2, pod_subnets=["p"])])
    t = tenancy(c, subnets=[subnet("p")], used={"p": used} if used is not None else None)
    assert subnet_named(t, c, "p").utilization == utilization


def test_a_subnet_no_pool_holds_ips_in_is_only_as_full_as_observed():
    c = cluster("prod", endpoint_subnet="api", lb_subnets=["lb"])
    t = tenancy(c, subnets=[subnet("api", "10.0.0.0/29"), subnet("lb", "10.0.1.0/24")], used={"lb": 23})
    assert subnet_named(t, c, "api").utilization is None
    assert subnet_named(t, c, "lb").utilization == round(23 / 253, 4)


@pytest.mark.parametrize(
    ("used", "nodes_seen", "more"),
    [(None, 3, (253 - 96) // 32), (200, 3, (253 - 200) // 32), (253, 3, 0), (None, None, None), (300, 3, 0)],
)
def test_headroom_is_how_many_more_nodes_of_each_pool_fit(used, nodes_seen, more):
    c = cluster("prod", pools=[pool("np1", nodes=nodes_seen, ocpus=2, pod_subnets=["p"])])
    t = tenancy(c, subnets=[subnet("p")], used={"p": used} if used is not None else None)
    [headroom] = subnet_named(t, c, "p").headroom
    assert (headroom.ips_per_node, headroom.more_nodes) == (32, more)


def test_headroom_for_a_pool_using_one_subnet_for_workers_and_pods_counts_both():
    c = cluster("prod", pools=[pool("np1", nodes=2, ocpus=2, worker_subnets=["p"], pod_subnets=["p"])])
    [headroom] = subnet_named(tenancy(c, subnets=[subnet("p")]), c, "p").headroom
    assert headroom.ips_per_node == 33
    assert headroom.more_nodes == (253 - 66) // 33


def test_a_subnet_missing_from_the_source_is_left_out_and_said_so():
    c = cluster("prod", pools=[pool("np1", nodes=1, worker_subnets=["gone"])])
    report = assess_cluster_capacity(tenancy(c), c)
    assert report.subnets == []
    assert any("ocid1.subnet.oc1..gone (workers) is not in the source" in line for line in report.assumptions)
