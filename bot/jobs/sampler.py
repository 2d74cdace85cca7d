"""One sampler pass: the shared read, its samples into the history, retention once a day, and threshold alerts
to the channels bound to each cluster (bindings from the config file and the store)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.jobs.alerts import alert_message, alert_slot, decide_alerts
from bot.jobs.context import JobContext
from bot.jobs.read import CapacityRead, read_capacity
from bot.jobs.work import offload
from bot.slack.access import current_policy
from engine.access import AccessPolicy, channel_sees
from engine.digest.alerts import Alert, Thresholds
from engine.digest.definition import DigestDefinition, JobRun, slot_for
from engine.digest.history import FULL_RESOLUTION_DAYS

SAMPLE_JOB = "sample"
RETENTION_JOB = "retention"


def alert_job(channel: str) -> str:
    """The job an alert post to `channel` is recorded under."""
    return f"alert:{channel}"


async def run_sampler(ctx: JobContext, run: JobRun) -> tuple[str, list[JobRun]]:
    """Sample every cluster once, prune once a day, decide alerts; what happened, and the alert posts claimed (the
    runner delivers each under its own audit entry)."""
    store = ctx.deps.store
    now = await store.database_now()
    read = await read_capacity(ctx.deps.reader, at=now)
    await store.record_samples(read.samples)
    pruned = await _retention(ctx, now)
    posts = await _alerts(ctx, read, now)
    await store.finish_run(run, owner=ctx.owner, state="done")
    parts = [f"{len(read.samples)} samples of {len(read.clusters)} clusters", f"{len(posts)} alerts"]
    if pruned is not None:
        parts.append(f"{pruned} old samples pruned")
    return "; ".join(parts), posts


async def _retention(ctx: JobContext, now: datetime) -> int | None:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    claimed = await ctx.deps.store.claim_slot(RETENTION_JOB, slot_for(day), scheduled_for=day, owner=ctx.owner,
                                              lease_seconds=ctx.settings.okebot_job_lease_seconds)
    if claimed is None:
        return None
    days = ctx.settings.okebot_history_retention_days
    pruned = await ctx.deps.store.prune_samples(keep_days=days, full_resolution_days=min(FULL_RESOLUTION_DAYS, days))
    await ctx.deps.store.finish_run(claimed, owner=ctx.owner, state="done")
    return pruned


def marks_for(channel: str, digests: list[DigestDefinition]) -> tuple[Thresholds, float]:
    """A channel's alert marks: those of its first digest, else the defaults (80 %, 95 %, 30 days)."""
    mine = next((d for d in digests if d.channel == channel), None)
    return (mine.thresholds, mine.forecast_days) if mine is not None else (Thresholds(), 30.0)


async def _alerts(ctx: JobContext, read: CapacityRead, now: datetime) -> list[JobRun]:
    store, settings = ctx.deps.store, ctx.settings
    policy: AccessPolicy = await current_policy(ctx.deps)
    if not policy.bindings:
        return []
    digests = await ctx.digests()
    window = settings.okebot_forecast_window_days
    history = await store.read_samples(since=now - timedelta(days=window))
    claimed: list[JobRun] = []
    for binding in policy.bindings:
        channel = binding.channel
        ids = {ref.id for ref in read.refs if channel_sees(policy, channel, ref)}
        if not ids:
            continue
        thresholds, forecast_days = marks_for(channel, digests)
        states = await store.alert_states(channel)
        new_states, alerts = await offload(decide_alerts, read, cluster_ids=ids, history=history, states=states,
                                           thresholds=thresholds, forecast_days=forecast_days, window_days=window,
                                           now=now)
        posts = [_post(channel, alert, read.read_at) for alert in alerts]
        claimed += await store.put_alert_states(channel, new_states, posts=posts, owner=ctx.owner,
                                                lease_seconds=settings.okebot_job_lease_seconds)
    return claimed


def _post(channel: str, alert: Alert, at: datetime) -> JobRun:
    message = alert_message(alert)
    return JobRun(job=alert_job(channel), slot=alert_slot(alert, at), state="claimed", scheduled_for=at,
                  channel=channel, message=json.dumps({"text": message.text, "blocks": message.blocks}))

