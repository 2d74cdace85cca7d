"""The sampler: one pass per interval across replicas, its samples in the history, and a threshold alert posted
to the channels bound to the cluster once per crossing, saying what crossed, the figures and the fix."""

from __future__ import annotations

import json

from adapters.fakes.slack_api import FakeSlackApi
from bot.jobs import sampler
from bot.jobs.alerts import EVENT_TYPE
from engine.ports import StateStore
from tests.bot.jobs.conftest import CHANNEL, every_10s, make_jobs, settings


async def test_a_crossing_is_alerted_once_to_the_bound_channel_with_figures_and_the_fix(
    fake: FakeSlackApi, store: StateStore
):
    jobs = await make_jobs(fake, store, digest=every_10s(paused=True),
                           job_settings=settings(okebot_sample_interval_seconds=900))
    other = await make_jobs(fake, store, digest=every_10s(paused=True), owner="replica-b",
                            job_settings=settings(okebot_sample_interval_seconds=900))
    await jobs.runner.tick()
    await other.runner.tick()
    (post,) = jobs.posts()
    assert post["channel"] == CHANNEL
    assert post["metadata"]["event_type"] == EVENT_TYPE  # type: ignore[index]
    said = json.dumps(post["blocks"])
    assert "payments-native-pods of cluster payments-native is 81.7% full (416 of 509 IPs)" in said
    assert "past the warning mark of 80%" in said
    assert "larger pod subnet" in said
    assert "POD_SUBNET_TOO_SMALL" in said
    assert {s.cluster_name for s in await store.read_samples()} >= {"payments-native", "retail-flannel"}
    commands = sorted(e.command for e in await store.list_audit())
    assert commands == ["job:alert", "job:sample"]
    now = await store.database_now()
    again = await store.claim_slot(sampler.SAMPLE_JOB, "next", scheduled_for=now, owner="replica-a",
                                   lease_seconds=60)
    assert again is not None
    _, posts = await sampler.run_sampler(jobs.runner.ctx, again)
    assert posts == []
    assert len(jobs.posts()) == 1
