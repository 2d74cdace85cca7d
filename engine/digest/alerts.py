"""Threshold and forecast alerts with hysteresis: post once per crossing, never on every sample.

Rules (okebot's own; the marks follow GCP Network Analyzer's fixed 75 %/80 % insights and node-exporter's
"static mark AND trend" alerts, facts digests-and-deploy A1, A3 and A8.4):

- Levels: "warning" from `Thresholds.warning` percent (default 80), "error" from `Thresholds.error` (default 95).
- An alert fires when a series' utilization enters a level above the one already alerted (ok → warning,
  ok → error, warning → error).
- The alerted level re-arms (drops) only once utilization falls `HYSTERESIS_POINTS` (5) percentage points below
  that level's threshold: alerted at 80 %, it needs to fall under 75 % before a new crossing of 80 % alerts again.
  Falling from error to 92 % keeps "error" armed (no second error alert at 96 %); at 89 % it drops to "warning".
- A forecast alert fires once when days to full drop under `forecast_days` (default 30); it re-arms when the
  forecast says no exhaustion or at least `forecast_days + FORECAST_REARM_DAYS` (7) days. A forecast without
  enough history or with usage not read changes nothing.
- Utilization not read changes nothing: unknown is not "fell below".

The state (`AlertState`) is a small JSON value a store keeps per series and hands back on the next evaluation.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from engine.digest.forecast import Forecast
from engine.digest.history import SeriesKind
from engine.reports import Report

Level = Literal["ok", "warning", "error"]
LEVELS: tuple[Level, ...] = ("ok", "warning", "error")
HYSTERESIS_POINTS = 5.0
FORECAST_REARM_DAYS = 7.0

POD_SUBNET_REMEDY = (
    "Give the node pools a larger pod subnet, lower maxPodsPerNode so each node pre-allocates fewer pod IPs, "
    "or spread the pools over separate pod subnets."
)
PODS_CIDR_REMEDY = (
    "A pods CIDR cannot be changed after the cluster is created: keep the node count below its /25 node slots, "
    "or create a new cluster with a larger pods CIDR (a /14 holds 2,048 nodes) and move workloads to it."
)
WORKER_SUBNET_REMEDY = (
    "Give the node pools a larger worker subnet (each node takes one IP there), or move some pools to another "
    "worker subnet."
)
SUBNET_REMEDY = "Use a larger subnet, or move some of what uses it to another subnet."


class Thresholds(Report):
    """Alert marks in percent of capacity: warning from 80, error from 95 by default.

    ValidationError (naming the field) unless 0 < warning < error ≤ 100.
    """

    warning: float = Field(default=80.0, gt=0, le=100)
    error: float = Field(default=95.0, gt=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.warning >= self.error:
            raise ValueError(f"warning ({self.warning:g}) must be below error ({self.error:g})")
        return self

    def mark(self, level: Level) -> float:
        """The threshold of a level in percent (0 for "ok")."""
        return {"ok": 0.0, "warning": self.warning, "error": self.error}[level]


def level_for(utilization: float | None, thresholds: Thresholds) -> Level | None:
    """The level a utilization (0–1) is at; None when it was not read."""
    if utilization is None:
        return None
    percent = utilization * 100
    if percent >= thresholds.error:
        return "error"
    return "warning" if percent >= thresholds.warning else "ok"


class SeriesRef(Report):
    """Which series an alert is about. `role` is the subnet's main role ("pods", "workers", ...), None otherwise."""

    cluster_id: str
    cluster_name: str
    kind: SeriesKind
    key: str
    name: str
    role: str | None = None


class AlertState(Report):
    """What has been alerted for one series and not re-armed yet; persisted as JSON between evaluations.

    Fields:
        level: the highest level alerted and still armed ("ok" = nothing alerted).
        forecast: True while a days-to-full alert is armed.
    """

    level: Level = "ok"
    forecast: bool = False


class Alert(Report):
    """One message to post about one series.

    Fields:
        series: what it is about.
        level: "warning" or "error" (the worse of what crossed).
        crossed: what crossed, machine-readable: "warning", "error" and/or "forecast".
        utilization: current fill (0–1); days_to_full: the forecast when it has one.
        threshold: the threshold crossed in percent, None for a forecast-only alert.
        message: what crossed, with the figures; remedy: what to do; code: the finding code whose
            `okebot explain` gives the rule and its source (None for a subnet with no such rule).
    """

    series: SeriesRef
    level: Literal["warning", "error"]
    crossed: list[Literal["warning", "error", "forecast"]]
    utilization: float | None
    days_to_full: float | None
    threshold: float | None
    message: str
    remedy: str
    code: str | None


class AlertDecision(Report):
    """The alert to post now (or None) and the state to keep for the next evaluation."""

    alert: Alert | None
    state: AlertState


def remedy_for(series: SeriesRef) -> tuple[str, str | None]:
    """(remedy, finding code) for a series: pod subnet, flannel pods CIDR, worker subnet, or any other subnet."""
    if series.kind == "podsCidr":
        return PODS_CIDR_REMEDY, "PODS_CIDR_TOO_SMALL"
    if series.role == "pods":
        return POD_SUBNET_REMEDY, "POD_SUBNET_TOO_SMALL"
    if series.role == "workers":
        return WORKER_SUBNET_REMEDY, "WORKER_SUBNET_TOO_SMALL"
    return SUBNET_REMEDY, None


def _rearmed(level: Level, utilization: float, current: Level, thresholds: Thresholds) -> Level:
    percent = utilization * 100
    index = LEVELS.index(level)
    while index > LEVELS.index(current) and percent < thresholds.mark(LEVELS[index]) - HYSTERESIS_POINTS:
        index -= 1
    return LEVELS[index]


def evaluate_alert(
    series: SeriesRef,
    *,
    utilization: float | None,
    forecast: Forecast | None,
    previous: AlertState | None,
    thresholds: Thresholds | None = None,
    forecast_days: float = 30.0,
    taken: int | None = None,
    usable: int | None = None,
) -> AlertDecision:
    """Decide whether to alert about a series now, by the rules in the module docstring.

    Args:
        utilization: current fill, 0–1 (None = not read).
        forecast: the series' forecast, or None when there is none.
        previous: the state returned by the last evaluation (None = never evaluated = nothing armed).
        taken, usable: the figures behind the utilization, quoted in the message when given.
    """
    marks = thresholds or Thresholds()
    state = previous or AlertState()
    crossed: list[Literal["warning", "error", "forecast"]] = []
    level = state.level
    current = level_for(utilization, marks)
    if current is not None and utilization is not None:
        if LEVELS.index(current) > LEVELS.index(level):
            crossed.append("error" if current == "error" else "warning")
            level = current
        else:
            level = _rearmed(level, utilization, current, marks)
    days = forecast.days_to_full if forecast is not None and forecast.status in ("forecast", "full") else None
    forecast_armed = state.forecast
    if days is not None and days < forecast_days:
        if not forecast_armed:
            crossed.append("forecast")
        forecast_armed = True
    elif forecast is not None and (
        forecast.status == "no-exhaustion" or (days is not None and days >= forecast_days + FORECAST_REARM_DAYS)
    ):
        forecast_armed = False
    new_state = AlertState(level=level, forecast=forecast_armed)
    if not crossed:
        return AlertDecision(alert=None, state=new_state)
    return AlertDecision(
        alert=_alert(series, crossed, utilization, days, marks, forecast_days, taken, usable), state=new_state
    )


def _alert(
    series: SeriesRef,
    crossed: list[Literal["warning", "error", "forecast"]],
    utilization: float | None,
    days: float | None,
    marks: Thresholds,
    forecast_days: float,
    taken: int | None,
    usable: int | None,
) -> Alert:
    remedy, code = remedy_for(series)
    threshold = marks.error if "error" in crossed else marks.warning if "warning" in crossed else None
    what = _what(series)
    unit = "node slots" if series.kind == "podsCidr" else "IPs"
    parts = []
    if threshold is not None and utilization is not None:
        level_word = "error" if "error" in crossed else "warning"
        figures = f" ({taken:,} of {usable:,} {unit})" if taken is not None and usable is not None else ""
        parts.append(f"{what} is {utilization:.1%} full{figures}, past the {level_word} mark of {threshold:g}%")
    if "forecast" in crossed and days is not None:
        when = "is full now" if days == 0 else f"runs full in ≈ {days:.1f} days"
        lead = "at the current trend it" if parts else f"{what}, at the current trend,"
        parts.append(f"{lead} {when} (alert under {forecast_days:g} days)")
    level: Literal["warning", "error"] = "error" if "error" in crossed else "warning"
    return Alert(series=series, level=level, crossed=crossed, utilization=utilization, days_to_full=days,
                 threshold=threshold, message="; ".join(parts) + ".", remedy=remedy, code=code)


def _what(series: SeriesRef) -> str:
    if series.kind == "podsCidr":
        return f"The pods CIDR {series.name} of cluster {series.cluster_name}"
    role = f"{series.role} subnet" if series.role else "subnet"
    return f"The {role} {series.name} of cluster {series.cluster_name}"
