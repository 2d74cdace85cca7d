"""Scheduled capacity digests, the pure core: history, forecast, schedule maths, alerts and the digest itself.

stdlib and pydantic only; no clock (every function takes `now`), no I/O. The store, the scheduler runner and the
Slack posting build on these.

    history.py   Sample, samples_from_capacity, retained / to_delete (retention)
    forecast.py  occupancy, utilization, forecast_series → Forecast (Theil–Sen days to full)
    headroom.py  "≈ N more nodes of pool X"
    schedule.py  Schedule port, IntervalSchedule, parse_interval, plan_run → RunPlan (missed-run policy)
    alerts.py    Thresholds, evaluate_alert → AlertDecision (hysteresis)
    report.py    DigestReport (public JSON contract), DigestSnapshot
    build.py     build_digest
"""

from engine.digest.alerts import Alert, AlertDecision, AlertState, SeriesRef, Thresholds, evaluate_alert, level_for
from engine.digest.build import build_digest
from engine.digest.forecast import Forecast, forecast_series, occupancy, utilization
from engine.digest.headroom import headroom_text, more_nodes, pods_cidr_headroom_text
from engine.digest.history import Sample, retained, samples_from_capacity, to_delete
from engine.digest.report import DigestCluster, DigestReport, DigestSnapshot
from engine.digest.schedule import IntervalSchedule, RunPlan, Schedule, parse_interval, plan_run

__all__ = [
    "Alert",
    "AlertDecision",
    "AlertState",
    "DigestCluster",
    "DigestReport",
    "DigestSnapshot",
    "Forecast",
    "IntervalSchedule",
    "RunPlan",
    "Sample",
    "Schedule",
    "SeriesRef",
    "Thresholds",
    "build_digest",
    "evaluate_alert",
    "forecast_series",
    "headroom_text",
    "level_for",
    "more_nodes",
    "occupancy",
    "parse_interval",
    "plan_run",
    "pods_cidr_headroom_text",
    "retained",
    "samples_from_capacity",
    "to_delete",
    "utilization",
]
