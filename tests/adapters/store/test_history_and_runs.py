"""The store's history, digest definitions, job runs and alert states: the same on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.store import open_store
from engine.digest.alerts import AlertState
from engine.digest.definition import DigestDefinition, JobRun, RunState, requested_slot, slot_for
from engine.digest.history import Sample, retained
from engine.digest.schedule import IntervalSchedule
from engine.ports import StateStore
from tests.adapters.store.conftest import Backend

OWNER, OTHER = "replica-a", "replica-b"


def sample(at: datetime, *, key: str = "sub-a", cluster: str = "c1", used: int | None = 10) -> Sample:
    return Sample(at=at, cluster_id=cluster, cluster_name=cluster, kind="subnet", key=key, name=key, usable=509,
                  used=used, reserved=8)


@dataclass(frozen=True)
class Fixed:
    """A schedule that fires at these instants only."""

    instants: tuple[datetime, ...]

    def next_after(self, instant: datetime) -> datetime:
        return next((i for i in sorted(self.instants) if i > instant), datetime(9999, 1, 1, tzinfo=UTC))

    def describe(self) -> str:
        return "fixed"


class TestHistory:
    async def test_samples_read_back_as_written_to_the_second(self, store: StateStore):
        now = datetime(2026, 11, 26, 9, 0, 0, 600_000, tzinfo=UTC)
        written = [sample(now - timedelta(minutes=15 * i), used=100 + i) for i in range(4)]
        assert await store.record_samples(written) == 4
        back = await store.read_samples()
        assert [(s.at, s.used) for s in back] == sorted((s.at.replace(microsecond=0), s.used) for s in written)
        assert back[0].model_dump(exclude={"at"}) == written[-1].model_dump(exclude={"at"})

    async def test_a_sample_of_the_same_series_and_second_is_replaced_not_doubled(self, store: StateStore):
        at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        await store.record_samples([sample(at, used=1)])
        await store.record_samples([sample(at, used=2), sample(at, key="sub-b", used=3)])
        assert sorted((s.key, s.used) for s in await store.read_samples()) == [("sub-a", 2), ("sub-b", 3)]

    async def test_reads_narrow_by_time_and_cluster(self, store: StateStore):
        at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        await store.record_samples([sample(at - timedelta(days=2)), sample(at), sample(at, cluster="c2")])
        assert len(await store.read_samples(since=at)) == 2
        assert [s.cluster_id for s in await store.read_samples(since=at, cluster_ids=["c2"])] == ["c2"]
        assert await store.read_samples(cluster_ids=[]) == []

    async def test_retention_in_sql_keeps_exactly_what_the_engine_rule_keeps(self, store: StateStore):
        now = (await store.database_now()).replace(microsecond=0)
        day = now.replace(hour=0, minute=0, second=0) - timedelta(days=100)
        written = [sample(now - timedelta(days=450))]
        written += [sample(day + timedelta(hours=h), used=h) for h in (1, 5, 23)]  # one old day: keep its last
        written += [sample(now - timedelta(days=10, hours=h), used=h) for h in range(3)]  # recent: keep all
        written += [sample(day + timedelta(hours=2), key="sub-b")]  # another series' only sample that day stays
        await store.record_samples(written)
        deleted = await store.prune_samples(keep_days=400, full_resolution_days=30)
        kept = await store.read_samples()
        expected = retained(written, now, keep_days=400, full_resolution_days=30)
        assert sorted((s.key, s.at) for s in kept) == sorted((s.key, s.at) for s in expected)
        assert deleted == len(written) - len(expected) == 3
        assert await store.prune_samples(keep_days=400, full_resolution_days=30) == 0


def digest(name: str = "daily", **changes: object) -> DigestDefinition:
    fields: dict[str, object] = {"name": name, "channel": "C0PAY", "schedule": "0 9 * * MON-FRI",
                                 "timezone": "Europe/Berlin", "clusters": ("payments-native",)} | changes
    return DigestDefinition.model_validate(fields)


class TestDigests:
    async def test_stored_digests_are_listed_by_name_replaced_and_removed(self, store: StateStore):
        await store.put_digest(digest("weekly"))
        await store.put_digest(digest("daily"))
        await store.put_digest(digest("daily", paused=True))
        assert [(d.name, d.paused) for d in await store.list_digests()] == [("daily", True), ("weekly", False)]
        assert await store.delete_digest("daily") is True
        assert await store.delete_digest("daily") is False
        assert [d.name for d in await store.list_digests()] == ["weekly"]


class TestScheduledRuns:
    async def test_a_due_occurrence_is_claimed_once_and_older_ones_are_recorded_as_missed(self, store: StateStore):
        now = await store.database_now()
        instants = (now - timedelta(hours=3), now - timedelta(hours=2), now - timedelta(seconds=30))
        await store.start_schedule("digest:daily", since=now - timedelta(hours=4))
        claim = await store.claim_scheduled("digest:daily", Fixed(instants), grace=timedelta(minutes=10),
                                            owner=OWNER, lease_seconds=60, channel="C0PAY")
        assert claim.run is not None
        assert (claim.run.state, claim.run.owner, claim.run.channel) == ("claimed", OWNER, "C0PAY")
        assert claim.run.slot == slot_for(instants[2])
        assert claim.missed == list(instants[:2])
        again = await store.claim_scheduled("digest:daily", Fixed(instants), grace=timedelta(minutes=10),
                                            owner=OTHER, lease_seconds=60)
        assert again.run is None
        assert again.missed == []
        assert await store.missed_since("digest:daily", None) == (list(instants[:2]), 2)

    async def test_after_downtime_past_the_grace_nothing_runs_and_everything_is_missed(self, store: StateStore):
        now = await store.database_now()
        instants = tuple(now - timedelta(hours=h) for h in (5, 4, 3))
        await store.start_schedule("digest:daily", since=now - timedelta(hours=6))
        claim = await store.claim_scheduled("digest:daily", Fixed(instants), grace=timedelta(minutes=10),
                                            owner=OWNER, lease_seconds=60)
        assert claim.run is None
        assert claim.missed_total == 3
        assert await store.missed_since("digest:daily", instants[0]) == (list(instants[1:]), 2)

    async def test_a_restarted_schedule_neither_runs_nor_misses_the_time_before(self, store: StateStore):
        now = await store.database_now()
        await store.start_schedule("digest:daily", since=now - timedelta(hours=6))
        await store.start_schedule("digest:daily")  # resumed now
        claim = await store.claim_scheduled("digest:daily", Fixed((now - timedelta(hours=1),)),
                                            grace=timedelta(hours=2), owner=OWNER, lease_seconds=60)
        assert (claim.run, claim.missed_total) == (None, 0)

    async def test_replicas_planning_at_once_claim_the_occurrence_exactly_once(self, backend: Backend):
        stores = [await open_store(backend.url) for _ in range(4)]
        try:
            now = await stores[0].database_now()
            # Hourly, so that the twelve claims (a few seconds under load) never straddle two occurrences.
            await stores[0].start_schedule("digest:every", since=now - timedelta(hours=2))
            schedule = IntervalSchedule(3600)
            claims = await asyncio.gather(*(
                s.claim_scheduled("digest:every", schedule, grace=timedelta(hours=2), owner=f"r{i}",
                                  lease_seconds=60) for i, s in enumerate(stores) for _ in range(3)))
            runs = [c.run for c in claims if c.run is not None]
            assert len(runs) == 1
            listed = await stores[0].list_runs("digest:every")
            assert [r.state for r in listed].count("claimed") == 1
            assert len({r.slot for r in listed}) == len(listed)
        finally:
            for s in stores:
                await s.close()

    async def test_an_expired_lease_is_taken_over_and_fences_out_the_old_owner(self, store: StateStore):
        now = await store.database_now()
        run = await store.claim_slot("digest:x", "s1", scheduled_for=now, owner=OWNER, lease_seconds=-1.0)
        assert run is not None
        assert await store.claim_slot("digest:x", "s1", scheduled_for=now, owner=OTHER, lease_seconds=60) is None
        assert await store.mark_posting(run, owner=OWNER, message='{"text": "x"}', snapshot=None, lease_seconds=-1.0)
        await asyncio.sleep(0.05)
        (taken,) = await store.claim_expired(owner=OTHER, lease_seconds=60)
        assert (taken.state, taken.owner, taken.attempts, taken.message) == ("posting", OTHER, 2, '{"text": "x"}')
        assert await store.claim_expired(owner=OWNER, lease_seconds=60) == []
        assert not await store.finish_run(run, owner=OWNER, state="posted", message_ts="1.1")
        assert await store.finish_run(taken, owner=OTHER, state="posted", message_ts="2.2")
        last = await store.last_run("digest:x", states=("posted",))
        assert last is not None
        assert (last.message_ts, last.lease_until, last.key) == ("2.2", None, "digest:x@s1")

    async def test_a_requested_run_waits_queued_until_one_replica_claims_it_as_its_first_attempt(
        self, store: StateStore
    ):
        now = await store.database_now()
        queued = await store.queue_run("digest:x", requested_slot(now), scheduled_for=now, channel="C0PAY")
        assert queued is not None
        assert (queued.state, queued.owner, queued.lease_until, queued.attempts, queued.requested) == (
            "queued", None, None, 0, True)
        assert await store.queue_run("digest:x", requested_slot(now), scheduled_for=now) is None
        assert await store.claim_expired(owner=OTHER, lease_seconds=60) == [], "a queued run is no takeover"
        (taken,) = await store.claim_queued(owner=OWNER, lease_seconds=60)
        assert (taken.key, taken.state, taken.owner, taken.attempts, taken.channel) == (
            queued.key, "claimed", OWNER, 1, "C0PAY")
        assert taken.lease_until is not None
        assert await store.claim_queued(owner=OTHER, lease_seconds=60) == []
        assert await store.finish_run(taken, owner=OWNER, state="posted", message_ts="1.1")

    async def test_a_requested_run_does_not_hide_a_scheduled_occurrence_that_is_due(self, store: StateStore):
        now = await store.database_now()
        await store.start_schedule("digest:x", since=now - timedelta(hours=2))
        # Asked for after the occurrence came due, before any replica claimed it.
        assert await store.queue_run("digest:x", requested_slot(now), scheduled_for=now) is not None
        claim = await store.claim_scheduled("digest:x", IntervalSchedule(3600), grace=timedelta(hours=2),
                                            owner=OWNER, lease_seconds=60)
        assert claim.run is not None
        assert not claim.run.requested

    async def test_replicas_claiming_queued_runs_at_once_claim_each_exactly_once(self, backend: Backend):
        stores = [await open_store(backend.url) for _ in range(4)]
        try:
            now = await stores[0].database_now()
            for n in range(3):
                await stores[0].queue_run(f"digest:d{n}", requested_slot(now), scheduled_for=now)
            claims = await asyncio.gather(*(s.claim_queued(owner=f"r{i}", lease_seconds=60)
                                            for i, s in enumerate(stores)))
            keys = [run.key for claimed in claims for run in claimed]
            assert sorted(keys) == sorted(f"digest:d{n}@{requested_slot(now)}" for n in range(3))
        finally:
            for s in stores:
                await s.close()

    async def test_a_failed_run_keeps_its_error_and_counts_as_missed(self, store: StateStore):
        now = await store.database_now()
        run = await store.claim_slot("digest:x", "s1", scheduled_for=now, owner=OWNER, lease_seconds=60)
        assert run is not None
        assert await store.finish_run(run, owner=OWNER, state="failed", error="channel_not_found")
        (listed,) = await store.list_runs("digest:x")
        assert (listed.state, listed.error) == ("failed", "channel_not_found")
        assert await store.missed_since("digest:x", now - timedelta(seconds=1)) == ([listed.scheduled_for], 1)
        assert await store.failed_since("digest:x", now - timedelta(seconds=1)) == ([listed.scheduled_for], 1)

    async def test_failed_runs_are_listed_apart_from_runs_that_were_missed(self, store: StateStore):
        now = await store.database_now()
        instants = tuple(now - timedelta(hours=h) for h in (3, 2, 1))
        await store.start_schedule("digest:daily", since=now - timedelta(hours=4))
        await store.claim_scheduled("digest:daily", Fixed(instants[:2]), grace=timedelta(minutes=10), owner=OWNER,
                                    lease_seconds=60)  # both missed
        run = await store.claim_slot("digest:daily", slot_for(instants[2]), scheduled_for=instants[2], owner=OWNER,
                                     lease_seconds=60)
        assert run is not None
        assert await store.finish_run(run, owner=OWNER, state="failed", error="not_in_channel")
        assert await store.missed_since("digest:daily", None) == (list(instants), 3)
        assert await store.failed_since("digest:daily", None) == ([instants[2]], 1)
        assert await store.failed_since("digest:daily", instants[2]) == ([], 0)

    async def test_the_newest_posted_digest_is_found_across_digests_and_replicas_and_nothing_else_counts(
            self, store: StateStore):
        assert await store.last_posted_at("digest:") is None
        now = await store.database_now()

        async def finished(job: str, slot: str, state: RunState, owner: str = OWNER) -> None:
            run = await store.claim_slot(job, slot, scheduled_for=now, owner=owner, lease_seconds=60)
            assert run is not None
            assert await store.finish_run(run, owner=owner, state=state, message_ts="1.2")

        await finished("digest:daily", "s1", "posted")
        first = await store.last_posted_at("digest:")
        assert first is not None
        assert now - timedelta(seconds=5) <= first <= await store.database_now()
        await asyncio.sleep(0.01)
        await finished("digest:weekly", "s1", "posted", owner=OTHER)
        second = await store.last_posted_at("digest:")
        assert second is not None
        assert second > first
        await asyncio.sleep(0.01)
        await finished("digest:daily", "s2", "failed")
        await finished("digest:daily", "s3", "skipped")
        await finished("alert:C0PAY", "s1", "posted")
        await store.claim_slot("digest:daily", "s4", scheduled_for=now, owner=OWNER, lease_seconds=60)  # in flight
        assert await store.last_posted_at("digest:") == second
        assert await store.last_posted_at("alert:") is not None


class TestAlertStates:
    async def test_states_and_their_posts_are_saved_together_and_a_post_is_claimed_once(self, store: StateStore):
        now = await store.database_now()
        key = ("c1", "subnet", "sub-a")
        post = JobRun(job="alert:C0PAY", slot="c1/subnet/sub-a/warning", state="claimed", scheduled_for=now,
                      channel="C0PAY", message='{"text": "80%"}')
        claimed = await store.put_alert_states("C0PAY", {key: AlertState(level="warning")}, posts=[post],
                                               owner=OWNER, lease_seconds=60)
        assert [(r.key, r.owner, r.message) for r in claimed] == [(post.key, OWNER, post.message)]
        assert await store.alert_states("C0PAY") == {key: AlertState(level="warning")}
        assert await store.alert_states("C0OTHER") == {}
        again = await store.put_alert_states("C0PAY", {key: AlertState(level="error")}, posts=[post], owner=OTHER,
                                             lease_seconds=60)
        assert again == []
        assert await store.alert_states("C0PAY") == {key: AlertState(level="error")}
