from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.digest.alerts import (
    POD_SUBNET_REMEDY,
    PODS_CIDR_REMEDY,
    WORKER_SUBNET_REMEDY,
    AlertState,
    SeriesRef,
    Thresholds,
    evaluate_alert,
    level_for,
)
from engine.digest.forecast import Forecast

PODS = SeriesRef(cluster_id="c", cluster_name="payments", kind="subnet", key="s", name="payments-pods", role="pods")


def forecast(days: float | None, status: str = "forecast") -> Forecast:
    return Forecast(status=status, days_to_full=days, samples=1000, days=14.0, unit="IPs", summary="test")


def run(utilizations, *, forecasts=None, series=PODS):
    """Evaluate a sequence of readings, carrying the state; return what crossed at each step ([] = no alert)."""
    state, fired = None, []
    for i, fill in enumerate(utilizations):
        decision = evaluate_alert(series, utilization=fill, forecast=forecasts[i] if forecasts else None,
                                  previous=state)
        state = decision.state
        fired.append(decision.alert.crossed if decision.alert else [])
    return fired, state


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        # Crossing 80 % alerts once; staying above never alerts again.
        ([0.5, 0.81, 0.85, 0.83, 0.90], [[], ["warning"], [], [], []]),
        # Dipping to 77 % (not 5 points under 80) and back: no new alert.
        ([0.81, 0.77, 0.82], [["warning"], [], []]),
        # Falling under 75 % re-arms: the next crossing alerts again.
        ([0.81, 0.74, 0.82], [["warning"], [], ["warning"]]),
        # Warning then error: both alert, once each.
        ([0.81, 0.96, 0.97], [["warning"], ["error"], []]),
        # Straight to error: one error alert, no warning on the way down or back up within the band.
        ([0.96, 0.92, 0.96], [["error"], [], []]),
        # Falling under 90 % re-arms the error alert (but warning stays alerted).
        ([0.96, 0.89, 0.96, 0.85], [["error"], [], ["error"], []]),
        # Falling under 75 % from error re-arms both.
        ([0.96, 0.70, 0.81], [["error"], [], ["warning"]]),
        # Not read: changes nothing either way.
        ([0.81, None, 0.82, None, 0.70, None, 0.81], [["warning"], [], [], [], [], [], ["warning"]]),
    ],
)
def test_threshold_alerts_fire_once_per_crossing_and_rearm_five_points_below(readings, expected):
    assert run(readings)[0] == expected


def test_the_state_says_what_is_armed_and_round_trips_through_json():
    _, state = run([0.96, 0.89])
    assert state == AlertState(level="warning", forecast=False)
    assert AlertState.model_validate(state.model_dump(mode="json", by_alias=True)) == state
    assert state.model_dump(mode="json", by_alias=True) == {"level": "warning", "forecast": False}


@pytest.mark.parametrize(
    ("forecasts", "expected"),
    [
        # Under 30 days alerts once; still under, no repeat.
        ([forecast(45), forecast(29), forecast(25)], [[], ["forecast"], []]),
        # Back over 30 but under 37 days: still armed, no flapping.
        ([forecast(29), forecast(33), forecast(29)], [["forecast"], [], []]),
        # At 37 days or more it re-arms.
        ([forecast(29), forecast(37), forecast(29)], [["forecast"], [], ["forecast"]]),
        # "No exhaustion in sight" re-arms; too little history changes nothing.
        ([forecast(29), forecast(None, "no-exhaustion"), forecast(20)], [["forecast"], [], ["forecast"]]),
        ([forecast(29), forecast(None, "not-enough-history"), forecast(20)], [["forecast"], [], []]),
    ],
)
def test_a_forecast_alert_fires_when_days_to_full_drop_under_the_horizon(forecasts, expected):
    assert run([0.5] * len(forecasts), forecasts=forecasts)[0] == expected


def test_an_alert_says_what_crossed_with_the_figures_and_the_fix():
    decision = evaluate_alert(PODS, utilization=0.8173, forecast=forecast(29.8), previous=None, taken=416,
                              usable=509)
    alert = decision.alert
    assert alert is not None
    assert alert.level == "warning"
    assert alert.crossed == ["warning", "forecast"]
    assert alert.message == (
        "The pods subnet payments-pods of cluster payments is 81.7% full (416 of 509 IPs), past the warning mark "
        "of 80%; at the current trend it runs full in ≈ 29.8 days (alert under 30 days)."
    )
    assert alert.remedy == POD_SUBNET_REMEDY
    assert alert.code == "POD_SUBNET_TOO_SMALL"
    assert (alert.threshold, alert.days_to_full) == (80, 29.8)


@pytest.mark.parametrize(
    ("series", "remedy", "code", "what"),
    [
        (PODS, POD_SUBNET_REMEDY, "POD_SUBNET_TOO_SMALL", "The pods subnet payments-pods"),
        (PODS.model_copy(update={"role": "workers", "name": "w"}), WORKER_SUBNET_REMEDY, "WORKER_SUBNET_TOO_SMALL",
         "The workers subnet w"),
        (SeriesRef(cluster_id="c", cluster_name="retail", kind="podsCidr", key="10.244.0.0/21",
                   name="10.244.0.0/21"), PODS_CIDR_REMEDY, "PODS_CIDR_TOO_SMALL", "The pods CIDR 10.244.0.0/21"),
    ],
)
def test_each_kind_of_series_gets_its_own_remedy(series, remedy, code, what):
    alert = evaluate_alert(series, utilization=0.97, forecast=None, previous=None).alert
    assert alert is not None
    assert (alert.remedy, alert.code, alert.level) == (remedy, code, "error")
    assert alert.message.startswith(what)


def test_the_pods_cidr_remedy_says_it_cannot_change_after_creation():
    assert "cannot be changed after the cluster is created" in PODS_CIDR_REMEDY
    assert "larger pod subnet" in POD_SUBNET_REMEDY
    assert "maxPodsPerNode" in POD_SUBNET_REMEDY
    assert "spread the pools" in POD_SUBNET_REMEDY


def test_a_forecast_only_alert_names_the_days():
    alert = evaluate_alert(PODS, utilization=0.5, forecast=forecast(12.0), previous=None).alert
    assert alert is not None
    assert alert.message == ("The pods subnet payments-pods of cluster payments, at the current trend, runs full in "
                             "≈ 12.0 days (alert under 30 days).")
    assert alert.threshold is None


@pytest.mark.parametrize(
    ("warning", "error", "complaint"),
    [(95, 80, "warning (95) must be below error (80)"), (0, 50, "warning"), (80, 101, "error")],
)
def test_thresholds_must_be_ordered_percentages(warning, error, complaint):
    with pytest.raises(ValidationError, match=re.escape(complaint)):
        Thresholds(warning=warning, error=error)


@pytest.mark.parametrize(
    ("fill", "level"), [(None, None), (0.0, "ok"), (0.7999, "ok"), (0.8, "warning"), (0.95, "error"), (1.2, "error")]
)
def test_levels_follow_the_default_marks(fill, level):
    assert level_for(fill, Thresholds()) == level


@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1.2)), max_size=60))
def test_an_alert_needs_a_rearm_between_two_alerts_of_the_same_level(readings):
    fired, _ = run(readings)
    for level, mark in (("warning", 0.80), ("error", 0.95)):
        last_alert = None
        for i, crossed in enumerate(fired):
            if level in crossed:
                if last_alert is not None:
                    between = [r for r in readings[last_alert + 1 : i] if r is not None]
                    assert any(r * 100 < mark * 100 - 5 for r in between)
                last_alert = i


@given(st.lists(st.floats(min_value=0, max_value=1.2), max_size=60))
def test_there_are_never_more_alerts_than_upward_crossings(readings):
    fired, _ = run(readings)
    crossings = sum(1 for before, after in zip([0.0, *readings], readings, strict=False)
                    if level_for(after, Thresholds()) != level_for(before, Thresholds()) and after > before)
    assert sum(1 for crossed in fired if crossed) <= crossings
