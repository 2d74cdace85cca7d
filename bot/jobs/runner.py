"""The job runner: one per `okebot serve` replica, started and stopped with it.

Every tick (OKEBOT_SCHEDULER_TICK_SECONDS) a replica:
1. reads when the newest digest was posted, by any replica, into okebot_digest_last_success_timestamp_seconds
   (`okebot serve` reads it once at start-up too, so neither a restart nor another replica's post leaves it at 0);
2. takes over runs whose lease expired (their replica died) and finishes them, then claims the runs people asked
   for (`/oke digest run`, queued in the store) and posts them;
3. plans each digest at the database's clock and claims its due occurrence, if no replica has
   (DigestStore.claim_scheduled: missed occurrences are recorded, one catch-up within the grace, no backlog);
4. runs the sampler when its interval's slot is unclaimed (OKEBOT_SAMPLE_INTERVAL_SECONDS; 0 = off), and posts the
   alerts it decides.

Each job runs inside bot.slack.pipeline.audited, like a slash command: user "okebot", command "job:digest",
"job:sample" or "job:alert"; a failure is logged with an error id, recorded in the audit trail and on the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.schedule.cron import parse_schedule
from bot.jobs import alerts, digests, sampler
from bot.jobs.context import BOT_USER, JobContext
from bot.jobs.delivery import DeliveryFailed, Poster, refusal_fix
from bot.jobs.settings import JobSettings
from bot.slack.deps import Deps
from bot.slack.pipeline import audited
from bot.slack.render.messages import Message
from engine.digest.definition import DIGEST_JOB_PREFIX, DigestDefinition, JobRun, slot_for
from engine.digest.schedule import EPOCH
from engine.errors import InputError, SourceError

STOP_WAIT_SECONDS = 30.0


def replica_id() -> str:
    """This process's name in claims and leases: host, pid and a random part (a restarted pod is a new owner)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class JobRunner:
    """Runs the scheduled jobs of one replica until `stop()`."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking in the background (keep the runner: it holds the task)."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="okebot-jobs")

    async def stop(self, *, wait: float = STOP_WAIT_SECONDS) -> None:
        """Stop ticking; let the job in hand finish for up to `wait` seconds, then cancel it. A run cut short keeps
        its claim until its lease expires, and another replica finishes it."""
        self._stop.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=wait)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        tick = self.ctx.settings.okebot_scheduler_tick_seconds
        while not self._stop.is_set():
            try:
                await self.tick()
            except Exception:  # the store or Slack is down: log it and try again next tick
                self.ctx.deps.logger.exception("the job runner's tick failed; trying again in %g s", tick)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=tick)

    async def load_last_digest_success(self) -> None:
        """Set okebot_digest_last_success_timestamp_seconds from the store: when the newest digest was posted, by
        any replica, before or since this one started (one query). A store that cannot answer is logged, and the
        next tick asks again."""
        try:
            posted = await self.ctx.deps.store.last_posted_at(DIGEST_JOB_PREFIX)
        except SourceError as error:
            self.ctx.deps.logger.warning("could not read when a digest was last posted: %s", error.message)
            return
        self.ctx.deps.metrics.digest_posted_at(posted)

    async def tick(self) -> None:
        """One pass: the last digest posted (for the metric), expired leases, due digests, the sampler."""
        ctx, settings = self.ctx, self.ctx.settings
        store = ctx.deps.store
        ctx.deps.metrics.digest_posted_at(await store.last_posted_at(DIGEST_JOB_PREFIX))
        by_name = {d.name: d for d in await ctx.digests()}
        for run in await store.claim_expired(owner=ctx.owner, lease_seconds=settings.okebot_job_lease_seconds):
            await self._resume(run, by_name)
        for run in await store.claim_queued(owner=ctx.owner, lease_seconds=settings.okebot_job_lease_seconds):
            await self._run_requested(run, by_name)
        for digest in by_name.values():
            if self._stop.is_set():
                return
            if digest.paused:
                continue
            try:
                schedule = parse_schedule(digest.schedule, digest.timezone)
            except InputError as error:  # a stored digest from an older okebot, or a zone tzdata dropped
                ctx.deps.logger.warning("digest %s cannot run: %s", digest.name, error.message)
                continue
            claim = await store.claim_scheduled(digest.job, schedule, grace=settings.grace, owner=ctx.owner,
                                                lease_seconds=settings.okebot_job_lease_seconds,
                                                channel=digest.channel)
            if claim.missed_total:
                ctx.deps.metrics.digests_missed(claim.missed_total)
                ctx.deps.logger.warning("digest %s missed occurrences while no replica ran: %d (last %s)",
                                        digest.name, claim.missed_total, claim.missed[-1].isoformat())
            if claim.run is not None:
                await self.run_digest(claim.run, digest)
        await self._maybe_sample()

    async def run_digest(self, run: JobRun, digest: DigestDefinition) -> None:
        """One digest occurrence under the audited tail."""
        failed = await self._audited(run, "job:digest", f"{digest.name} {run.slot}",
                                     lambda: digests.run_occurrence(self.ctx, run, digest))
        if failed:
            self.ctx.deps.metrics.digest_finished("failed")

    async def _maybe_sample(self) -> None:
        ctx, settings = self.ctx, self.ctx.settings
        interval = settings.okebot_sample_interval_seconds
        if interval == 0 or self._stop.is_set():
            return
        now = await ctx.deps.store.database_now()
        period = timedelta(seconds=interval)
        slot_start = EPOCH + ((now - EPOCH) // period) * period
        run = await ctx.deps.store.claim_slot(sampler.SAMPLE_JOB, slot_for(slot_start), scheduled_for=slot_start,
                                              owner=ctx.owner, lease_seconds=settings.okebot_job_lease_seconds)
        if run is not None:
            await self._sample(run)

    async def _sample(self, run: JobRun) -> None:
        posts: list[JobRun] = []

        async def work() -> str:
            summary, claimed = await sampler.run_sampler(self.ctx, run)
            posts.extend(claimed)
            return summary

        await self._audited(run, "job:sample", run.slot, work)
        for post in posts:
            await self._alert(post)

    async def _alert(self, run: JobRun) -> None:
        async def work() -> str:
            if run.state == "posting":
                ts = await self.ctx.poster.resume(run, event_type=alerts.EVENT_TYPE)
            else:
                stored = json.loads(run.message or "{}")
                message = Message(text=str(stored.get("text") or ""), blocks=list(stored.get("blocks") or []))
                ts = await self.ctx.poster.deliver(run, message, event_type=alerts.EVENT_TYPE)
            if ts:
                self.ctx.deps.metrics.alert_sent()
            return f"posted as {ts}" if ts else "taken over by another replica"

        await self._audited(run, "job:alert", run.slot, work)

    async def _run_requested(self, run: JobRun, by_name: dict[str, DigestDefinition]) -> None:
        """A run someone asked for, claimed from the queue: its first attempt, whatever the digest's mode."""
        ctx = self.ctx
        ctx.deps.logger.info("running %s, asked for with /oke digest run", run.key)
        digest = by_name.get(run.job.removeprefix(DIGEST_JOB_PREFIX)) if run.job.startswith(DIGEST_JOB_PREFIX) \
            else None
        if digest is None:
            await ctx.deps.store.finish_run(run, owner=ctx.owner, state="missed", error="the digest was removed")
            return
        await self.run_digest(run, digest)

    async def _resume(self, run: JobRun, by_name: dict[str, DigestDefinition]) -> None:
        ctx = self.ctx
        ctx.deps.logger.info("taking over %s (%s, attempt %d) from a replica whose lease expired", run.key, run.state,
                             run.attempts)
        if run.job.startswith(DIGEST_JOB_PREFIX):
            digest = by_name.get(run.job.removeprefix(DIGEST_JOB_PREFIX))
            if digest is None and run.state != "posting":
                await ctx.deps.store.finish_run(run, owner=ctx.owner, state="missed", error="the digest was removed")
                return
            if digest is None:
                await self._audited(run, "job:digest", run.slot,
                                    lambda: _resumed(ctx.poster.resume(run, event_type=digests.EVENT_TYPE)))
                return
            await self.run_digest(run, digest)
        elif run.job.startswith("alert:"):
            await self._alert(run)
        elif run.job == sampler.SAMPLE_JOB:
            await self._sample(run)
        else:  # retention, or a job this version does not know: nothing to post, so nothing to repeat
            await ctx.deps.store.finish_run(run, owner=ctx.owner, state="done")

    async def _audited(self, run: JobRun, command: str, arguments: str, work: Callable[[], Awaitable[str]]) -> bool:
        """Run `work` as one audited interaction; a failure marks the run failed with what went wrong (True).

        Slack refusing the post (not_in_channel, channel_not_found, is_archived, missing_scope, …) is an
        operator's problem with a fix, not a bug: one warning names the job, the channel, Slack's error and the
        fix, without a traceback or an error id. Anything else is logged with an error id (audited).
        """
        ctx = self.ctx
        failure: list[str] = []

        async def record(message: Message) -> None:
            failure.append(message.text)

        async with audited(ctx.deps, user=BOT_USER, channel=run.channel or "-", command=command,
                           arguments=arguments, send=record) as audit:
            try:
                audit.arguments = f"{arguments}: {await work()}"
            except (DeliveryFailed, SlackApiError) as refused:
                error = refused.error if isinstance(refused, DeliveryFailed) else _slack_error(refused)
                channel = run.channel or "-"
                ctx.deps.logger.warning("%s was not posted to channel %s: Slack said %s; %s", _what(run), channel,
                                        error, refusal_fix(error, channel=channel))
                audit.arguments = f"{arguments}: not posted: Slack said {error}"
                audit.outcome = "error"
                failure.append(error)
        if audit.outcome == "ok":
            return False
        error = f"error id {audit.error_id}" if audit.error_id else (failure[0] if failure else audit.outcome)
        await ctx.deps.store.finish_run(run, owner=ctx.owner, state="failed", error=error)
        return True


def _what(run: JobRun) -> str:
    """The job a run belongs to, for a log line: "digest payments-daily", "a capacity alert", "job retention"."""
    if run.job.startswith(DIGEST_JOB_PREFIX):
        return f"digest {run.job.removeprefix(DIGEST_JOB_PREFIX)} ({run.slot})"
    if run.job.startswith("alert:"):
        return f"a capacity alert ({run.slot})"
    return f"job {run.job} ({run.slot})"


def _slack_error(error: SlackApiError) -> str:
    return str(error.response.get("error") or f"http_{error.response.status_code}")


async def _resumed(posting: Awaitable[str | None]) -> str:
    ts = await posting
    return f"resumed; posted as {ts}" if ts else "resumed; another replica holds it"



def build_runner(
    deps: Deps, *, client: AsyncWebClient, settings: JobSettings, config_digests: tuple[DigestDefinition, ...] = (),
    owner: str | None = None,
) -> JobRunner:
    """A runner for this replica (not started)."""
    name = owner or replica_id()
    poster = Poster(client=client, store=deps.store, owner=name, lease_seconds=settings.okebot_job_lease_seconds,
                    attempts=settings.okebot_slack_post_attempts, retry_seconds=settings.okebot_slack_retry_seconds,
                    logger=deps.logger)
    return JobRunner(JobContext(deps=deps, client=client, settings=settings, poster=poster, owner=name,
                                config_digests=config_digests))

