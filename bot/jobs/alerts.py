"""Threshold and forecast alerts: which series of a channel's clusters crossed a mark since the last sample, and
the message that says what crossed, the figures and the fix.

The rules (once per crossing, re-armed below the mark) are engine.digest.alerts.evaluate_alert's; this module
feeds it the sampler's read and the history, and renders what it decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.jobs.read import CapacityRead
from bot.slack.escape import code, escape
from bot.slack.render.kit import context, header, section
from bot.slack.render.messages import Message
from engine.digest.alerts import Alert, AlertState, SeriesRef, Thresholds, evaluate_alert
from engine.digest.forecast import forecast_series, occupancy, utilization
from engine.digest.history import SAMPLED_ROLES, Sample, SeriesKey

EVENT_TYPE = "okebot_alert"
LEVEL_ICON = {"warning": ":warning:", "error": ":red_circle:"}


def decide_alerts(
    read: CapacityRead, *, cluster_ids: set[str], history: Sequence[Sample], states: Mapping[SeriesKey, AlertState],
    thresholds: Thresholds, forecast_days: float, window_days: float, now: datetime,
) -> tuple[dict[SeriesKey, AlertState], list[Alert]]:
    """The new alert state of every pod/worker subnet and pods CIDR of these clusters, and the alerts to post.

    `history` may hold any series; this read's samples join it. Pure and CPU-bound (run it off the loop).
    """
    current = {s.series: s for s in read.samples if s.kind != "nodePool" and s.cluster_id in cluster_ids}
    grouped: dict[SeriesKey, list[Sample]] = {key: [] for key in current}
    for sample in history:
        group = grouped.get(sample.series)
        if group is not None and sample.at < read.read_at:
            group.append(sample)
    roles = {(c.id, s.id): s.role for c in read.clusters for s in c.subnets if not SAMPLED_ROLES.isdisjoint(s.roles)}
    new_states: dict[SeriesKey, AlertState] = {}
    alerts: list[Alert] = []
    for key, sample in current.items():
        forecast = forecast_series([*grouped[key], sample], now=now, window_days=window_days)
        ref = SeriesRef(cluster_id=sample.cluster_id, cluster_name=sample.cluster_name, kind=sample.kind,
                        key=sample.key, name=sample.name, role=roles.get((sample.cluster_id, sample.key)))
        decision = evaluate_alert(ref, utilization=utilization(sample), forecast=forecast, previous=states.get(key),
                                  thresholds=thresholds, forecast_days=forecast_days, taken=occupancy(sample),
                                  usable=sample.usable)
        new_states[key] = decision.state
        if decision.alert is not None:
            alerts.append(decision.alert)
    return new_states, alerts


def alert_slot(alert: Alert, at: datetime) -> str:
    """The unique slot of one alert post: the series, what crossed and the sample it crossed at."""
    series = alert.series
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{series.cluster_id}/{series.kind}/{series.key}/{'+'.join(alert.crossed)}@{stamp}"


def alert_message(alert: Alert) -> Message:
    """The alert post: what crossed with its figures, the fix, and where to read more."""
    icon = LEVEL_ICON[alert.level]
    title = f"Capacity {alert.level}: {alert.series.cluster_name}"
    lines = [f"{icon} {escape(alert.message)}", f"_What to do:_ {escape(alert.remedy)}"]
    more = [f"`/oke capacity {escape(alert.series.cluster_name)}` shows the cluster's figures"]
    if alert.code is not None:
        more.append(f"`okebot explain {alert.code}` gives the rule and its source")
    note = "; ".join(more) + f" · series {code(alert.series.name)}"
    blocks = [header(title), section("\n".join(lines)), context(note)]
    return Message(text=escape(f"{title}. {alert.message}")[:300], blocks=blocks)
