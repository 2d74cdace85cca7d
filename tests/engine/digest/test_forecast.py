from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.digest.forecast import MAX_BUCKETS, bucket_medians, forecast_series, theil_sen_slope
from engine.digest.history import Sample
from engine.errors import InputError
from tests.engine.digest.builders import T0, linear, series

HOUR = timedelta(hours=1)


def test_a_steady_growth_gives_the_days_left_at_that_rate():
    # 400 IPs taken of 509, growing 3 IPs a day: 109 / 3 = 36.3 days.
    values = linear(400 - 3 * 14, 3, days=14)
    result = forecast_series(series(values, step=HOUR), now=T0)
    assert result.status == "forecast"
    assert result.days_to_full == pytest.approx(109 / 3, abs=0.5)
    assert result.slope_per_day == pytest.approx(3, rel=0.05)
    assert result.method == "theil-sen"
    assert (result.samples, result.days) == (337, 14.0)
    assert result.summary.startswith("≈ 36.")
    assert "+3.0 IPs/day" in result.summary


@pytest.mark.parametrize(
    ("values", "usable", "status", "days"),
    [
        ([100] * 200, 509, "no-exhaustion", None),  # flat
        (linear(300, -2, days=10), 509, "no-exhaustion", None),  # shrinking
        (linear(100, 0.2, days=10), 509, "no-exhaustion", None),  # 2,045 days away: past the one-year horizon
        ([509] * 3, 509, "full", 0.0),  # full needs no history
        ([400] * 199 + [520], 509, "full", 0.0),  # over capacity is full too
        ([None] * 200, 509, "unknown", None),  # usage not read
    ],
)
def test_forecast_statuses(values, usable, status, days):
    result = forecast_series(series(values, step=HOUR, usable=usable), now=T0)
    assert (result.status, result.days_to_full) == (status, days)


@pytest.mark.parametrize(
    ("count", "step", "summary"),
    [
        (1, HOUR, "not enough history: 0 days, 1 sample "),
        (160, HOUR, "not enough history: 6.6 days, 160 samples "),  # 159 h = 6.625 days, rounded down
        (9, timedelta(days=1), "not enough history: 8 days, 9 samples "),  # long enough, too few samples
    ],
)
def test_a_forecast_needs_seven_days_and_ten_samples_in_the_window(count, step, summary):
    result = forecast_series(series(linear(100, 5, days=(count - 1) * step / timedelta(days=1), step=step),
                                    step=step), now=T0)
    assert result.status == "not-enough-history"
    assert result.days_to_full is None
    assert result.summary.startswith(summary)
    assert result.samples == count


def test_history_just_long_enough_gives_a_forecast():
    result = forecast_series(series(linear(100, 5, days=7, step=HOUR), step=HOUR), now=T0)
    assert (result.status, result.days, result.samples) == ("forecast", 7.0, 169)


def test_no_samples_at_all_is_not_enough_history():
    result = forecast_series([], now=T0)
    assert (result.status, result.samples, result.days) == ("not-enough-history", 0, 0.0)


def test_only_the_window_counts():
    # Fast growth a month ago, flat for the last 14 days: no exhaustion in sight.
    old = linear(100, 10, days=16, step=HOUR)
    values = old + [old[-1]] * (14 * 24)
    result = forecast_series(series(values, step=HOUR), now=T0, window_days=14)
    assert result.status == "no-exhaustion"
    assert result.samples == 14 * 24 + 1  # the window includes both ends


def test_samples_after_now_are_ignored():
    values = linear(100, 4, days=14, step=HOUR)
    history = series(values, step=HOUR)
    future = series([509] * 5, step=HOUR, end=T0 + timedelta(hours=5))
    assert forecast_series(history + future, now=T0) == forecast_series(history, now=T0)


def test_odd_readings_do_not_move_the_trend():
    rng = random.Random(7)
    values = linear(300, 5, days=14, step=HOUR)
    spiked = [v + (rng.choice([-150, 150]) if rng.random() < 0.1 else 0) for v in values]
    clean = forecast_series(series(values, step=HOUR), now=T0)
    noisy = forecast_series(series(spiked[:-1] + values[-1:], step=HOUR), now=T0)
    assert noisy.slope_per_day == pytest.approx(clean.slope_per_day, rel=0.1)


def test_occupancy_uses_reserved_ips_when_usage_is_not_read():
    values = linear(200, 5, days=14, step=HOUR)
    result = forecast_series(series([None] * len(values), reserved=values, step=HOUR), now=T0)
    assert result.status == "forecast"
    assert result.slope_per_day == pytest.approx(5, rel=0.05)


def test_a_pods_cidr_forecast_counts_node_slots():
    # 10 -> 14 of 16 slots over 14 days (a node every 3.5 days): 2 slots left, about a week.
    values = [10 + i * 4 // (14 * 24) for i in range(14 * 24 + 1)]
    result = forecast_series(series(values, step=HOUR, usable=16, kind="podsCidr", key="10.244.0.0/21"), now=T0)
    assert result.status == "forecast"
    assert result.unit == "node slots"
    assert 5 <= (result.days_to_full or 0) <= 10
    assert "node slots/day" in result.summary


def test_node_pool_samples_cannot_be_forecast():
    pool = Sample(at=T0, cluster_id="c", cluster_name="c", kind="nodePool", key="np", name="np", nodes=3)
    with pytest.raises(InputError, match="kind: node-pool samples"):
        forecast_series([pool], now=T0)


def test_samples_of_two_series_are_refused():
    with pytest.raises(InputError, match="samples: samples of more than one series"):
        forecast_series(series([1, 2], key="a") + series([1, 2], key="b"), now=T0)


@pytest.mark.parametrize("window", [0, 0.5, -3])
def test_a_window_under_a_day_is_refused(window):
    with pytest.raises(InputError, match="window_days"):
        forecast_series([], now=T0, window_days=window)


def test_theil_sen_is_the_median_of_pairwise_slopes():
    assert theil_sen_slope([(0, 0), (1, 1), (2, 2), (3, 3), (4, 100)]) == pytest.approx(1.0)
    assert theil_sen_slope([(0, 0), (0, 5)]) is None
    assert theil_sen_slope([]) is None


@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=0.5, max_value=40),
    st.integers(min_value=0, max_value=300),
    st.sampled_from([timedelta(minutes=15), HOUR, timedelta(hours=6)]),
)
def test_an_exact_linear_trend_is_recovered_whatever_the_sampling(per_day, start, step):
    values = [start + per_day * (i * step / timedelta(days=1)) for i in range(int(timedelta(days=14) / step) + 1)]
    samples = series([round(v * 100) for v in values], step=step, usable=10**9)
    result = forecast_series(samples, now=T0)
    assert result.slope_per_day == pytest.approx(per_day * 100, rel=0.02)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=600)), max_size=120),
       st.integers(min_value=0, max_value=600), st.sampled_from([timedelta(minutes=15), timedelta(hours=4)]))
def test_any_history_gives_a_forecast_with_its_basis_and_never_a_negative_day_count(values, usable, step):
    result = forecast_series(series(values, step=step, usable=usable), now=T0)
    assert result.samples == sum(1 for v in values[-(int(timedelta(days=14) / step) + 1):] if v is not None)
    assert result.days >= 0
    assert result.days_to_full is None or result.days_to_full >= 0
    assert (result.days_to_full is not None) == (result.status in ("forecast", "full"))


@pytest.mark.parametrize("per_hour", [1, 4, 60])
def test_the_trend_rests_on_at_most_64_bucket_medians_whatever_the_sampling_rate(per_hour):
    step = 3600 / per_hour
    window = [(i * step, i) for i in range(int(14 * 24 * per_hour) + 1)]
    points = bucket_medians(window, 0.0, 14 * 86_400 / MAX_BUCKETS)
    assert len(points) == MAX_BUCKETS
    assert [x for x, _ in points] == sorted(x for x, _ in points)


@pytest.mark.parametrize(("days_ago", "status"), [(3, "forecast"), (6, "forecast"), (11, "forecast"),
                                                  (0.5, "no-exhaustion"), (13.5, "no-exhaustion")])
def test_one_node_added_inside_the_window_counts_as_growth_but_not_in_its_first_day(days_ago, status):
    # A VCN-native node takes 32 pod IPs at once: usage is a staircase, and one step must be able to count.
    hours = 14 * 24
    values = [384 if hour < hours - days_ago * 24 else 416 for hour in range(hours + 1)]
    result = forecast_series(series(values, step=HOUR), now=T0)
    assert result.status == status
    if status == "forecast":
        assert 2.5 <= (result.slope_per_day or 0) <= 4.6  # about 32 IPs over the ~10 days between distant points


def test_classic_theil_sen_over_every_pair_ignores_a_single_step():
    points = [(float(x), 0.0 if x < 40 else 32.0) for x in range(64)]
    assert theil_sen_slope(points) == 0.0
    assert (theil_sen_slope(points, min_gap=31.5) or 0) > 0
