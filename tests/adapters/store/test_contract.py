"""The StateStore contract. Every test runs against SQLite and PostgreSQL and must behave the same on both."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.store import open_store
from adapters.store.migrations import MIGRATIONS, Migration
from engine.access import ChannelBinding, Role, RoleGrant
from engine.audit import AuditEntry
from engine.errors import SourceError
from engine.ports import StateStore
from tests.adapters.store.conftest import Backend

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def entry(minutes: int, **kw) -> AuditEntry:
    fields: dict[str, object] = {"user": "U1", "channel": "C1", "command": "capacity", "arguments": "x"}
    fields |= {"outcome": "ok", "duration_ms": 12} | kw
    return AuditEntry(at=T0 + timedelta(minutes=minutes), **fields)


class TestMigrations:
    async def test_opening_twice_keeps_the_schema_version_and_the_data(self, backend: Backend):
        first = await backend.open_with(MIGRATIONS)
        await first.record_audit(entry(0))
        await first.close()
        second = await backend.open_with(MIGRATIONS)
        try:
            assert await second.schema_version() == MIGRATIONS[-1].version
            assert await second.list_audit() == [entry(0)]
        finally:
            await second.close()

    async def test_replicas_opening_at_once_migrate_exactly_once(self, backend: Backend):
        stores = await asyncio.gather(*(backend.open_with(MIGRATIONS) for _ in range(4)))
        try:
            versions = {await s.schema_version() for s in stores}
            await stores[0].put_binding(ChannelBinding(channel="C1", clusters=("a",)))
            assert versions == {MIGRATIONS[-1].version}
            assert await stores[3].get_binding("C1") == ChannelBinding(channel="C1", clusters=("a",))
        finally:
            for s in stores:
                await s.close()

    async def test_a_failing_migration_changes_nothing_and_keeps_stored_data(self, backend: Backend):
        good = await backend.open_with(MIGRATIONS)
        await good.record_audit(entry(0))
        await good.close()
        broken = Migration(
            version=MIGRATIONS[-1].version + 1,
            name="half a migration",
            sqlite=("CREATE TABLE half_done (a TEXT)", "NOT VALID SQL"),
            postgres=("CREATE TABLE half_done (a TEXT)", "NOT VALID SQL"),
        )
        with pytest.raises(SourceError, match="state store failed"):
            await backend.open_with((*MIGRATIONS, broken))
        reopened = await backend.open_with(MIGRATIONS)
        try:
            assert await reopened.schema_version() == MIGRATIONS[-1].version
            assert await reopened.list_audit() == [entry(0)]
            # The half-made table did not survive the failed attempt, so creating it again works.
            fixed = replace(broken, sqlite=broken.sqlite[:1], postgres=broken.postgres[:1])
            again = await backend.open_with((*MIGRATIONS, fixed))
            assert await again.schema_version() == fixed.version
            await again.close()
        finally:
            await reopened.close()

    async def test_a_database_newer_than_this_okebot_is_refused(self, backend: Backend):
        future = Migration(version=MIGRATIONS[-1].version + 1, name="future", sqlite=(), postgres=())
        newer = await backend.open_with((*MIGRATIONS, future))
        await newer.close()
        with pytest.raises(SourceError, match="newer than this okebot knows") as caught:
            await backend.open_with(MIGRATIONS)
        assert caught.value.remedy is not None


class TestAudit:
    async def test_entries_come_back_newest_first_and_equal_to_what_was_recorded(self, store: StateStore):
        for minutes in (0, 2, 1):
            await store.record_audit(entry(minutes))
        assert await store.list_audit() == [entry(2), entry(1), entry(0)]

    async def test_entries_at_the_same_instant_come_back_latest_recorded_first(self, store: StateStore):
        await store.record_audit(entry(0, command="capacity"))
        await store.record_audit(entry(0, command="cni"))
        assert [e.command for e in await store.list_audit()] == ["cni", "capacity"]

    @pytest.mark.parametrize(
        ("user", "channel", "expected"),
        [
            ("U1", None, ["U1/C2", "U1/C1"]),
            (None, "C1", ["U2/C1", "U1/C1"]),
            ("U2", "C1", ["U2/C1"]),
            ("U9", None, []),
        ],
    )
    async def test_listing_filters_by_user_and_channel(self, store: StateStore, user, channel, expected):
        await store.record_audit(entry(0, user="U1", channel="C1"))
        await store.record_audit(entry(1, user="U1", channel="C2"))
        await store.record_audit(entry(2, user="U2", channel="C1"))
        found = await store.list_audit(user=user, channel=channel)
        assert [f"{e.user}/{e.channel}" for e in found] == expected

    @pytest.mark.parametrize(("kind", "expected"), [
        ("people", ["/oke", "button:refresh"]),
        ("jobs", ["job:alert", "job:digest"]),
        (None, ["job:alert", "/oke", "button:refresh", "job:digest"]),
    ])
    async def test_listing_keeps_peoples_commands_apart_from_scheduled_jobs(self, store: StateStore, kind, expected):
        for minutes, command in enumerate(("job:digest", "button:refresh", "/oke", "job:alert")):
            await store.record_audit(entry(minutes, command=command))
        assert [e.command for e in await store.list_audit(kind=kind)] == expected
        assert [e.command for e in await store.list_audit(kind=kind, limit=1)] == expected[:1]

    async def test_limit_keeps_only_the_newest(self, store: StateStore):
        for minutes in range(5):
            await store.record_audit(entry(minutes))
        assert [e.at for e in await store.list_audit(limit=2)] == [entry(4).at, entry(3).at]
        assert await store.list_audit(limit=0) == []
        assert len(await store.list_audit()) == 5

    async def test_a_negative_limit_is_refused(self, store: StateStore):
        with pytest.raises(ValueError, match="limit"):
            await store.list_audit(limit=-1)

    async def test_times_keep_their_instant_whatever_zone_they_were_given_in(self, store: StateStore):
        paris = datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
        await store.record_audit(entry(0).model_copy(update={"at": paris}))
        (found,) = await store.list_audit()
        assert found.at == paris
        assert found.at.utcoffset() == timedelta(0)

    async def test_every_field_and_outcome_round_trips(self, store: StateStore):
        recorded = [
            entry(0, outcome="ok"),
            entry(1, outcome="refused", arguments=""),
            entry(2, outcome="error", error_id="e-7f3a", duration_ms=2**40),
            entry(3, outcome="bad-input", error_id=None, duration_ms=0),
        ]
        for e in recorded:
            await store.record_audit(e)
        assert await store.list_audit() == list(reversed(recorded))


class TestBindings:
    async def test_a_binding_is_stored_replaced_listed_and_deleted(self, store: StateStore):
        payments = ChannelBinding(
            channel="C2", clusters=("payments-native",), default_cluster="payments-native"
        )
        retail = ChannelBinding(channel="C1", compartments=("ocid1.compartment.oc1..retail",))
        await store.put_binding(payments)
        await store.put_binding(retail)
        assert await store.get_binding("C2") == payments
        assert await store.list_bindings() == [retail, payments]
        moved = ChannelBinding(channel="C2", clusters=("payments-native", "payments-dr"))
        await store.put_binding(moved)
        assert await store.get_binding("C2") == moved
        assert await store.delete_binding("C2") is True
        assert await store.delete_binding("C2") is False
        assert await store.get_binding("C2") is None
        assert await store.list_bindings() == [retail]

    async def test_a_channel_written_with_a_hash_is_the_same_channel(self, store: StateStore):
        await store.put_binding(ChannelBinding(channel="#C9", clusters=("a",)))
        assert await store.get_binding("C9") == ChannelBinding(channel="C9", clusters=("a",))
        assert await store.delete_binding("#C9") is True

    async def test_an_unknown_channel_has_no_binding(self, store: StateStore):
        assert await store.get_binding("C404") is None
        assert await store.list_bindings() == []


class TestRoleGrants:
    async def test_grants_are_stored_replaced_listed_and_deleted(self, store: StateStore):
        await store.put_role_grant(RoleGrant(kind="user", subject="U1", role=Role.ADMIN))
        await store.put_role_grant(RoleGrant(kind="group", subject="sre", role=Role.VIEWER))
        await store.put_role_grant(RoleGrant(kind="group", subject="sre", role=Role.OPERATOR))
        operators = RoleGrant(kind="group", subject="sre", role=Role.OPERATOR)
        assert await store.get_role_grant("group", "sre") == operators
        assert await store.list_role_grants() == [
            RoleGrant(kind="group", subject="sre", role=Role.OPERATOR),
            RoleGrant(kind="user", subject="U1", role=Role.ADMIN),
        ]
        assert await store.delete_role_grant("user", "U1") is True
        assert await store.delete_role_grant("user", "U1") is False
        assert await store.get_role_grant("user", "U1") is None

    async def test_group_handles_match_with_or_without_at_sign_and_case(self, store: StateStore):
        await store.put_role_grant(RoleGrant(kind="group", subject="@SRE", role=Role.OPERATOR))
        found = await store.get_role_grant("group", "sre")
        assert found == RoleGrant(kind="group", subject="@SRE", role=Role.OPERATOR)
        assert len(await store.list_role_grants()) == 1

    async def test_user_ids_are_exact_and_do_not_collide_with_groups(self, store: StateStore):
        await store.put_role_grant(RoleGrant(kind="user", subject="U1", role=Role.ADMIN))
        assert await store.get_role_grant("user", "u1") is None
        assert await store.get_role_grant("group", "U1") is None


class TestClaimOnce:
    async def test_a_key_is_claimed_once_and_other_keys_are_independent(self, store: StateStore):
        assert await store.claim_once("event:Ev1", ttl_seconds=3600) is True
        assert await store.claim_once("event:Ev1", ttl_seconds=3600) is False
        assert await store.claim_once("event:Ev2", ttl_seconds=3600) is True

    async def test_twenty_concurrent_claims_give_exactly_one_winner(self, store: StateStore):
        claims = (store.claim_once("digest:2026-11-26T09", ttl_seconds=600) for _ in range(20))
        results = await asyncio.gather(*claims)
        assert results.count(True) == 1

    async def test_claims_from_two_replicas_give_exactly_one_winner(self, backend: Backend):
        one, two = await open_store(backend.url), await open_store(backend.url)
        try:
            claims = [s.claim_once("event:Ev42", ttl_seconds=600) for _ in range(10) for s in (one, two)]
            assert (await asyncio.gather(*claims)).count(True) == 1
        finally:
            await one.close()
            await two.close()

    async def test_an_expired_key_can_be_claimed_again(self, store: StateStore):
        assert await store.claim_once("slot", ttl_seconds=0) is True
        await asyncio.sleep(0.01)
        assert await store.claim_once("slot", ttl_seconds=3600) is True
        assert await store.claim_once("slot", ttl_seconds=3600) is False

    async def test_a_negative_ttl_is_refused(self, store: StateStore):
        with pytest.raises(ValueError, match="ttl_seconds"):
            await store.claim_once("slot", ttl_seconds=-1)


class TestText:
    async def test_unicode_and_long_strings_round_trip(self, store: StateStore):
        long_args = "🚀 capacité 容量 " * 20_000
        recorded = entry(0, user="U€", channel="C-ünï", command="what-if", arguments=long_args)
        await store.record_audit(recorded)
        assert await store.list_audit(channel="C-ünï") == [recorded]
        binding = ChannelBinding(channel="C-日本", clusters=("clüster-" + "x" * 5000, "支付"))
        await store.put_binding(binding)
        assert await store.get_binding("C-日本") == binding
        assert await store.claim_once("ключ-" + "k" * 10_000, ttl_seconds=60) is True

    async def test_a_nul_character_is_stored_as_a_replacement_character_on_both(self, store: StateStore):
        await store.record_audit(entry(0, arguments="a\x00b"))
        (found,) = await store.list_audit()
        assert found.arguments == "a\ufffdb"


class TestClosed:
    async def test_a_closed_store_says_so(self, backend: Backend):
        closed = await open_store(backend.url)
        await closed.close()
        await closed.close()  # closing twice is harmless
        with pytest.raises(SourceError, match="closed"):
            await closed.list_bindings()
