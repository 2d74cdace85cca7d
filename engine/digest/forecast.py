"""Days until a series is full: a robust linear trend (Theil–Sen) over recent history.

Occupancy is what capacity calls "taken": for a subnet the larger of observed and reserved IPs, whichever is known
(engine.capacity, `occupied`). The two are not added: the private IPs observed in a VCN-native pod subnet already
include the IPs each node pre-allocates for its pods, so used + reserved would count those twice. For a flannel
pods CIDR, occupancy is the node slots in use. Either is measured against the series' `usable` capacity.

Rules (facts, digests-and-deploy A3 and A8.4: forecast only from a fit over at least 7–14 days of history, and
express the result in operator units; no cloud IPAM ships a days-to-full figure, so these are okebot's own):

- full now: the latest occupancy is at or above capacity → status "full", 0 days.
- not enough history: fewer than `MIN_HISTORY_DAYS` (7) days between the first and last sample in the window, or
  fewer than `MIN_SAMPLES` (10) samples with a known occupancy in it → "not-enough-history". The days available are
  the span of the window's samples, rounded *down* to one decimal, so 6.96 days shows as 6.9, never as 7.0.
- trend: the window (default 14 days back from `now`) is cut into at most `MAX_BUCKETS` (64) equal buckets; each
  non-empty bucket becomes one point (median time, median occupancy). The slope is the median of the slopes between
  pairs of points at least half the points' time span apart: Theil–Sen restricted to distant pairs, as in Theil's
  own 1950 abbreviated method (each point of the first half paired with its counterpart in the second). Why not
  every pair: capacity grows in steps (a node takes 32 or more pod IPs at once, one /25 slot), and with every pair
  a single step is always outvoted by the flat pairs on either side of it (only a step exactly mid-window wins), so
  a subnet one node from full would read "flat" until a second node arrived. With distant pairs, one step in the
  middle 70 % of the window counts, while a step in the last day or an odd reading lasting under a day or so does
  not. At most 64 points is at most ~500 pairs per series whatever the sampling rate, which keeps it cheap in pure
  Python; the medians make one odd reading count for nothing.
- flat or shrinking: a slope at or below `FLAT_SHARE_PER_DAY` × usable per day (0.01 % of the capacity a day,
  which would take 27 years to fill an empty series) → "no-exhaustion". So is a trend that reaches capacity only
  after `HORIZON_DAYS` (365): two weeks of history say nothing about next year.
- otherwise days to full = (usable − latest occupancy) / slope, rounded to one decimal → "forecast".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from math import floor
from operator import attrgetter
from statistics import median
from typing import Literal

from engine.digest.history import Sample, utc
from engine.errors import InputError
from engine.reports import Report

ForecastStatus = Literal["forecast", "not-enough-history", "no-exhaustion", "full", "unknown"]

DEFAULT_WINDOW_DAYS = 14
MIN_HISTORY_DAYS = 7.0
MIN_SAMPLES = 10
MAX_BUCKETS = 64
FLAT_SHARE_PER_DAY = 1e-4
HORIZON_DAYS = 365.0
_DAY = 86_400.0
_AT = attrgetter("at")


class Forecast(Report):
    """When a series runs full, and what that rests on.

    Fields:
        status: "forecast" (days_to_full set), "full" (0 days), "no-exhaustion" (flat, shrinking or beyond the
            horizon), "not-enough-history", or "unknown" (the latest occupancy was not read).
        days_to_full: days from the latest sample until occupancy reaches capacity; None unless status is
            "forecast" or "full".
        samples: samples with a known occupancy in the window (the fit's basis).
        days: span of those samples in days, rounded down to one decimal.
        method: "theil-sen".
        slope_per_day: the trend in the series' unit (IPs or node slots) per day; None without a fit.
        unit: "IPs" for a subnet, "node slots" for a pods CIDR.
        summary: one sentence for people, e.g. "≈ 29.8 days to full at +3.1 IPs/day".
    """

    status: ForecastStatus
    days_to_full: float | None
    samples: int
    days: float
    method: Literal["theil-sen"] = "theil-sen"
    slope_per_day: float | None = None
    unit: str
    summary: str


def occupancy(sample: Sample) -> int | None:
    """What the series holds: max(used, reserved) of whichever is known; None when neither was read."""
    used, reserved = sample.used, sample.reserved
    if used is None:
        return reserved
    if reserved is None or used >= reserved:
        return used
    return reserved


def utilization(sample: Sample) -> float | None:
    """Occupancy over usable capacity (0–1, rounded to 4 places as capacity does); None when unknown or usable 0."""
    taken = occupancy(sample)
    if taken is None or not sample.usable:
        return None
    return round(taken / sample.usable, 4)


def theil_sen_slope(points: Sequence[tuple[float, float]], *, min_gap: float = 0.0) -> float | None:
    """Median of the slopes between pairs of points (ascending x) at least `min_gap` apart in x, and never at the
    same x; None when no pair qualifies. `min_gap=0` is the classic Theil–Sen estimator over every pair."""
    slopes = [
        (y2 - y1) / (x2 - x1)
        for i, (x1, y1) in enumerate(points)
        for x2, y2 in points[i + 1 :]
        if x2 != x1 and x2 - x1 >= min_gap
    ]
    return median(slopes) if slopes else None


def _unit(kind: str) -> str:
    return "node slots" if kind == "podsCidr" else "IPs"


def _days_down(seconds: float) -> float:
    return floor(seconds / _DAY * 10) / 10


def bucket_medians(window: Sequence[tuple[float, int]], start: float, width: float) -> list[tuple[float, float]]:
    """(median time in days, median occupancy) per non-empty bucket, oldest first; at most `MAX_BUCKETS` points.

    `window` holds (POSIX seconds, occupancy) pairs at or after `start`; bucket i covers
    [start + i × width, start + (i + 1) × width), and anything past the last bucket joins it.
    """
    buckets: dict[int, tuple[list[float], list[int]]] = {}
    last = MAX_BUCKETS - 1
    for x, y in window:
        index = min(int((x - start) / width), last)
        bucket = buckets.get(index)
        if bucket is None:
            buckets[index] = ([x], [y])
        else:
            bucket[0].append(x)
            bucket[1].append(y)
    return [(median(xs) / _DAY, float(median(ys))) for _, (xs, ys) in sorted(buckets.items())]


def forecast_series(
    samples: Sequence[Sample], *, now: datetime, window_days: float = DEFAULT_WINDOW_DAYS, presorted: bool = False
) -> Forecast:
    """Forecast one series (subnet or pods CIDR) from its samples, as seen at `now`.

    Args:
        samples: samples of exactly one series, in any order unless `presorted` (then ascending by `at`).
            Samples after `now` are ignored.
        now: the moment the forecast is made (aware).
        window_days: how far back the trend looks (default 14 days).

    Returns a Forecast (see the module docstring for the rules). The latest sample at or before `now` gives the
    current occupancy. InputError for a naive `now`, a window under one day, node-pool samples, or samples of more
    than one series.
    """
    when = utc(now, where="now")
    if window_days < 1:
        raise InputError(f"the forecast window must be at least 1 day, not {window_days}", where="window_days")
    if any(s.kind == "nodePool" for s in samples):
        raise InputError("node-pool samples count nodes, not a capacity: there is nothing to forecast",
                         where="kind")
    if len({s.series for s in samples}) > 1:
        raise InputError("samples of more than one series were given; forecast one series at a time",
                         where="samples")
    ordered = samples if presorted else sorted(samples, key=_AT)
    return forecast_sorted(ordered, now=when, window_days=window_days)


def forecast_sorted(ordered: Sequence[Sample], *, now: datetime, window_days: float) -> Forecast:
    """`forecast_series` without the checks: one series' samples, ascending by `at`; `now` aware and in UTC.

    For callers that grouped and sorted the samples themselves (the digest builder); see `forecast_series`.
    """
    unit = _unit(ordered[0].kind) if ordered else "IPs"
    end = bisect_right(ordered, now, key=_AT)
    window_start = now - timedelta(days=window_days)
    start = bisect_left(ordered, window_start, lo=0, hi=end, key=_AT)
    window = [(s.at.timestamp(), taken) for s in ordered[start:end] if (taken := occupancy(s)) is not None]
    span = window[-1][0] - window[0][0] if window else 0.0
    samples, days = len(window), _days_down(span)
    if end == 0:
        return Forecast(status="not-enough-history", days_to_full=None, samples=0, days=0.0, unit=unit,
                        summary="not enough history: no samples yet")
    latest = ordered[end - 1]
    taken = occupancy(latest)
    if taken is None or latest.usable is None:
        return Forecast(status="unknown", days_to_full=None, samples=samples, days=days, unit=unit,
                        summary="usage not read")
    if taken >= latest.usable:
        return Forecast(status="full", days_to_full=0.0, samples=samples, days=days, unit=unit, summary="full now")
    if span / _DAY < MIN_HISTORY_DAYS or samples < MIN_SAMPLES:
        return Forecast(
            status="not-enough-history", days_to_full=None, samples=samples, days=days, unit=unit,
            summary=f"not enough history: {_plural(days, 'day')}, {_plural(samples, 'sample')} "
                    f"(needs {MIN_HISTORY_DAYS:g} days and {MIN_SAMPLES} samples)",
        )
    width = window_days * _DAY / MAX_BUCKETS
    points = bucket_medians(window, window_start.timestamp(), width)
    slope = theil_sen_slope(points, min_gap=(points[-1][0] - points[0][0]) / 2)
    if slope is None or slope <= FLAT_SHARE_PER_DAY * latest.usable:
        trend = "shrinking" if slope is not None and slope < 0 else "flat"
        return Forecast(status="no-exhaustion", days_to_full=None, slope_per_day=slope, samples=samples, days=days,
                        unit=unit, summary=f"no exhaustion in sight ({trend}, {rate_text(slope or 0.0, unit)})")
    to_full = (latest.usable - taken) / slope
    if to_full > HORIZON_DAYS:
        return Forecast(status="no-exhaustion", days_to_full=None, slope_per_day=slope, samples=samples, days=days,
                        unit=unit, summary=f"no exhaustion in sight (over {HORIZON_DAYS:g} days at "
                                           f"{rate_text(slope, unit)})")
    return Forecast(status="forecast", days_to_full=round(to_full, 1), slope_per_day=slope, samples=samples,
                    days=days, unit=unit, summary=f"≈ {to_full:.1f} days to full at {rate_text(slope, unit)}")


def _plural(count: float, noun: str) -> str:
    return f"{count:g} {noun}" + ("" if count == 1 else "s")


def rate_text(slope: float, unit: str) -> str:
    """+3.5 IPs/day, +0.11 node slots/day, +12 IPs/day: two significant figures or one decimal."""
    size = abs(slope)
    figure = f"{slope:+.0f}" if size >= 10 else f"{slope:+.1f}" if size >= 1 else f"{slope:+.2f}"
    return f"{figure} {unit}/day"
