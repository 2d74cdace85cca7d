from __future__ import annotations

from ipaddress import IPv4Network

from hypothesis import given
from hypothesis import strategies as st

from engine.capacity import assess_cluster_capacity
from engine.capacity.pods import pods_per_node
from engine.cidr import node_slots
from engine.model import Cni, NodePool
from engine.shapes import BUILT_IN_SHAPES, ShapeCatalogue
from tests.engine.builders import cluster, nodes, pool, subnet, tenancy

SHAPES = ShapeCatalogue()


@given(st.integers(min_value=0, max_value=25))
def test_any_pods_cidr_prefix_up_to_25_has_two_to_the_25_minus_prefix_node_slots(prefix):
    assert node_slots(IPv4Network(f"0.0.0.0/{prefix}")) == 2 ** (25 - prefix)


@given(st.integers(min_value=26, max_value=32))
def test_a_pods_cidr_smaller_than_a_25_has_no_node_slot(prefix):
    assert node_slots(IPv4Network(f"0.0.0.0/{prefix}")) == 0


@st.composite
def pools(draw: st.DrawFn, *, profiles: bool) -> NodePool:
    observed = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=300)))
    return pool(
        "np",
        shape=draw(st.one_of(st.sampled_from(sorted(BUILT_IN_SHAPES)), st.just("VM.Mystery"), st.none())),
        ocpus=draw(st.one_of(st.none(), st.floats(min_value=0.5, max_value=128, allow_nan=False))),
        max_pods=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=400))),
        nodes=None if observed is None else nodes(2, max_vnics=observed),
        vnic_ip_counts=draw(st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=4))
        if profiles else (),
    )


@given(pools(profiles=False))
def test_no_classic_pool_runs_more_than_110_pods_per_node(node_pool):
    max_pods = pods_per_node(node_pool, Cni.VCN_NATIVE, SHAPES).max_pods
    assert max_pods is None or 0 <= max_pods <= 110


@given(pools(profiles=True))
def test_no_pool_with_vnic_profiles_runs_more_than_256_pods_per_node(node_pool):
    per_node = pods_per_node(node_pool, Cni.VCN_NATIVE, SHAPES)
    assert (per_node.max_pods is None) is (per_node.vnics is None)
    assert per_node.max_pods is None or 0 <= per_node.max_pods <= 256


@given(pools(profiles=True))
def test_a_pool_with_vnic_profiles_counts_only_the_profiles_its_vnics_can_attach(node_pool):
    per_node = pods_per_node(node_pool, Cni.VCN_NATIVE, SHAPES)
    if per_node.vnics is not None:
        attachable = node_pool.secondary_vnic_ip_counts[: max(0, per_node.vnics - 1)]
        assert per_node.max_pods is not None
        assert per_node.max_pods <= sum(attachable)


@given(pools(profiles=False))
def test_a_classic_pool_with_one_vnic_runs_no_pods(node_pool):
    per_node = pods_per_node(node_pool, Cni.VCN_NATIVE, SHAPES)
    if per_node.vnics == 1:
        assert per_node.max_pods == 0


@given(pools(profiles=False))
def test_flannel_never_runs_more_than_110_pods_per_node(node_pool):
    max_pods = pods_per_node(node_pool, Cni.FLANNEL, SHAPES).max_pods
    assert max_pods is not None
    assert max_pods <= 110


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=24)),
                min_size=1, max_size=5))
def test_a_shared_pod_subnet_reserves_exactly_the_sum_of_its_pools(sizes):
    pool_list = [pool(f"np{i}", nodes=count, ocpus=ocpus, pod_subnets=["shared"])
                 for i, (count, ocpus) in enumerate(sizes)]
    c = cluster("prod", pools=pool_list)
    report = assess_cluster_capacity(tenancy(c, subnets=[subnet("shared", "10.0.0.0/16")]), c)
    alone = []
    for capacity in report.node_pools:
        assert capacity.nodes is not None
        assert capacity.pod_subnet_ips_per_node is not None
        alone.append(capacity.nodes * capacity.pod_subnet_ips_per_node)
    assert report.subnets[0].reserved_ips == sum(alone)
