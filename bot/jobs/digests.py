"""A capacity digest end to end: the shared read, history, build, render, post with metadata, chart in the thread.

`make_digest` and `digest_message` serve `okebot digest`, `/oke digest preview` and the scheduled runs alike;
`run_occurrence` is one scheduled (or `/oke digest run`) occurrence, claimed by the runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.jobs.context import JobContext
from bot.jobs.read import CapacityRead, read_capacity
from bot.jobs.work import offload
from bot.render.chart import chart_series, render_chart
from bot.slack.access import current_policy
from bot.slack.render.digest_blocks import digest_blocks, digest_fallback_text
from bot.slack.render.messages import Message
from bot.work import WorkService
from engine.digest.alerts import Thresholds
from engine.digest.build import build_digest
from engine.digest.definition import DigestDefinition, JobRun
from engine.digest.forecast import occupancy, utilization
from engine.digest.history import Sample
from engine.digest.report import ClusterSnapshot, DigestReport, DigestSnapshot, SeriesFigure

EVENT_TYPE = "okebot_digest"
HEARTBEAT_EVERY = timedelta(days=7)
CHART_FILE = "okebot-digest.png"


async def make_digest(
    read: CapacityRead, *, history: Sequence[Sample], previous: DigestSnapshot | None, now: datetime,
    thresholds: Thresholds, forecast_days: float, window_days: float, missed: Sequence[datetime] = (),
    missed_total: int | None = None, failed: Sequence[datetime] = (), failed_total: int | None = None,
    with_findings: bool = True, work: WorkService | None = None,
) -> DigestReport:
    """The digest of one read (engine.digest.build_digest, off the event loop: in `work` when given). With
    `with_findings=False` the finding changes are unknown (null), for a digest compared with history rather
    than with a posted digest."""
    return await offload(
        work, build_digest, clusters=read.clusters, findings=read.findings if with_findings else {},
        pending_cni_nodes=read.pending, history=history, previous=previous, source=read.source,
        read_at=read.read_at, now=now, thresholds=thresholds, forecast_days=forecast_days, window_days=window_days,
        missed=missed, missed_total=missed_total, failed=failed, failed_total=failed_total, covers=read.covers,
    )


def render_message(report: DigestReport) -> Message:
    """The Slack message of a digest: Block Kit within Slack's limits and the notification fallback text."""
    return Message(text=digest_fallback_text(report), blocks=digest_blocks(report))


async def digest_message(report: DigestReport, *, work: WorkService | None = None) -> Message:
    """`render_message` off the event loop (in `work` when given)."""
    return await offload(work, render_message, report)


def chart_png(report: DigestReport, history: Sequence[Sample]) -> bytes:
    """The digest's chart as PNG bytes: its most pressing series over the history, marks and trends."""
    return render_chart(chart_series(report, history), thresholds=report.thresholds, now=report.generated_at)


def snapshot_from_history(history: Sequence[Sample], at: datetime) -> DigestSnapshot | None:
    """What a digest at `at` would have remembered, rebuilt from the history: each series' latest figures at or
    before `at` (findings unknown). None when the history has nothing that old."""
    latest: dict[tuple[str, str, str], Sample] = {}
    for sample in history:
        if sample.kind != "nodePool" and sample.at <= at:
            seen = latest.get(sample.series)
            if seen is None or sample.at > seen.at:
                latest[sample.series] = sample
    if not latest:
        return None
    clusters: dict[str, ClusterSnapshot] = {}
    for sample in latest.values():
        figure = SeriesFigure(kind=sample.kind, key=sample.key, name=sample.name, usable=sample.usable,
                              taken=occupancy(sample), utilization=utilization(sample))
        entry = clusters.get(sample.cluster_id)
        series = [*(entry.series if entry else []), figure]
        clusters[sample.cluster_id] = ClusterSnapshot(id=sample.cluster_id, name=sample.cluster_name, series=series,
                                                      findings=None, pending_cni_nodes=None)
    when = max(s.at for s in latest.values())
    return DigestSnapshot(generated_at=when, source="history", clusters=list(clusters.values()))


async def run_occurrence(ctx: JobContext, run: JobRun, digest: DigestDefinition) -> str:
    """Make and post one occurrence of `digest` (claimed by this replica); what happened, for the audit trail.
    In on-change mode an unchanged digest is skipped, unless the run was asked for (`run.requested`).

    Raises what the read or the post raises (the runner's audited tail records it and the run as failed).
    """
    store, settings = ctx.deps.store, ctx.settings
    if run.state == "posting":  # taken over from a replica that died while posting
        ts = await ctx.poster.resume(run, event_type=EVENT_TYPE)
        return f"resumed; posted as {ts}" if ts else "resumed; another replica holds it"
    now = await store.database_now()
    if run.attempts > 1 and now - run.scheduled_for > settings.grace:  # its replica died long ago
        await store.finish_run(run, owner=ctx.owner, state="missed", error="taken over after the grace period")
        return "missed: taken over after the grace period"
    policy = await current_policy(ctx.deps)
    read = await read_capacity(ctx.deps.reader, at=now, policy=policy, channel=digest.channel,
                               clusters=digest.clusters, compartments=digest.compartments, work=ctx.deps.work)
    await store.record_samples(read.samples)
    posted = await store.last_run(digest.job, states=("posted",))
    previous = DigestSnapshot.model_validate_json(posted.snapshot) if posted and posted.snapshot else None
    missed, missed_total = await store.missed_since(digest.job, posted.scheduled_for if posted else None)
    failed, failed_total = await store.failed_since(digest.job, posted.scheduled_for if posted else None)
    window = settings.okebot_forecast_window_days
    history = await store.read_samples(since=now - timedelta(days=window), cluster_ids=[c.id for c in read.clusters])
    report = await make_digest(read, history=history, previous=previous, now=now, thresholds=digest.thresholds,
                               forecast_days=digest.forecast_days, window_days=window, missed=missed,
                               missed_total=missed_total, failed=failed, failed_total=failed_total,
                               work=ctx.deps.work)
    # A run someone asked for is a person wanting to see the digest: posted whatever the mode.
    if digest.mode == "on-change" and not run.requested and report.unchanged and posted is not None and \
            now - posted.scheduled_for < HEARTBEAT_EVERY:
        await store.finish_run(run, owner=ctx.owner, state="skipped")
        ctx.deps.metrics.digest_finished("skipped")
        return "skipped: nothing changed (on-change)"
    message = await digest_message(report, work=ctx.deps.work)
    snapshot = report.snapshot.model_dump_json(by_alias=True) if report.snapshot is not None else None
    ts = await ctx.poster.deliver(run, message, event_type=EVENT_TYPE, snapshot=snapshot)
    if ts is None:
        return "taken over by another replica"
    ctx.deps.metrics.digest_finished("posted", at=now)
    if digest.chart:
        await _upload_chart(ctx, run, report, history, ts)
    return f"posted as {ts}"


async def _upload_chart(ctx: JobContext, run: JobRun, report: DigestReport, history: Sequence[Sample],
                        ts: str) -> None:
    """The chart into the digest's thread; a failure is logged, since the digest itself is out."""
    try:
        png = await offload(ctx.deps.work, chart_png, report, history)
        await ctx.client.files_upload_v2(channel=run.channel, thread_ts=ts, content=png, filename=CHART_FILE,
                                         title="Pod-network utilization")
    except Exception:
        ctx.deps.logger.warning("could not upload the chart of %s into its thread", run.key, exc_info=True)
