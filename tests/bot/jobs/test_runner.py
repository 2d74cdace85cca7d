"""The job runner end to end, one tick at a time: digests posted once with their occurrence in Slack's metadata,
the chart in the thread, takeovers that never post twice, refusals retried then recorded, on-change quiet."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from bot.jobs.digests import EVENT_TYPE
from engine.digest.definition import DIGEST_JOB_PREFIX, requested_slot
from engine.ports import StateStore
from tests.bot.jobs.conftest import CHANNEL, Jobs, every_10s, make_jobs, settings


async def due_now(store: StateStore, job: str) -> None:
    """Start counting a job's occurrences 15 s ago, so an every-10s occurrence is due now."""
    await store.start_schedule(job, since=await store.database_now() - timedelta(seconds=15))


async def test_a_due_digest_is_posted_once_with_its_occurrence_and_its_chart_in_the_thread(
    fake: FakeSlackApi, store: StateStore
):
    jobs = await make_jobs(fake, store, digest=every_10s())
    await due_now(store, jobs.digest.job)
    await jobs.runner.tick()
    await jobs.runner.tick()
    (post,) = jobs.posts()
    (run,) = [r for r in await store.list_runs(jobs.digest.job) if r.state == "posted"]
    assert post["channel"] == CHANNEL
    assert post["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"occurrence": run.key}}
    assert "payments-native" in json.dumps(post["blocks"])
    (chart,) = [u for u in fake.uploads.values() if u.completed]
    assert (chart.channel_id, chart.thread_ts, chart.filename) == (CHANNEL, run.message_ts, "okebot-digest.png")
    assert chart.content is not None
    assert chart.content.startswith(b"\x89PNG")
    (entry,) = await store.list_audit()
    assert (entry.user, entry.command, entry.outcome, entry.channel) == ("okebot", "job:digest", "ok", CHANNEL)
    assert await store.read_samples(), "a digest run records the samples of its read"


async def test_a_replica_killed_after_slack_accepted_the_post_does_not_cause_a_second_post(
    fake: FakeSlackApi, store: StateStore
):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False))
    now = await store.database_now()
    run = await store.claim_slot(jobs.digest.job, "2026-01-01T00:00:00Z", scheduled_for=now, owner="dead",
                                 lease_seconds=-1.0, channel=CHANNEL)  # its lease ran out a second ago
    assert run is not None
    assert await store.mark_posting(run, owner="dead", message='{"text": "x", "blocks": []}', snapshot=None,
                                    lease_seconds=-1.0)
    fake.post(CHANNEL, "x", metadata={"event_type": EVENT_TYPE, "event_payload": {"occurrence": run.key}})
    await jobs.runner.tick()
    assert jobs.posts() == []
    (done,) = await store.list_runs(jobs.digest.job)
    assert (done.state, done.owner, done.message_ts) == ("posted", "replica-a", fake.messages_in(CHANNEL)[0].ts)
    assert fake.calls_to("conversations.history")[0].body["include_all_metadata"] in ("1", "true", True)


async def test_a_replica_killed_before_posting_is_finished_by_another_exactly_once(
    fake: FakeSlackApi, store: StateStore
):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False))
    now = await store.database_now()
    run = await store.claim_slot(jobs.digest.job, "2026-01-01T00:00:00Z", scheduled_for=now, owner="dead",
                                 lease_seconds=-1.0, channel=CHANNEL)  # its lease ran out a second ago
    assert run is not None
    await jobs.runner.tick()
    await jobs.runner.tick()
    keys = [json.dumps(p["metadata"]) for p in jobs.posts()]
    assert sum(run.key in k for k in keys) == 1
    (done,) = [r for r in await store.list_runs(jobs.digest.job) if r.key == run.key]
    assert (done.state, done.attempts) == ("posted", 2)


async def test_a_refused_post_is_retried_then_recorded_as_failed_and_named_as_failed_in_the_next_digest(
    fake: FakeSlackApi, store: StateStore
):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False), job_settings=settings(
        okebot_slack_post_attempts=3))
    fake.fail("chat.postMessage", "channel_not_found", times=3)
    now = await store.database_now()
    first = await store.claim_slot(jobs.digest.job, "a", scheduled_for=now - timedelta(minutes=5), owner="replica-a",
                                   lease_seconds=60, channel=CHANNEL)
    assert first is not None
    await jobs.runner.run_digest(first, jobs.digest)
    assert len(fake.calls_to("chat.postMessage")) == 3
    (failed,) = await store.list_runs(jobs.digest.job)
    assert (failed.state, failed.error) == ("failed", "channel_not_found")
    (entry,) = await store.list_audit()
    assert (entry.outcome, entry.command) == ("error", "job:digest")
    second = await store.claim_slot(jobs.digest.job, "b", scheduled_for=now, owner="replica-a", lease_seconds=60,
                                    channel=CHANNEL)
    assert second is not None
    await jobs.runner.run_digest(second, jobs.digest)
    posted = fake.messages_in(CHANNEL)[-1]
    assert posted.metadata == {"event_type": EVENT_TYPE, "event_payload": {"occurrence": second.key}}
    assert "1 run failed" in json.dumps(posted.blocks)
    assert "missed" not in json.dumps(posted.blocks)
    assert failed.scheduled_for.strftime("%H:%M") in json.dumps(posted.blocks)


async def test_on_change_mode_posts_nothing_when_nothing_changed(fake: FakeSlackApi, store: StateStore):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False, mode="on-change"))
    now = await store.database_now()
    for slot, back in (("a", 20), ("b", 10)):
        run = await store.claim_slot(jobs.digest.job, slot, scheduled_for=now - timedelta(seconds=back),
                                     owner="replica-a", lease_seconds=60, channel=CHANNEL)
        assert run is not None
        await jobs.runner.run_digest(run, jobs.digest)
    assert len(jobs.posts()) == 1
    assert [r.state for r in await store.list_runs(jobs.digest.job)] == ["skipped", "posted"]


async def test_a_digest_that_cannot_run_is_logged_and_the_others_still_run(
    fake: FakeSlackApi, store: StateStore, caplog
):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False))
    await store.put_digest(every_10s(name="broken", schedule="every 1h", timezone="Mars/Olympus", origin="slack"))
    await due_now(store, jobs.digest.job)
    await jobs.runner.tick()
    assert len(jobs.posts()) == 1
    assert "digest broken cannot run: timezone: unknown time zone 'Mars/Olympus'" in caplog.text


async def test_a_requested_run_of_an_on_change_digest_posts_even_when_nothing_changed(
    fake: FakeSlackApi, store: StateStore
):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False, mode="on-change"))
    now = await store.database_now()
    first = await store.claim_slot(jobs.digest.job, "a", scheduled_for=now - timedelta(seconds=10),
                                   owner="replica-a", lease_seconds=60, channel=CHANNEL)
    assert first is not None
    await jobs.runner.run_digest(first, jobs.digest)
    asked = await store.queue_run(jobs.digest.job, requested_slot(now), scheduled_for=now, channel=CHANNEL)
    assert asked is not None
    await jobs.runner.tick()
    assert len(jobs.posts()) == 2
    assert jobs.posts()[-1]["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"occurrence": asked.key}}
    (done,) = [r for r in await store.list_runs(jobs.digest.job) if r.key == asked.key]
    assert (done.state, done.owner) == ("posted", "replica-a")


async def test_a_requested_run_on_one_replica_is_its_first_attempt_not_a_takeover(
    fake: FakeSlackApi, store: StateStore, caplog
):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False))
    now = await store.database_now()
    asked = await store.queue_run(jobs.digest.job, requested_slot(now), scheduled_for=now, channel=CHANNEL)
    assert asked is not None
    with caplog.at_level(logging.INFO, logger="okebot.test.jobs"):
        await jobs.runner.tick()
    (done,) = [r for r in await store.list_runs(jobs.digest.job) if r.key == asked.key]
    assert (done.state, done.attempts) == ("posted", 1)
    assert "taking over" not in caplog.text
    assert f"running {asked.key}, asked for with /oke digest run" in caplog.text


@pytest.mark.parametrize(("error", "fix"), [
    ("not_in_channel", "/invite @okebot"),
    ("channel_not_found", "channel id"),
    ("is_archived", "unarchive"),
    ("missing_scope", "chat:write"),
])
async def test_a_post_slack_refuses_is_one_warning_naming_the_digest_the_channel_and_the_fix_without_a_trace(
    fake: FakeSlackApi, store: StateStore, caplog, error: str, fix: str
):
    jobs = await make_jobs(fake, store, digest=every_10s(chart=False), job_settings=settings(
        okebot_slack_post_attempts=2))
    fake.fail("chat.postMessage", error, times=None)
    now = await store.database_now()
    run = await store.claim_slot(jobs.digest.job, "a", scheduled_for=now, owner="replica-a", lease_seconds=60,
                                 channel=CHANNEL)
    assert run is not None
    with caplog.at_level(logging.INFO):
        await jobs.runner.run_digest(run, jobs.digest)
    (warning,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    said = warning.getMessage()
    assert warning.levelno == logging.WARNING
    assert warning.exc_info is None
    for named in ("digest pay", CHANNEL, error, fix):
        assert named in said
    (failed,) = await store.list_runs(jobs.digest.job)
    assert (failed.state, failed.error) == ("failed", error)
    (entry,) = await store.list_audit()
    assert (entry.outcome, entry.error_id) == ("error", None)
    assert error in entry.arguments
    metrics = jobs.runner.ctx.deps.metrics.registry
    assert metrics.get_sample_value("okebot_digest_runs_total", {"result": "failed"}) == 1


def last_success(jobs: Jobs) -> float | None:
    return jobs.runner.ctx.deps.metrics.registry.get_sample_value("okebot_digest_last_success_timestamp_seconds")


async def posted_by(store: StateStore, owner: str, job: str, slot: str) -> datetime:
    """A digest run another replica (or this one before a restart) posted; when the store recorded it posted."""
    run = await store.claim_slot(job, slot, scheduled_for=await store.database_now(), owner=owner, lease_seconds=60,
                                 channel=CHANNEL)
    assert run is not None
    assert await store.finish_run(run, owner=owner, state="posted", message_ts="1.1")
    at = await store.last_posted_at(DIGEST_JOB_PREFIX)
    assert at is not None
    return at


async def test_a_restarted_replica_reports_the_last_digest_the_store_holds_not_zero(
    fake: FakeSlackApi, store: StateStore
):
    at = await posted_by(store, "the-replica-before-the-restart", "digest:pay", "2026-01-01T00:00:00Z")
    jobs = await make_jobs(fake, store, digest=every_10s())
    assert last_success(jobs) == 0
    await jobs.runner.load_last_digest_success()
    assert last_success(jobs) == at.timestamp()
    assert jobs.posts() == []


async def test_each_tick_reports_a_digest_another_replica_posted(fake: FakeSlackApi, store: StateStore):
    jobs = await make_jobs(fake, store, digest=every_10s())
    await jobs.runner.tick()
    assert last_success(jobs) == 0  # nothing posted anywhere yet, nothing due here
    at = await posted_by(store, "replica-b", "digest:weekly", "2026-01-01T00:00:00Z")
    await jobs.runner.tick()
    assert last_success(jobs) == at.timestamp()
    assert jobs.posts() == []


async def test_a_store_that_cannot_say_when_a_digest_was_last_posted_is_a_warning_at_start_up(
    fake: FakeSlackApi, store: StateStore, caplog: pytest.LogCaptureFixture
):
    jobs = await make_jobs(fake, store, digest=every_10s())
    await store.close()
    with caplog.at_level(logging.WARNING, logger="okebot.test.jobs"):
        await jobs.runner.load_last_digest_success()
    assert "could not read when a digest was last posted: the SQLite state store is closed" in caplog.text
    assert last_success(jobs) == 0
