from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from engine.digest.alerts import Thresholds
from engine.digest.build import build_digest
from engine.digest.history import samples_from_capacity
from engine.digest.report import DigestReport, DigestSnapshot
from engine.errors import InputError
from tests.engine.digest.builders import T0, cid, cluster_cap, finding, linear, pool_cap, series, subnet_cap

HOUR = timedelta(hours=1)


def digest(clusters, *, history=(), previous=None, findings=None, pending=None, now=T0, **kwargs) -> DigestReport:
    return build_digest(
        clusters=clusters,
        findings={c.id: c.findings for c in clusters} if findings is None else findings,
        pending_cni_nodes=pending or {},
        history=list(history),
        previous=previous,
        source="demo",
        read_at=now,
        now=now,
        **kwargs,
    )


def pods_cluster(name: str, used: int, *, usable: int = 509, findings=()):
    return cluster_cap(name, subnets=[subnet_cap(f"{name}-pods", usable=usable, used=used, reserved=used)],
                       pools=[pool_cap(f"{name}-np")], findings=findings)


def test_the_json_keeps_every_key_of_the_public_contract():
    clusters = [pods_cluster("a", 100), cluster_cap("f", subnets=[subnet_cap("f-w", role="workers", used=3)],
                                                    pods_cidr=("10.244.0.0/21", 16, 14))]
    data: Any = digest(clusters).model_dump(mode="json", by_alias=True)
    assert {"generatedAt", "source", "since", "clusters", "history"} <= data.keys()
    assert {"samples", "firstAt", "lastAt"} <= data["history"].keys()
    for cluster in data["clusters"]:
        assert {"id", "name", "worst", "subnets", "podsCidr", "newFindings", "resolvedFindings",
                "pendingCniNodes"} <= cluster.keys()
        for subnet in cluster["subnets"]:
            assert {"name", "utilization", "delta", "daysToFull", "forecast"} <= subnet.keys()
            assert {"samples", "days", "method"} <= subnet["forecast"].keys()
    flannel = next(c for c in data["clusters"] if c["name"] == "f")
    assert {"cidr", "nodeSlots", "nodeSlotsUsed", "delta", "daysToFull"} <= flannel["podsCidr"].keys()
    assert next(c for c in data["clusters"] if c["name"] == "a")["podsCidr"] is None
    assert "snapshot" not in data
    assert data["generatedAt"] == "2026-11-26T09:00:00Z"
    assert data["since"] is None


def test_clusters_come_worst_first():
    clusters = [
        pods_cluster("calm", 100),  # 20 %: ok
        pods_cluster("warm", 420),  # 82.5 %: warning
        pods_cluster("hot", 490),  # 96 %: error
        cluster_cap("unread", subnets=[subnet_cap("unread-pods", used=None, reserved=None)]),
        cluster_cap("slots", pods_cidr=("10.244.0.0/21", 16, 14)),  # 87.5 %: warning, fuller than warm
    ]
    order = [c.name for c in digest(clusters).clusters]
    assert order == ["hot", "slots", "warm", "calm", "unread"]


def test_a_forecast_under_the_horizon_ranks_with_the_warnings_and_fewer_days_go_first():
    fast = pods_cluster("fast", 300)
    slow = pods_cluster("slow", 300)
    history = (series(linear(300 - 14 * 20, 20, days=14), step=HOUR, key="fast-pods", cluster="fast")
               + series(linear(300 - 14 * 10, 10, days=14), step=HOUR, key="slow-pods", cluster="slow"))
    report = digest([pods_cluster("warm", 420), slow, fast], history=history)
    assert [c.name for c in report.clusters] == ["fast", "slow", "warm"]
    fast_subnet = report.clusters[0].subnets[0]
    assert fast_subnet.days_to_full == pytest.approx(209 / 20, abs=0.3)
    assert fast_subnet.forecast.status == "forecast"
    assert report.clusters[0].worst is not None
    assert report.clusters[0].worst.name == "fast-pods"


def test_deltas_compare_with_the_previous_digest_worse_and_better():
    before = digest([pods_cluster("a", 400), cluster_cap("f", pods_cidr=("10.244.0.0/21", 16, 14))])
    later = T0 + timedelta(days=1)
    after = digest([pods_cluster("a", 416), cluster_cap("f", pods_cidr=("10.244.0.0/21", 16, 13))],
                   previous=before.snapshot, now=later)
    a, f = (next(c for c in after.clusters if c.name == n) for n in ("a", "f"))
    assert a.subnets[0].delta == pytest.approx(round(416 / 509, 4) - round(400 / 509, 4))
    assert a.subnets[0].change == "worse"
    assert f.pods_cidr is not None
    assert (f.pods_cidr.delta, f.pods_cidr.change) == (-1, "better")
    assert after.since == T0
    assert after.unchanged is False


def test_the_first_digest_has_no_deltas():
    (cluster,) = digest([pods_cluster("a", 400)]).clusters
    assert (cluster.subnets[0].delta, cluster.subnets[0].change) == (None, None)


def test_new_and_resolved_findings_are_compared_by_code_and_subject():
    old = [finding("POD_SUBNET_TOO_SMALL", "subnet:a-pods"), finding("SHAPE_UNKNOWN", "nodePool:np")]
    new = [finding("POD_SUBNET_TOO_SMALL", "subnet:a-pods"), finding("CNI_UPDATE_PENDING", "cluster:a")]
    first = digest([pods_cluster("a", 400, findings=old)])
    assert [f.code for f in first.clusters[0].new_findings or []] == ["POD_SUBNET_TOO_SMALL", "SHAPE_UNKNOWN"]
    second = digest([pods_cluster("a", 400, findings=new)], previous=first.snapshot)
    (cluster,) = second.clusters
    assert [(f.code, f.subject) for f in cluster.new_findings or []] == [("CNI_UPDATE_PENDING", "cluster:a")]
    assert [(f.code, f.subject) for f in cluster.resolved_findings or []] == [("SHAPE_UNKNOWN", "nodePool:np")]


def test_findings_not_read_are_unknown_and_the_last_known_ones_are_kept_for_next_time():
    old = [finding("SHAPE_UNKNOWN", "nodePool:np")]
    first = digest([pods_cluster("a", 400, findings=old)])
    blind = digest([pods_cluster("a", 400)], findings={}, previous=first.snapshot)
    assert (blind.clusters[0].new_findings, blind.clusters[0].resolved_findings) == (None, None)
    assert blind.snapshot is not None
    assert blind.snapshot.clusters[0].findings == old
    seen = digest([pods_cluster("a", 400, findings=[])], previous=blind.snapshot)
    assert [f.code for f in seen.clusters[0].resolved_findings or []] == ["SHAPE_UNKNOWN"]


def test_nothing_changed_makes_a_heartbeat_digest_and_any_change_does_not():
    clusters = [pods_cluster("a", 400, findings=[finding("SUBNET_OVERLAP", "cluster:a")])]
    first = digest(clusters, pending={cid("a"): 2})
    assert first.unchanged is False
    same = digest(clusters, pending={cid("a"): 2}, previous=first.snapshot, now=T0 + timedelta(hours=6))
    assert same.unchanged is True
    changes = [
        {"clusters": [pods_cluster("a", 401, findings=[finding("SUBNET_OVERLAP", "cluster:a")])],
         "pending": {cid("a"): 2}},
        {"clusters": [pods_cluster("a", 400, findings=[])], "pending": {cid("a"): 2}},
        {"clusters": clusters, "pending": {cid("a"): 0}},
        {"clusters": [*clusters, pods_cluster("b", 10)], "pending": {cid("a"): 2}},
        {"clusters": [], "pending": {}},
    ]
    for change in changes:
        assert digest(change["clusters"], pending=change["pending"], previous=first.snapshot).unchanged is False


def test_a_cluster_no_longer_read_is_named_as_gone():
    first = digest([pods_cluster("a", 1), pods_cluster("b", 2)])
    later = digest([pods_cluster("a", 1)], previous=first.snapshot)
    assert later.gone_clusters == ["b"]
    assert later.unchanged is False


def test_a_digest_of_some_clusters_names_gone_only_a_cluster_it_covers():
    first = digest([pods_cluster("a", 1), pods_cluster("b", 2), pods_cluster("c", 3)])
    later = digest([pods_cluster("a", 1)], previous=first.snapshot, covers=lambda _id, name: name in {"a", "b"})
    assert later.gone_clusters == ["b"]
    only_a = digest([pods_cluster("a", 1)], previous=first.snapshot, covers=lambda _id, name: name == "a")
    assert only_a.gone_clusters == []
    assert only_a.unchanged is True  # the clusters left out are no change either


def test_missed_occurrences_and_freshness_are_carried():
    missed = [T0 - timedelta(hours=12), T0 - timedelta(hours=6)]
    report = build_digest(clusters=[pods_cluster("a", 1)], findings={}, pending_cni_nodes={}, history=[],
                          previous=None, source="oci", read_at=T0 - timedelta(minutes=4), now=T0, missed=missed,
                          missed_total=7)
    assert (report.missed, report.missed_total) == (missed, 7)
    assert (report.failed, report.failed_total) == ([], 0)
    assert report.read_at == T0 - timedelta(minutes=4)
    assert report.model_dump(mode="json", by_alias=True)["readAt"] == "2026-11-26T08:56:00Z"


def test_failed_occurrences_are_carried_apart_from_the_missed_they_are_part_of():
    missed = [T0 - timedelta(hours=12), T0 - timedelta(hours=6)]
    report = build_digest(clusters=[pods_cluster("a", 1)], findings={}, pending_cni_nodes={}, history=[],
                          previous=None, source="oci", read_at=T0, now=T0, missed=missed, missed_total=2,
                          failed=missed[1:], failed_total=1)
    data = report.model_dump(mode="json", by_alias=True)
    assert (data["missedTotal"], data["failed"], data["failedTotal"]) == (2, ["2026-11-26T03:00:00Z"], 1)


def test_pending_cni_nodes_are_given_per_cluster_and_unknown_when_not_read():
    report = digest([pods_cluster("a", 1), pods_cluster("b", 1)], pending={cid("a"): 4})
    assert {c.name: c.pending_cni_nodes for c in report.clusters} == {"a": 4, "b": None}


def test_this_reads_samples_join_the_history_once():
    cluster = pods_cluster("a", 300)
    history = series(linear(300 - 14 * 5, 5, days=14), step=HOUR, key="a-pods", cluster="a")[:-1]
    without = digest([cluster], history=history)
    stored = history + samples_from_capacity([cluster], T0)
    with_it = digest([cluster], history=stored)
    assert without.history.samples == len(history) + 1  # + this read's pod-subnet sample
    assert with_it.history.samples == len(stored)
    assert without.clusters[0].subnets[0].forecast == with_it.clusters[0].subnets[0].forecast
    assert with_it.history.first_at == history[0].at
    assert with_it.history.last_at == T0


def test_the_snapshot_round_trips_through_json():
    report = digest([pods_cluster("a", 400, findings=[finding("SUBNET_OVERLAP", "cluster:a")]),
                     cluster_cap("f", pods_cidr=("10.244.0.0/21", 16, 14))], pending={cid("a"): 1})
    assert report.snapshot is not None
    data = report.snapshot.model_dump(mode="json", by_alias=True)
    assert data["format"] == "okebot.digest-snapshot/v1"
    assert DigestSnapshot.model_validate(data) == report.snapshot


def test_thresholds_decide_the_status():
    report = digest([pods_cluster("a", 400)], thresholds=Thresholds(warning=70, error=78))
    assert report.clusters[0].subnets[0].status == "error"
    assert report.model_dump(mode="json", by_alias=True)["thresholds"] == {"warning": 70.0, "error": 78.0}


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"now": datetime(2026, 11, 26)}, "now"),
        ({"read_at": datetime(2026, 11, 26)}, "read_at"),
        ({"forecast_days": 0}, "forecast_days"),
        ({"window_days": 0.5}, "window_days"),
    ],
)
def test_bad_arguments_are_refused_naming_them(kwargs, where):
    args = {"clusters": [], "findings": {}, "pending_cni_nodes": {}, "history": [], "previous": None,
            "source": "demo", "read_at": T0, "now": T0, **kwargs}
    with pytest.raises(InputError) as caught:
        build_digest(**args)
    assert caught.value.where == where
