from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.digest.forecast import occupancy, utilization
from engine.digest.history import Sample, retained, samples_from_capacity, to_delete
from engine.errors import InputError
from tests.engine.digest.builders import T0, cid, cluster_cap, pool_cap, sid, subnet_cap

BASE = {"cluster_id": "c", "cluster_name": "c", "kind": "subnet", "key": "s", "name": "s"}


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("at", datetime(2026, 1, 1), "timezone-aware"),
        ("cluster_id", "", "at least 1 character"),
        ("key", "", "at least 1 character"),
        ("kind", "vnic", "'subnet', 'podsCidr' or 'nodePool'"),
        ("used", -1, "greater than or equal to 0"),
        ("usable", -5, "greater than or equal to 0"),
        ("surprise", 1, "Extra inputs are not permitted"),
    ],
)
def test_a_bad_sample_is_refused_naming_the_field(field, value, complaint):
    data = {"at": T0, **BASE, field: value}
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    assert field in str(caught.value)
    assert complaint in str(caught.value)


def test_a_sample_time_in_another_zone_is_kept_in_utc():
    berlin = timezone(timedelta(hours=1))
    sample = Sample(at=datetime(2026, 11, 26, 10, 0, tzinfo=berlin), **BASE)
    assert sample.at == T0
    assert sample.at.tzinfo is UTC


def test_samples_from_capacity_cover_pod_and_worker_subnets_the_pods_cidr_and_node_pools():
    report = cluster_cap(
        "prod",
        subnets=[
            subnet_cap("api", usable=13, role="api-endpoint", claimed=False),
            subnet_cap("workers", usable=253, used=5, reserved=5, role="workers"),
            subnet_cap("pods", usable=509, used=416, reserved=416),
            subnet_cap("lb", usable=253, role="load-balancers", claimed=False),
        ],
        pods_cidr=("10.244.0.0/21", 16, 14),
        pools=[pool_cap("np1", nodes=4, max_pods=31)],
    )
    samples = samples_from_capacity([report], T0)
    assert [(s.kind, s.name, s.usable, s.used, s.reserved, s.nodes, s.max_pods) for s in samples] == [
        ("subnet", "workers", 253, 5, 5, None, None),
        ("subnet", "pods", 509, 416, 416, None, None),
        ("podsCidr", "10.244.0.0/21", 16, 14, None, 14, None),
        ("nodePool", "np1", None, None, None, 4, 31),
    ]
    assert {s.at for s in samples} == {T0}
    assert {(s.cluster_id, s.cluster_name) for s in samples} == {(cid("prod"), "prod")}
    assert samples[1].key == sid("pods")
    assert samples[2].key == "10.244.0.0/21"


@pytest.mark.parametrize(
    ("used", "reserved", "claimed", "expected_reserved"),
    [
        (None, 0, False, None),  # no pool holds IPs here, usage not read: capacity says unknown, so do we
        (7, 0, False, 0),  # observed usage decides; reserved 0 changes nothing
        (None, 96, True, 96),  # pools hold IPs, usage not read: reserved is the fill
        (None, None, True, None),  # neither known
    ],
)
def test_a_sample_records_reserved_ips_only_where_capacity_counts_them(used, reserved, claimed, expected_reserved):
    subnet = subnet_cap("pods", usable=100, used=used, reserved=reserved, claimed=claimed)
    (sample,) = samples_from_capacity([cluster_capacity_with(subnet)], T0)
    assert sample.reserved == expected_reserved
    assert utilization(sample) == subnet.utilization


def cluster_capacity_with(subnet):
    return cluster_cap("c", subnets=[subnet])


def test_samples_from_capacity_refuse_a_naive_time():
    with pytest.raises(InputError, match=r"at: .*no time zone"):
        samples_from_capacity([], datetime(2026, 1, 1))


# --- retention ------------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def at(days_ago: float, *, key: str = "s") -> Sample:
    return Sample(at=NOW - timedelta(days=days_ago), **{**BASE, "key": key})


@pytest.mark.parametrize(
    ("ages", "kept"),
    [
        ([0, 1, 29.9], [0, 1, 29.9]),  # the last 30 days stay whole
        ([30.1, 30.2, 30.3], [30.1]),  # one per day past 30 days: the day's last (30.1 days ago = 09:36)
        ([399.6, 400.5], [399.6]),  # nothing older than 400 days
        ([400.0], [400.0]),  # exactly 400 days old is still kept
        ([45.3, 45.1, 46.4], [45.1, 46.4]),  # each UTC day keeps its own last sample
    ],
)
def test_retention_keeps_thirty_days_whole_then_the_last_sample_of_each_day_up_to_400_days(ages, kept):
    samples = [at(age) for age in ages]
    assert retained(samples, NOW) == [at(age) for age in kept]
    assert to_delete(samples, NOW) == [at(age) for age in ages if age not in kept]


def test_retention_keeps_a_day_per_series_not_per_day():
    samples = [at(40.2, key="a"), at(40.3, key="b"), at(40.4, key="a")]
    assert retained(samples, NOW) == [at(40.2, key="a"), at(40.3, key="b")]


def test_retention_keeps_both_samples_at_the_same_last_instant_of_a_day():
    twin = at(50.1)
    assert retained([twin, twin, at(50.2)], NOW) == [twin, twin]


def test_the_day_straddling_the_full_resolution_cutoff_keeps_only_its_young_part():
    # 30 days before NOW is 12:00 on 27 Oct: 11:00 that day is older, 13:00 younger and later the same day.
    older, younger = at(30 + 1 / 24), at(30 - 1 / 24)
    assert retained([older, younger], NOW) == [younger]


@pytest.mark.parametrize(("keep", "full"), [(10, 11), (10, -1)])
def test_retention_refuses_a_full_resolution_period_outside_the_keep_period(keep, full):
    with pytest.raises(InputError, match="retention: full_resolution_days"):
        retained([], NOW, keep_days=keep, full_resolution_days=full)


def test_retention_refuses_a_naive_now():
    with pytest.raises(InputError, match="now: "):
        retained([], datetime(2026, 1, 1))


samples_strategy = st.lists(
    st.builds(
        lambda minutes, key: Sample(at=NOW - timedelta(minutes=minutes), **{**BASE, "key": key}),
        st.integers(min_value=-600, max_value=420 * 1440),
        st.sampled_from(["a", "b", "c"]),
    ),
    max_size=60,
)


@settings(max_examples=200)
@given(samples_strategy)
def test_retained_and_to_delete_split_the_samples_in_two(samples):
    kept, dropped = retained(samples, NOW), to_delete(samples, NOW)
    assert len(kept) + len(dropped) == len(samples)
    assert sorted(kept + dropped, key=repr) == sorted(samples, key=repr)


@settings(max_examples=200)
@given(samples_strategy)
def test_retention_applied_twice_deletes_nothing_more(samples):
    once = retained(samples, NOW)
    assert retained(once, NOW) == once


@settings(max_examples=200)
@given(samples_strategy, st.integers(min_value=0, max_value=500 * 1440))
def test_a_sample_deleted_now_would_be_deleted_later_too(samples, later_minutes):
    later = NOW + timedelta(minutes=later_minutes)
    assert set(map(repr, to_delete(samples, NOW))) <= set(map(repr, to_delete(samples, later)))


@settings(max_examples=200)
@given(samples_strategy)
def test_past_thirty_days_each_series_keeps_at_most_one_instant_per_day(samples):
    old = {(s.key, s.at.date(), s.at) for s in retained(samples, NOW) if s.at < NOW - timedelta(days=30)}
    per_day = {(key, day) for key, day, _ in old}
    assert len(per_day) == len(old)
    assert all(s.at >= NOW - timedelta(days=400) for s in retained(samples, NOW))


def test_occupancy_takes_the_larger_of_used_and_reserved_never_their_sum():
    # VCN-native: the observed pod-subnet IPs already include the pre-allocated ones.
    cases = [((416, 416), 416), ((400, 416), 416), ((430, 416), 430), ((None, 96), 96), ((12, None), 12),
             ((None, None), None)]
    for (used, reserved), taken in cases:
        assert occupancy(Sample(at=T0, **BASE, used=used, reserved=reserved)) == taken
