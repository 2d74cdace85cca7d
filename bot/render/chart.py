"""A capacity digest's chart: utilization over time of its worst series, the alert marks, and where each trend
meets 100 %. PNG bytes for Slack's file upload.

matplotlib with the Agg canvas and the `matplotlib.figure.Figure` API only: pyplot keeps every figure in a global
registry until closed, which leaks in a long-running server (matplotlib's own docs, "Embedding in a web
application server"). matplotlib is imported inside `render_chart`, never when this module is imported, so loading
the bot writes nothing to disk; on the first chart matplotlib writes its font cache to `MPLCONFIGDIR` (set it to a
writable directory, such as an emptyDir, on a read-only root filesystem), or to a temporary one if none is writable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from engine.digest.alerts import Thresholds
from engine.digest.build import pressure
from engine.digest.forecast import utilization
from engine.digest.history import Sample
from engine.digest.report import DigestReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_SERIES = 4
MAX_FORECAST_SHOWN_DAYS = 60.0
WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.0, 5.2, 110
COLOURS = ("#1f5fa8", "#7b3294", "#008080", "#8c564b")
WARNING_COLOUR, ERROR_COLOUR = "#e08a00", "#c62828"


@dataclass(frozen=True)
class ChartSeries:
    """One line of the chart: `points` are (instant, utilization 0–1), oldest first; `days_to_full` is the forecast
    from the last point (None when there is none)."""

    label: str
    points: Sequence[tuple[datetime, float]]
    days_to_full: float | None


def chart_series(report: DigestReport, history: Sequence[Sample], *, limit: int = MAX_SERIES) -> list[ChartSeries]:
    """The digest's `limit` most pressing series with a known fill, with their history (same order as the digest's
    ordering rule: level, then days to full, then utilization)."""
    ranked = []
    for cluster in report.clusters:
        candidates = [("subnet", s.id, s.name, s.status, s.utilization, s.days_to_full) for s in cluster.subnets]
        cidr = cluster.pods_cidr
        if cidr is not None:
            candidates.append(("podsCidr", cidr.cidr, f"pods CIDR {cidr.cidr}", cidr.status, cidr.utilization,
                               cidr.days_to_full))
        for kind, key, name, status, fill, days in candidates:
            if fill is not None:
                rank = pressure(status, fill, days, report.forecast_days)
                ranked.append((rank, cluster.name, (cluster.id, kind, key), f"{cluster.name} · {name}", days))
    ranked.sort(key=lambda item: (item[0], item[1]))
    chosen = ranked[:limit]
    wanted: dict[tuple[str, str, str], list[tuple[datetime, float]]] = {series: [] for _, _, series, _, _ in chosen}
    for sample in sorted(history, key=lambda s: s.at):
        points = wanted.get(sample.series)
        if points is not None:
            fill = utilization(sample)
            if fill is not None:
                points.append((sample.at, fill))
    return [ChartSeries(label=label, points=wanted[series], days_to_full=days)
            for _, _, series, label, days in chosen if wanted[series]]


def render_chart(
    series: Sequence[ChartSeries], *, thresholds: Thresholds, now: datetime, title: str = "Pod-network utilization"
) -> bytes:
    """A PNG (about 1100 × 570 pixels) of the series over time, 0–100 %, with the warning and error marks and each
    forecast drawn as a dashed line from the last point to 100 % (at most 60 days ahead). Deterministic: the same
    input gives the same bytes. An empty `series` gives a chart that says there is no history yet."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    start, end = _x_range(series, now)
    for index, line in enumerate(series):
        _plot_series(axes, line, COLOURS[index % len(COLOURS)], now)
    for mark, colour, word in ((thresholds.warning, WARNING_COLOUR, "warning"), (thresholds.error, ERROR_COLOUR,
                                                                                  "error")):
        axes.axhline(mark, color=colour, linewidth=1.2, linestyle=(0, (6, 3)), zorder=1)
        axes.annotate(f"{word} {mark:g}%", xy=(0.0, mark), xycoords=("axes fraction", "data"), xytext=(4, 2),
                      textcoords="offset points", ha="left", va="bottom", color=colour, fontsize=9)
    axes.axvline(now, color="#888888", linewidth=0.8, linestyle=":", zorder=1)  # type: ignore[arg-type]
    axes.annotate("now", xy=(now, 0), xytext=(3, 3), textcoords="offset points", color="#666666",
                  fontsize=8)
    axes.set_ylim(0, 105)
    axes.set_xlim(start, end)  # type: ignore[arg-type]
    axes.set_ylabel("taken (% of capacity)")
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:.0f}%")
    locator = AutoDateLocator(tz=UTC)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=UTC))  # type: ignore[no-untyped-call]
    axes.grid(True, color="#e6e6e6", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, loc="left", fontsize=13, fontweight="bold")
    axes.set_title("dashed: trend to 100 % (Theil–Sen) · times in UTC", loc="right", fontsize=8, color="#666666")
    if series:
        figure.legend(loc="outside lower center", ncols=2, fontsize=9, frameon=False)
    else:
        axes.text(0.5, 0.5, "no history yet", transform=axes.transAxes, ha="center", va="center", color="#666666")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _x_range(series: Sequence[ChartSeries], now: datetime) -> tuple[datetime, datetime]:
    firsts = [line.points[0][0] for line in series if line.points]
    start = min(firsts) if firsts else now - timedelta(days=14)
    ahead = [min(line.days_to_full, MAX_FORECAST_SHOWN_DAYS) for line in series if line.days_to_full is not None]
    span = now - start
    # Room past the furthest forecast for its "full ≈ date" label.
    end = now + max(timedelta(days=max(ahead, default=0)) + span * 0.08, span * 0.08)
    return start, end


def _plot_series(axes: Axes, line: ChartSeries, colour: str, now: datetime) -> None:
    times = [at for at, _ in line.points]
    values = [fill * 100 for _, fill in line.points]
    last_at, last = times[-1], values[-1]
    axes.plot(times, values, color=colour, linewidth=1.6, drawstyle="steps-post", zorder=3,  # type: ignore[arg-type]
              label=f"{line.label}: {last:.1f}%" + (f", full in ≈ {line.days_to_full:g} d"
                                                   if line.days_to_full is not None else ""))
    if line.days_to_full is None:
        return
    shown = min(line.days_to_full, MAX_FORECAST_SHOWN_DAYS)
    reach = last + (100 - last) * (shown / line.days_to_full if line.days_to_full else 1)
    until = last_at + timedelta(days=shown)
    axes.plot([last_at, until], [last, reach], color=colour, linewidth=1.6, linestyle=(0, (4, 3)),  # type: ignore[arg-type]
              zorder=3)
    if shown == line.days_to_full:
        axes.plot([until], [100], marker="o", markersize=6, color=colour, zorder=4)  # type: ignore[arg-type]
        # Right-aligned on the point: the furthest forecast sits near the right edge, where a centred label
        # would be cut off.
        axes.annotate(f"full ≈ {until:%d %b}", xy=(until, 100), xytext=(4, 6), textcoords="offset points",
                      ha="right", va="bottom", color=colour, fontsize=9, fontweight="bold")
    else:  # the trend reaches 100 % past the chart's edge: say when
        full = last_at + timedelta(days=line.days_to_full)
        axes.annotate(f"full ≈ {full:%d %b %Y} →", xy=(until, reach), xytext=(0, 6),
                      textcoords="offset points", ha="right", va="bottom", color=colour, fontsize=9,
                      fontweight="bold")
