"""A pool's headroom and a what-if's verdict are one judgement: growing a pool by its `moreNodes` fits, by one
more does not (when a limit binds), and what cannot be judged stays unknown — on the demo tenancy and on
generated ones."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.snapshot.demo import load_demo_reader
from engine.capacity import assess_cluster_capacity
from engine.capacity.claims import pool_node_count
from engine.model import Cni, NodePoolType, SubnetUsage, Tenancy
from engine.usecases.whatif import MAX_NODES, WhatIfChange, whatif
from tests.engine.builders import cluster, nodes, pool, subnet, subnet_id, tenancy


def _verdict(t: Tenancy, cluster_name: str, pool_name: str, size: int) -> str:
    return whatif(t, cluster=cluster_name, change=WhatIfChange(pool=pool_name, size=size)).verdict


def assert_headroom_agrees_with_whatif(t: Tenancy) -> int:
    """Check every pool of every cluster; return how many bound by a limit were checked at +1."""
    bound = 0
    for c in t.clusters:
        report = assess_cluster_capacity(t, c)
        for model, shown in zip(c.node_pools, report.node_pools, strict=True):
            count = pool_node_count(model, at="current")
            room = shown.headroom
            if model.type is NodePoolType.VIRTUAL:
                assert room is None
                continue
            assert room is not None
            if count is None or count + 1 > MAX_NODES:
                continue
            if room.more_nodes is None and room.at_most is not None:
                # IPs in use not read: up to the bound is unknown, past it does not fit.
                if count + room.at_most + 1 <= MAX_NODES:
                    assert _verdict(t, c.name, model.name, count + room.at_most) == "unknown", (c.name, room)
                    assert _verdict(t, c.name, model.name, count + room.at_most + 1) == "does not fit", room
                    bound += 1
                continue
            if room.more_nodes is None:
                # Unknown stays unknown: a what-if cannot say "fits" where the headroom could not be worked out.
                assert _verdict(t, c.name, model.name, count + 1) != "fits", (c.name, model.name, room)
                continue
            if room.more_nodes > 0 and count + room.more_nodes <= MAX_NODES:
                assert _verdict(t, c.name, model.name, count + room.more_nodes) == "fits", (c.name, model.name, room)
            if room.limited_by is not None and count + room.more_nodes + 1 <= MAX_NODES:
                verdict = _verdict(t, c.name, model.name, count + room.more_nodes + 1)
                assert verdict == "does not fit", (c.name, model.name, room, verdict)
                bound += 1
    return bound


def test_on_the_demo_every_pools_headroom_is_what_the_whatif_allows():
    demo = asyncio.run(load_demo_reader().read())
    assert assert_headroom_agrees_with_whatif(demo) == sum(len(c.node_pools) for c in demo.clusters)


@pytest.mark.parametrize(
    ("cluster_name", "pool_name", "more", "limited_by"),
    [
        ("retail-flannel", "retail-web", 2, "pods CIDR"),
        ("payments-native", "payments-core", 2, "pod subnet payments-native-pods"),
        ("platform-healthy", "platform-general", 120, "pod subnet platform-healthy-pods"),
        ("platform-healthy", "platform-compute", 60, "pod subnet platform-healthy-pods"),
        ("analytics", "analytics-spark", 16, "pod subnet analytics-pods"),
    ],
)
def test_the_demo_pools_headroom_is_the_least_of_their_limits(cluster_name, pool_name, more, limited_by):
    demo = asyncio.run(load_demo_reader().read())
    report = assess_cluster_capacity(demo, demo.require_cluster(cluster_name))
    room = next(p.headroom for p in report.node_pools if p.name == pool_name)
    assert room is not None
    # Where IPs in use were not read (retail-flannel's worker subnet, analytics' subnets) the room is a bound.
    assert (room.more_nodes if room.more_nodes is not None else room.at_most, room.limited_by) == (more, limited_by)


def test_a_flannel_pool_is_bound_by_the_pods_cidr_not_its_roomy_worker_subnet():
    c = cluster("prod", cni=Cni.FLANNEL, pods_cidr="10.244.0.0/21",
                pools=[pool("np1", nodes=14, worker_subnets=["w"])])
    room = assess_cluster_capacity(t := tenancy(c, subnets=[subnet("w", "10.0.16.0/22")]), c).node_pools[0].headroom
    assert room is not None
    assert (room.more_nodes, room.limited_by) == (2, "pods CIDR")
    assert _verdict(t, "prod", "np1", 16) == "fits"
    assert _verdict(t, "prod", "np1", 17) == "does not fit"


def test_ips_no_pool_holds_count_as_taken_in_the_headroom_and_the_whatif():
    c = cluster("prod", pools=[pool("np1", ocpus=2, nodes=3, pod_subnets=["p"], worker_subnets=["w"])])
    # 3 nodes × 32 = 96 reserved; 150 in use, so 54 are held by no pool's nodes: (253 - 150) // 32 = 3 more.
    t = tenancy(c, subnets=[subnet("p"), subnet("w", "10.0.16.0/22")], used={"p": 150})
    room = assess_cluster_capacity(t, c).node_pools[0].headroom
    assert room is not None
    assert room.more_nodes == 3
    assert _verdict(t, "prod", "np1", 6) == "fits"
    assert _verdict(t, "prod", "np1", 7) == "does not fit"


def test_a_pool_whose_pods_per_node_are_unknown_has_unknown_headroom_and_an_unknown_whatif():
    c = cluster("prod", pools=[pool("np1", shape="VM.Mystery", nodes=3, pod_subnets=["p"], worker_subnets=["w"])])
    t = tenancy(c, subnets=[subnet("p"), subnet("w", "10.0.16.0/22")])
    room = assess_cluster_capacity(t, c).node_pools[0].headroom
    assert room is not None
    assert room.more_nodes is None
    assert room.limited_by == "pod subnet p"
    assert _verdict(t, "prod", "np1", 4) == "unknown"


def test_a_pool_already_over_a_limit_has_no_room_and_growing_it_does_not_fit():
    c = cluster("prod", pools=[pool("np1", ocpus=2, nodes=9, pod_subnets=["p"], worker_subnets=["w"])])
    t = tenancy(c, subnets=[subnet("p"), subnet("w", "10.0.16.0/22")])  # 9 × 32 = 288 > 253
    room = assess_cluster_capacity(t, c).node_pools[0].headroom
    assert room is not None
    assert (room.more_nodes, room.limited_by) == (0, "pod subnet p")
    assert _verdict(t, "prod", "np1", 10) == "does not fit"


PREFIXES = st.integers(min_value=20, max_value=28)


@st.composite
def tenancies(draw: st.DrawFn) -> Tenancy:
    """One or two clusters over a few worker and pod subnets (some shared, some not read), pools of various
    shapes and counts (some unknown), IPs in use (some beyond what pools reserve) and flannel pods CIDRs."""
    subnet_count = draw(st.integers(min_value=2, max_value=4))
    names = [f"s{i}" for i in range(subnet_count)]
    subnets = [subnet(name, f"10.{i}.0.0/{draw(PREFIXES)}") for i, name in enumerate(names)]
    readable = draw(st.lists(st.sampled_from(names), unique=True))
    used: dict[str, int] = {name: draw(st.integers(min_value=0, max_value=600)) for name in readable}
    clusters = []
    for c_index in range(draw(st.integers(min_value=1, max_value=2))):
        cni = draw(st.sampled_from([Cni.FLANNEL, Cni.VCN_NATIVE]))
        pools = []
        for p_index in range(draw(st.integers(min_value=1, max_value=3))):
            observed = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=40)))
            pools.append(pool(
                f"c{c_index}p{p_index}",
                shape=draw(st.sampled_from(["VM.Standard.E4.Flex", "VM.Standard.E5.Flex", "VM.Mystery"])),
                ocpus=draw(st.sampled_from([1, 2, 4, 8, None])),
                nodes=None if observed is None else nodes(observed, prefix=f"c{c_index}p{p_index}n"),
                size=draw(st.one_of(st.none(), st.integers(min_value=0, max_value=40))),
                max_pods=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=110))),
                worker_subnets=draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)),
                pod_subnets=draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)),
            ))
        pods_cidr = f"10.244.0.0/{draw(st.integers(min_value=18, max_value=26))}" if cni is Cni.FLANNEL else None
        clusters.append(cluster(f"c{c_index}", cni=cni, pools=pools, pods_cidr=pods_cidr))
    dropped = draw(st.sets(st.sampled_from(names), max_size=1))  # a subnet the source does not hold
    t = tenancy(*clusters, subnets=[s for s in subnets if s.name not in dropped])
    usage = {subnet_id(name): SubnetUsage(subnet_id=subnet_id(name), used_ips=ips) for name, ips in used.items()}
    return t.model_copy(update={"ip_usage": usage})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenancies())
def test_on_generated_tenancies_every_pools_headroom_is_what_the_whatif_allows(t):
    assert_headroom_agrees_with_whatif(t)


def test_a_pool_in_a_small_worker_subnet_is_bound_by_it():
    c = cluster("prod", pools=[pool("np1", ocpus=2, nodes=4, pod_subnets=["p"], worker_subnets=["w"])])
    t = tenancy(c, subnets=[subnet("p", "10.2.0.0/20"), subnet("w", "10.1.0.0/28")])  # 13 usable worker IPs
    room = assess_cluster_capacity(t, c).node_pools[0].headroom
    assert room is not None
    assert (room.more_nodes, room.limited_by) == (9, "worker subnet w")
    assert _verdict(t, "prod", "np1", 14) == "does not fit"
