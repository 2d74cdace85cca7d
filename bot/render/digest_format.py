"""Words and figures of a capacity digest, shared by the terminal and Slack renderers (no colour, no escaping).

Units follow the report (engine/digest/report.py): a subnet's delta is a fraction of its capacity, shown in
percentage points ("+1.6 pts"); a pods CIDR's delta is in node slots ("+1 slot"). Minus signs are U+2212.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from engine.digest.alerts import Level
from engine.digest.forecast import Forecast, rate_text
from engine.digest.headroom import headroom_text
from engine.digest.report import Change, DigestCluster, DigestReport

MINUS = "−"
ARROWS = {"worse": "▲", "better": "▼", "same": "="}
MAX_MISSED_NAMED = 3
MINUTE = timedelta(minutes=1)


def when(at: datetime, *, seconds: bool = False) -> str:
    """ "Thu 26 Nov 2026 09:00 UTC" ("09:00:10" with `seconds`)."""
    return at.strftime(f"%a %d %b %Y %H:%M{':%S' if seconds else ''} UTC")


def short_when(at: datetime, *, seconds: bool = False) -> str:
    """ "25 Nov 09:00" ("25 Nov 09:00:10" with `seconds`)."""
    return at.strftime(f"%d %b %H:%M{':%S' if seconds else ''}")


def to_the_second(instants: Sequence[datetime]) -> bool:
    """Whether these instants need seconds to be told apart: two of them less than a minute apart (a digest
    every 10 s, its runs, its next two occurrences)."""
    ordered = sorted(instants)
    return any(later - earlier < MINUTE for earlier, later in pairwise(ordered))


def percent(fraction: float | None) -> str:
    return "?" if fraction is None else f"{fraction:.1%}"


def signed(value: float, *, unit: str) -> str:
    """ "+1.6 pts", "−0.4 pts", "+1 slot"."""
    sign = "+" if value > 0 else MINUS if value < 0 else "±"
    figure = f"{abs(value):g}" if isinstance(value, int) else f"{abs(value):.1f}"
    return f"{sign}{figure} {unit}"


@dataclass(frozen=True)
class Delta:
    """A change since the last digest: arrow (▲ worse, ▼ better, = same), words, and which way it went."""

    arrow: str
    text: str
    change: Change


def subnet_delta(delta: float | None, change: Change | None) -> Delta | None:
    if delta is None or change is None:
        return None
    return Delta(ARROWS[change], "unchanged" if change == "same" else signed(delta * 100, unit="pts"), change)


def slots_delta(delta: int | None, change: Change | None) -> Delta | None:
    if delta is None or change is None:
        return None
    unit = "slot" if abs(delta) == 1 else "slots"
    return Delta(ARROWS[change], "unchanged" if change == "same" else signed(delta, unit=unit), change)


def forecast_text(forecast: Forecast) -> str:
    """What the forecast says, short: "≈ 26.7 days to full (+3.5 IPs/day)", "no exhaustion in sight", ..."""
    if forecast.status == "forecast":
        rate = "" if forecast.slope_per_day is None else f" ({rate_text(forecast.slope_per_day, forecast.unit)})"
        return f"≈ {forecast.days_to_full:g} days to full{rate}"
    if forecast.status == "full":
        return "full now"
    if forecast.status == "no-exhaustion":
        return "no exhaustion in sight"
    if forecast.status == "unknown":
        return "usage not read"
    return f"not enough history yet ({forecast.days:g} of 7 days)"


def basis_text(forecast: Forecast) -> str | None:
    """ "Theil–Sen, 14 days, 1,345 samples" for a forecast that rests on a fit; None otherwise."""
    if forecast.status != "forecast":
        return None
    return f"Theil–Sen, {forecast.days:g} days, {forecast.samples:,} samples"


@dataclass(frozen=True)
class SeriesLine:
    """One series of a cluster, in words: "pods subnet payments-native-pods: 416 of 509 IPs, 81.7% full"."""

    what: str
    name: str
    figures: str
    fill: str
    level: Level | None
    delta: Delta | None
    forecast: str
    basis: str | None
    room: str | None


def series_lines(cluster: DigestCluster) -> list[SeriesLine]:
    """The pods CIDR first, then pod subnets, then worker subnets, as the report has them."""
    lines = []
    cidr = cluster.pods_cidr
    if cidr is not None:
        used = "?" if cidr.node_slots_used is None else f"{cidr.node_slots_used:,}"
        free = None if cidr.node_slots_used is None else max(0, cidr.node_slots - cidr.node_slots_used)
        lines.append(SeriesLine(
            what="pods CIDR", name=cidr.cidr, figures=f"{used} of {cidr.node_slots:,} node slots",
            fill=percent(cidr.utilization), level=cidr.status, delta=slots_delta(cidr.delta, cidr.change),
            forecast=forecast_text(cidr.forecast), basis=basis_text(cidr.forecast),
            room=None if free is None else f"≈ {free:,} more node{'' if free == 1 else 's'} (any pool)",
        ))
    for subnet in sorted(cluster.subnets, key=lambda s: s.role != "pods"):
        # Without the IPs in use the figures count reservations alone: at least this full, at most this room.
        bound = "≥" if subnet.at_least else ""
        taken = "?" if subnet.taken_ips is None else f"{bound}{subnet.taken_ips:,}"
        fill = percent(subnet.utilization)
        lines.append(SeriesLine(
            what=f"{subnet.role} subnet", name=subnet.name, figures=f"{taken} of {subnet.usable_ips:,} IPs",
            fill=f"{bound}{fill}" if subnet.utilization is not None else fill, level=subnet.status,
            delta=subnet_delta(subnet.delta, subnet.change),
            forecast=forecast_text(subnet.forecast), basis=basis_text(subnet.forecast),
            room=headroom_text(subnet.headroom, at_most=subnet.at_least) if subnet.role == "pods" else None,
        ))
    return lines


def cluster_level(cluster: DigestCluster) -> Level | None:
    return cluster.worst.status if cluster.worst is not None else None


def cluster_title(cluster: DigestCluster) -> str:
    """ "payments-native (vcn-native, 13 nodes)"."""
    nodes = "? nodes" if cluster.nodes is None else f"{cluster.nodes:,} node{'' if cluster.nodes == 1 else 's'}"
    return f"{cluster.name} ({cluster.cni}, {nodes})"


def heartbeat(report: DigestReport) -> str:
    """The one line a digest says when nothing changed since the previous one, e.g.
    "No change since 26 Nov 03:00 UTC · worst of 4: retail-flannel 87.5%, ≈ 19 days"."""
    since = short_when(report.since) + " UTC" if report.since is not None else "the last digest"
    count = len(report.clusters)
    for cluster in report.clusters:
        worst = cluster.worst
        if worst is not None and worst.utilization is not None:
            days = f", ≈ {worst.days_to_full:.0f} days" if worst.days_to_full is not None else ""
            return f"No change since {since} · worst of {count}: {cluster.name} {percent(worst.utilization)}{days}"
    return f"No change since {since} · {count} cluster{'' if count == 1 else 's'}"


def missed_text(report: DigestReport) -> str | None:
    """The runs not posted since the previous digest, those that failed apart from those missed (no replica ran
    them in time): "1 run failed: 25 Nov 21:00 UTC; 2 scheduled runs were missed (25 Nov 09:00, 25 Nov 15:00
    UTC)". Times carry seconds when two of them are less than a minute apart. None when every run was posted."""
    failed = report.failed[-MAX_MISSED_NAMED:]
    failed_at = set(report.failed)
    missed = [m for m in report.missed if m not in failed_at][-MAX_MISSED_NAMED:]
    seconds = to_the_second([*failed, *missed])
    parts = []
    if report.failed_total:
        parts.append(_named(report.failed_total, failed, "run failed", "runs failed", seconds=seconds))
    missed_total = report.missed_total - report.failed_total
    if missed_total > 0:
        parts.append(_named(missed_total, missed, "scheduled run was missed", "scheduled runs were missed",
                            seconds=seconds))
    return "; ".join(parts) or None


def _named(total: int, instants: Sequence[datetime], one: str, many: str, *, seconds: bool) -> str:
    named = ", ".join(short_when(m, seconds=seconds) for m in instants)
    if total == 1:
        return f"1 {one}: {named} UTC"
    newest = "" if total <= len(instants) else "the newest "
    return f"{total:,} {many} ({newest}{named} UTC)"


def freshness(report: DigestReport) -> str:
    """ "Data read 09:00 UTC · changes since Wed 25 Nov 2026 09:00 UTC" (or "first digest")."""
    read = report.read_at.strftime("%H:%M UTC") if report.read_at.date() == report.generated_at.date() else when(
        report.read_at)
    since = f"changes since {when(report.since)}" if report.since is not None else "first digest: no changes to show"
    return f"Data read {read} · {since}"


def basis_footer(report: DigestReport) -> str:
    """How the forecast and statuses were made, and the history behind them."""
    marks = report.thresholds
    history = report.history
    first = f" since {short_when(history.first_at)} UTC" if history.first_at is not None else ""
    return (f"Warning from {marks.warning:g}%, error from {marks.error:g}%; days to full by Theil–Sen over the last "
            f"{history.window_days:g} days ({history.samples:,} samples{first}).")
