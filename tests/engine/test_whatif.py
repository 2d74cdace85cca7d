"""What-if: the live model, changed; what was observed and still holds is kept."""

from __future__ import annotations

import pytest

from engine.capacity import assess_cluster_capacity
from engine.capacity.pods import pods_per_node
from engine.codes import Code
from engine.errors import InputError, NotFoundError
from engine.findings import Severity
from engine.model import Cni
from engine.shapes import ShapeCatalogue
from engine.usecases.whatif import WhatIfChange, apply_whatif, whatif
from tests.engine.builders import cluster, nodes, pool, subnet, tenancy


def _flex_pool_seen_with_four_vnics():
    return pool("np1", shape="VM.Standard.E4.Flex", ocpus=None, nodes=nodes(3, max_vnics=4))


def test_resizing_a_pool_keeps_the_vnic_limit_read_from_its_instances():
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    changed = apply_whatif(tenancy(c), c, WhatIfChange(pool="np1", size=50))
    (after,) = changed.cluster.node_pools
    assert after.nodes is None
    assert after.size == 50
    assert pods_per_node(after, Cni.VCN_NATIVE, ShapeCatalogue()).max_pods == 93


def test_changing_the_shape_drops_the_vnic_limit_of_the_old_instances():
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    changed = apply_whatif(tenancy(c), c, WhatIfChange(pool="np1", shape="VM.Standard.E4.Flex", ocpus=2))
    (after,) = changed.cluster.node_pools
    assert after.observed_vnics is None
    assert pods_per_node(after, Cni.VCN_NATIVE, ShapeCatalogue()).max_pods == 31


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (WhatIfChange(pool="np1"), InputError),
        (WhatIfChange(pool="nope", size=3), NotFoundError),
        (WhatIfChange(size=3), InputError),
        (WhatIfChange(add_pool="np1"), InputError),
    ],
)
def test_a_what_if_that_changes_nothing_or_names_nothing_is_refused(change, error):
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    with pytest.raises(error):
        apply_whatif(tenancy(c), c, change)


def test_adding_a_pool_models_it_on_the_template_with_the_new_size():
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    changed = apply_whatif(tenancy(c), c, WhatIfChange(add_pool="np2", pool="np1", size=7))
    new = changed.cluster.node_pools[-1]
    assert (new.name, new.size, new.nodes) == ("np2", 7, None)
    assert "add node pool np2 of 7 nodes, modelled on np1" in changed.changes


def _demo():
    import asyncio

    from adapters.snapshot.demo import load_demo_reader

    return asyncio.run(load_demo_reader().read())


def test_a_finding_whose_severity_rose_is_worse_not_new_and_resolved():
    report = whatif(_demo(), cluster="payments-native", change=WhatIfChange(pool="payments-core", size=12))
    assert report.verdict == "does not fit"
    assert [(w.finding.code, w.finding.severity, w.was) for w in report.worse_findings] == [
        (Code.POD_SUBNET_TOO_SMALL, Severity.ERROR, Severity.WARNING)]
    assert Code.POD_SUBNET_TOO_SMALL not in {f.code for f in report.new_findings}
    assert Code.POD_SUBNET_TOO_SMALL not in {f.code for f in report.resolved_findings}


def test_a_finding_that_can_no_longer_be_checked_is_unchecked_and_the_verdict_unknown():
    report = whatif(_demo(), cluster="payments-native",
                    change=WhatIfChange(pool="payments-core", shape="VM.Bogus.Shape"))
    assert report.verdict == "unknown"
    assert [f.code for f in report.unchecked_findings] == [Code.POD_SUBNET_TOO_SMALL]
    assert report.resolved_findings == []


def test_a_finding_whose_severity_fell_is_better_not_resolved():
    c = cluster("prod", pools=[pool("np1", ocpus=2, nodes=9, pod_subnets=["p"], worker_subnets=["w"])])
    t = tenancy(c, subnets=[subnet("p"), subnet("w", "10.0.16.0/22")])  # 9 × 32 = 288 > 253 usable
    report = whatif(t, cluster="prod", change=WhatIfChange(pool="np1", size=7))  # 224: 89%, a warning
    assert [(b.finding.code, b.finding.severity, b.was) for b in report.better_findings] == [
        (Code.POD_SUBNET_TOO_SMALL, Severity.WARNING, Severity.ERROR)]
    assert report.resolved_findings == []
    assert report.verdict == "fits"


def test_after_keeps_the_planned_node_counts_and_says_planned_size():
    report = whatif(_demo(), cluster="payments-native", change=WhatIfChange(pool="payments-core", size=12))
    assert report.after.nodes == 17
    assert [p.nodes for p in report.after.node_pools] == [12, 5]
    worse = report.worse_findings[0].finding.message
    assert "at its planned size" in worse
    assert "current size" not in worse


def _with_usage_read(t, cluster_name: str):
    """The tenancy with every subnet of the cluster's VCN read as holding its nodes' IPs and no more."""
    from engine.model import SubnetUsage

    report = assess_cluster_capacity(t, t.require_cluster(cluster_name))
    usage = {s.id: SubnetUsage(subnet_id=s.id, used_ips=s.reserved_ips or 0) for s in report.subnets}
    return t.model_copy(update={"ip_usage": {**t.ip_usage, **usage}})


def test_errors_the_change_does_not_touch_leave_the_verdict_fits_but_the_cluster_invalid():
    demo = _with_usage_read(_demo(), "analytics")
    report = whatif(demo, cluster="analytics", change=WhatIfChange(pool="analytics-spark", size=6))
    assert (report.verdict, report.valid) == ("fits", False)


def test_a_growth_judged_on_reservations_alone_is_unknown_when_the_ips_in_use_were_not_read():
    report = whatif(_demo(), cluster="analytics", change=WhatIfChange(pool="analytics-spark", size=6))
    assert report.verdict == "unknown"
    assert report.unknown_limits == ["pod subnet analytics-pods: IPs in use not read",
                                     "worker subnet analytics-workers: IPs in use not read"]


@pytest.mark.parametrize("change", [WhatIfChange(pool="analytics-spark", size=3),
                                    WhatIfChange(pool="analytics-spark", max_pods=31)],
                         ids=["shrink", "fewer-pods-per-node"])
def test_a_change_that_asks_no_more_of_a_subnet_whose_ips_in_use_were_not_read_fits(change):
    report = whatif(_demo(), cluster="analytics", change=change)
    assert report.verdict == "fits"
    assert report.unknown_limits == []
    assert report.unread_limits == ["pod subnet analytics-pods", "worker subnet analytics-workers"]


def test_a_figure_resting_on_an_unknown_shape_is_a_lower_bound_after_the_change():
    report = whatif(_demo(), cluster="platform-healthy",
                    change=WhatIfChange(pool="platform-general", shape="VM.Bogus.Shape"))
    before = next(s for s in report.before.subnets if s.name == "platform-healthy-pods")
    after = next(s for s in report.after.subnets if s.name == "platform-healthy-pods")
    assert (before.reserved_ips is not None, before.utilization_at_least) == (True, False)
    assert (after.reserved_ips, after.utilization_at_least) == (None, True)
    assert report.verdict == "unknown"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (WhatIfChange(pool="np1", size=3), "nothing changes: node pool np1 already has 3 nodes"),
        (WhatIfChange(add_pool="np2"), "how many nodes should the new pool np2 have?"),
        (WhatIfChange(add_pool="np2", size=0), "how many nodes should the new pool np2 have?"),
        (WhatIfChange(pool="np1", shape="VM.Standard2.4", ocpus=2), "VM.Standard2.4 is a fixed shape"),
    ],
)
def test_a_what_if_that_cannot_be_is_refused_in_words(change, words):
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    with pytest.raises(InputError, match=words.replace("?", r"\?")):
        apply_whatif(tenancy(c), c, change)


def test_max_pods_on_a_flannel_cluster_is_refused():
    c = cluster("prod", cni=Cni.FLANNEL, pools=[_flex_pool_seen_with_four_vnics()])
    with pytest.raises(InputError, match="maxPodsPerNode is a VCN-native setting"):
        apply_whatif(tenancy(c), c, WhatIfChange(pool="np1", max_pods=64))


def test_ocpus_below_a_flex_shapes_minimum_are_refused_by_the_bounds():
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        WhatIfChange(pool="np1", ocpus=0.5)


def test_adding_a_pool_without_naming_a_template_says_which_it_took():
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    changed = apply_whatif(tenancy(c), c, WhatIfChange(add_pool="np2", size=2))
    assert changed.changes == ("add node pool np2 of 2 nodes, modelled on np1 (the cluster's first pool, "
                               "as no pool was named to model it on)",)


def test_a_shrunk_pool_frees_its_ips_in_the_after_figures():
    report = whatif(_demo(), cluster="payments-native", change=WhatIfChange(pool="payments-core", size=0))
    pods = next(s for s in report.after.subnets if s.name == "payments-native-pods")
    assert (pods.reserved_ips, pods.utilization) == (160, round(160 / 509, 4))
    assert {h.node_pool: h.more_nodes for h in pods.headroom} == {"payments-core": 10, "payments-edge": 10}
