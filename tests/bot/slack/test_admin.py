"""Admin subcommands end to end: signed `/oke` commands into the running app, answers read at the fake
response_url, and the state store checked for what changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.fakes.slack_api import FakeSlackApi
from bot.compose import build_reader
from bot.slack.admin.commands import (
    ADMIN_USAGE,
    AdminCommand,
    Bind,
    Grant,
    ListBindings,
    Revoke,
    ShowAudit,
    Subject,
    Unbind,
    parse_admin,
    parse_subject,
)
from bot.slack.parse import Administer, Usage, parse_command
from engine.access import AccessPolicy, ChannelBinding, Role, RoleGrant
from engine.audit import AuditEntry
from tests.bot.slack.harness import BOUND_CHANNEL, OPEN_CHANNEL, OPERATOR, POLICY, VIEWER, Bot, start_bot, texts
from tests.bot.slack.readers import renamed
from tests.bot.slack.test_injection import EVIL, assert_inert

ADMIN = "UADMIN"
NEW_CHANNEL = "CNEW"
ADMIN_POLICY = POLICY.model_copy(
    update={"grants": (*POLICY.grants, RoleGrant(kind="user", subject=ADMIN, role=Role.ADMIN))}
)
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaai36e7axbzms6bmtfgopqu32rcxx2oagnckoertlpzmt6sleq4dvh"


async def started(fake: FakeSlackApi, policy: AccessPolicy = ADMIN_POLICY, **kwargs: Any) -> AsyncIterator[Bot]:
    harness, _ = await start_bot(fake, policy=policy, **kwargs)
    yield harness
    await harness.client.close()
    await harness.store.close()


@pytest.fixture
async def admin_bot(fake: FakeSlackApi) -> AsyncIterator[Bot]:
    async for harness in started(fake):
        yield harness


async def ask(bot: Bot, text: str, *, user: str = ADMIN, channel: str = NEW_CHANNEL) -> dict[str, Any]:
    """Send one command and return its answer (the next response_url post)."""
    before = len(bot.fake.calls_to("webhook"))
    response = await bot.command(text, user=user, channel=channel)
    assert response.status == 200
    answers = await bot.fake.wait_for("webhook", before + 1)
    body: dict[str, Any] = answers[-1].body
    assert body["text"]
    return body



# Each command works for an admin.

async def test_bindings_lists_stored_bindings_over_the_configured_ones(admin_bot: Bot):
    await admin_bot.store.put_binding(ChannelBinding(channel="CSTORED", clusters=("analytics",)))
    await admin_bot.store.put_binding(ChannelBinding(channel=BOUND_CHANNEL, clusters=("retail-flannel",)))
    answer = await ask(admin_bot, "bindings")
    shown = texts(answer["blocks"])
    assert "Channel bindings (2)" in shown
    assert "`#CPAY`  clusters `retail-flannel`  _(stored)_" in shown
    assert "payments-native" not in shown  # the stored binding replaced the configured one
    assert "`#CSTORED`  clusters `analytics`" in shown
    assert "unbound_channels: all" in shown


async def test_bindings_says_which_come_from_the_config_file(admin_bot: Bot):
    answer = await ask(admin_bot, "bindings")
    assert "`#CPAY`  clusters `payments-native`  _(config file)_" in texts(answer["blocks"])


async def test_bind_replaces_this_channels_binding_and_states_it(admin_bot: Bot):
    answer = await ask(admin_bot, f"bind Analytics retail-flannel {COMPARTMENT} default=analytics")
    stored = await admin_bot.store.get_binding(NEW_CHANNEL)
    assert stored == ChannelBinding(channel=NEW_CHANNEL, clusters=("analytics", "retail-flannel"),
                                    compartments=(COMPARTMENT,), default_cluster="analytics")
    shown = texts(answer["blocks"])
    assert "`#CNEW` is now bound to clusters `analytics`, `retail-flannel`" in shown
    assert "answer about `analytics`" in shown
    await ask(admin_bot, "bind platform-healthy")
    assert (await admin_bot.store.get_binding(NEW_CHANNEL)) == ChannelBinding(
        channel=NEW_CHANNEL, clusters=("platform-healthy",))


async def test_bind_keeps_an_ocid_as_an_ocid(admin_bot: Bot):
    tenancy = await build_reader("demo").read()
    ocid = tenancy.find_cluster("analytics").id  # type: ignore[union-attr]
    await ask(admin_bot, f"bind {ocid}")
    assert (await admin_bot.store.get_binding(NEW_CHANNEL)) == ChannelBinding(channel=NEW_CHANNEL, clusters=(ocid,))


async def test_bind_then_capacity_in_that_channel_defaults_to_the_bound_cluster(admin_bot: Bot):
    await ask(admin_bot, "bind retail-flannel")
    answer = await ask(admin_bot, "capacity", user=VIEWER)
    assert "Capacity: retail-flannel" in texts(answer["blocks"])
    assert "analytics" not in texts(answer["blocks"])
    refused = await ask(admin_bot, "capacity analytics", user=VIEWER)
    assert "bound to clusters retail-flannel" in refused["text"]


async def test_bind_to_an_unknown_cluster_names_the_known_ones_and_changes_nothing(admin_bot: Bot):
    answer = await ask(admin_bot, "bind nope")
    assert "no cluster 'nope' (clusters: analytics, payments-native" in answer["text"]
    assert "analytics, payments-native, platform-healthy, retail-flannel" in texts(answer["blocks"])
    assert "Error id" not in texts(answer["blocks"])
    assert await admin_bot.store.get_binding(NEW_CHANNEL) is None


async def test_a_default_outside_the_binding_is_refused(admin_bot: Bot):
    answer = await ask(admin_bot, "bind analytics default=retail-flannel")
    assert "default: 'retail-flannel' is not among the clusters" in answer["text"]
    assert await admin_bot.store.get_binding(NEW_CHANNEL) is None


async def test_unbind_removes_the_stored_binding(admin_bot: Bot):
    await ask(admin_bot, "bind analytics")
    answer = await ask(admin_bot, "unbind")
    assert "Removed the stored binding of `#CNEW`" in texts(answer["blocks"])
    assert "sees every cluster" in texts(answer["blocks"])
    assert await admin_bot.store.get_binding(NEW_CHANNEL) is None


async def test_unbind_says_when_there_was_none(admin_bot: Bot):
    answer = await ask(admin_bot, "unbind")
    assert "`#CNEW` has no stored binding to remove" in texts(answer["blocks"])


async def test_unbind_says_that_the_config_files_binding_still_applies(admin_bot: Bot):
    await ask(admin_bot, "bind analytics", channel=BOUND_CHANNEL)
    answer = await ask(admin_bot, "unbind", channel=BOUND_CHANNEL)
    shown = texts(answer["blocks"])
    assert "Removed the stored binding" in shown
    assert "The config file's binding still applies: clusters `payments-native`" in shown
    capacity = await ask(admin_bot, "capacity", user=VIEWER, channel=BOUND_CHANNEL)
    assert "Capacity: payments-native" in texts(capacity["blocks"])


async def test_grant_then_whatif_succeeds_for_the_grantee_and_revoke_removes_it(admin_bot: Bot):
    whatif = "whatif analytics analytics-spark size=1"
    assert "needs the operator role" in (await ask(admin_bot, whatif, user="UNEW"))["text"]
    granted = await ask(admin_bot, "grant <@UNEW|new.person> operator")
    assert "user `UNEW` now has the *operator* role" in texts(granted["blocks"])
    assert await admin_bot.store.get_role_grant("user", "UNEW") == RoleGrant(
        kind="user", subject="UNEW", role=Role.OPERATOR)
    assert "What-if: analytics" in texts((await ask(admin_bot, whatif, user="UNEW"))["blocks"])
    revoked = await ask(admin_bot, "revoke <@UNEW>")
    assert "Revoked the stored *operator* grant of user `UNEW`" in texts(revoked["blocks"])
    assert await admin_bot.store.get_role_grant("user", "UNEW") is None
    assert "needs the operator role" in (await ask(admin_bot, whatif, user="UNEW"))["text"]


async def test_grant_to_a_group_handle_applies_to_its_members(fake: FakeSlackApi):
    fake.usergroups = [{"id": "S0ONCALL", "handle": "oke-oncall", "users": ["UPAGED"]}]
    async for bot in started(fake):
        answer = await ask(bot, "grant @OKE-Oncall admin")
        assert "members of the Slack user group `@oke-oncall`" in texts(answer["blocks"])
        assert "Channel bindings" in texts((await ask(bot, "bindings", user="UPAGED"))["blocks"])


async def test_a_grant_by_handle_is_stored_by_the_groups_id_not_the_handle_text(fake: FakeSlackApi):
    fake.usergroups = [{"id": "S0ONCALL", "handle": "oke-oncall", "users": ["UPAGED"]}]
    async for bot in started(fake):
        await ask(bot, "grant @oke-oncall operator")
        assert await bot.store.get_role_grant("group", "S0ONCALL") == RoleGrant(
            kind="group", subject="S0ONCALL", role=Role.OPERATOR)
        assert await bot.store.get_role_grant("group", "@oke-oncall") is None
        revoked = await ask(bot, "revoke @oke-oncall")
        assert "Revoked the stored *operator* grant of group `S0ONCALL`" in texts(revoked["blocks"])


async def test_a_grant_to_a_handle_no_group_has_is_refused_and_stores_nothing(fake: FakeSlackApi):
    fake.usergroups = [{"id": "S0ONCALL", "handle": "oke-oncall", "users": ["UPAGED"]}]
    async for bot in started(fake):
        answer = await ask(bot, "grant @future-admins admin")
        assert "no Slack user group has the handle @future-admins" in answer["text"]
        assert await bot.store.list_role_grants() == []


async def test_a_grant_by_group_id_needs_no_lookup(admin_bot: Bot):
    answer = await ask(admin_bot, "grant S0ANY viewer")
    assert "group `S0ANY` now has the *viewer* role" in texts(answer["blocks"])
    assert await admin_bot.store.get_role_grant("group", "S0ANY") == RoleGrant(
        kind="group", subject="S0ANY", role=Role.VIEWER)


async def test_revoke_of_a_configured_grant_says_only_the_file_changes_it(admin_bot: Bot):
    answer = await ask(admin_bot, f"revoke {OPERATOR}")
    shown = texts(answer["blocks"])
    assert "user `UOPS` has no stored grant to revoke" in shown
    assert "The config file still grants them *operator*" in shown


@pytest.mark.parametrize("text", [f"revoke <@{ADMIN}>", f"grant <@{ADMIN}|me> viewer"])
async def test_the_last_admin_cannot_give_up_the_role(fake: FakeSlackApi, text: str):
    only_stored = POLICY  # no admin in the file: the one admin is a stored grant
    async for bot in started(fake, policy=only_stored):
        await bot.store.put_role_grant(RoleGrant(kind="user", subject=ADMIN, role=Role.ADMIN))
        answer = await ask(bot, text)
        assert "leave okebot with no admin" in answer["text"]
        assert "grant admin to another user or group first" in texts(answer["blocks"])
        assert (await bot.store.get_role_grant("user", ADMIN)) is not None
        assert (await bot.audited(1))[0].outcome == "refused"


async def test_an_admin_may_revoke_their_own_grant_when_another_admin_remains(fake: FakeSlackApi):
    async for bot in started(fake, policy=POLICY):
        await bot.store.put_role_grant(RoleGrant(kind="user", subject=ADMIN, role=Role.ADMIN))
        await bot.store.put_role_grant(RoleGrant(kind="group", subject="@okebot-admins", role=Role.ADMIN))
        answer = await ask(bot, f"revoke <@{ADMIN}>")
        assert "Revoked the stored *admin* grant" in texts(answer["blocks"])


async def test_audit_lists_the_previous_commands_newest_first(admin_bot: Bot):
    await ask(admin_bot, "capacity analytics", user=VIEWER, channel=OPEN_CHANNEL)
    await ask(admin_bot, "bind analytics")
    await ask(admin_bot, "bindings", user=OPERATOR)
    await admin_bot.audited(3)
    answer = await ask(admin_bot, "audit 3")
    shown = texts(answer["blocks"])
    newest, middle, oldest = (shown.index(s) for s in ("`/oke bindings`", "`/oke bind analytics`",
                                                      "`/oke capacity analytics`"))
    assert newest < middle < oldest
    assert "`UOPS` in `#CNEW`" in shown
    assert ":no_entry: refused" in shown
    assert "`UVIEW` in `#CGENERAL`" in shown
    assert ":white_check_mark: ok" in shown
    assert " ms" in shown
    entries = await admin_bot.audited(4)
    assert (entries[0].command, entries[0].arguments, entries[0].outcome) == ("/oke", "audit 3", "ok")


async def test_audit_filters_by_user(admin_bot: Bot):
    await ask(admin_bot, "capacity analytics", user=VIEWER)
    await ask(admin_bot, "bindings")
    await admin_bot.audited(2)
    shown = texts((await ask(admin_bot, f"audit user=<@{VIEWER}|viewer>"))["blocks"])
    assert "`/oke capacity analytics`" in shown
    assert "`/oke bindings`" not in shown


async def test_audit_shows_peoples_commands_and_audit_jobs_the_scheduled_jobs(admin_bot: Bot):
    await ask(admin_bot, "bindings")
    for minute in range(30):  # a digest every 10 s fills the log
        await admin_bot.store.record_audit(AuditEntry(
            at=datetime.now(UTC), user="okebot", channel=BOUND_CHANNEL, command="job:digest",
            arguments=f"pay 2026-11-30T05:{minute:02d}:00Z: posted as 1.1", outcome="ok", duration_ms=5))
    await admin_bot.audited(31)
    people = texts((await ask(admin_bot, "audit"))["blocks"])
    assert "`/oke bindings`" in people
    assert "job:digest" not in people
    assert "/oke audit jobs" in people
    jobs = texts((await ask(admin_bot, "audit jobs 5"))["blocks"])
    assert jobs.count("job:digest") == 5
    assert "/oke bindings" not in jobs
    assert "scheduled jobs" in jobs


async def test_a_full_audit_page_stays_within_block_kit_limits(admin_bot: Bot):
    for n in range(120):
        await admin_bot.store.record_audit(AuditEntry(
            at=datetime.now(UTC), user=f"U{n:05d}", channel="C" + "X" * 20, command="/oke",
            arguments=f"whatif {'<!channel>' * 40}", outcome="error", error_id=f"e-{n}", duration_ms=n))
    answer = await ask(admin_bot, "audit 100")
    blocks = answer["blocks"]
    assert len(blocks) <= 50
    assert len(str(blocks)) < 12_000
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert "older entries did not fit" in texts(blocks)
    assert "error id `e-119`" in texts(blocks)
    assert_inert(answer)


# Each command is refused for an operator, with the reason.

@pytest.mark.parametrize(("text", "action"), [
    ("bindings", "bindings"),
    ("bind analytics", "bindings"),
    ("unbind", "bindings"),
    ("grant UNEW admin", "config"),
    (f"revoke {OPERATOR}", "config"),
    ("audit", "audit"),
])
async def test_every_admin_command_is_refused_for_an_operator_with_the_reason(admin_bot: Bot, text: str,
                                                                              action: str):
    answer = await ask(admin_bot, text, user=OPERATOR)
    assert f"Not allowed: {action} needs the admin role; you have operator." in answer["text"]
    assert await admin_bot.store.list_bindings() == []
    assert await admin_bot.store.list_role_grants() == []
    assert (await admin_bot.audited(1))[0].outcome == "refused"


async def test_help_lists_the_admin_subcommands_with_their_usage(admin_bot: Bot):
    shown = texts((await ask(admin_bot, "help", user=VIEWER))["blocks"])
    assert "*Admin* (needs the admin role" in shown
    for name in ADMIN_USAGE:
        assert f"/oke {name}" in shown
    assert "/oke grant &lt;@user|U-id|@group-handle|S-group-id&gt; &lt;viewer|operator|admin&gt;" in shown


@pytest.mark.parametrize(("text", "expected"), [
    ("grant", "name who and which role"),
    ("grant @oke-oncall owner", "role 'owner' is not one of viewer, operator, admin"),
    ("grant '<#C1|general>' admin", "is not a user or user group"),
    ("revoke", "name exactly one user or user group"),
    ("bind", "name at least one cluster"),
    ("bind analytics color=red", "unknown option 'color'"),
    ("audit 500", "N must be a whole number from 1 to 100"),
    ("audit user=@someone", "is not a user"),
    (f"audit jobs user=<@{VIEWER}>", "jobs are run by okebot itself"),
    ("unbind now", "unbind takes no arguments"),
])
async def test_malformed_admin_commands_get_their_usage(admin_bot: Bot, text: str, expected: str):
    answer = await ask(admin_bot, text)
    shown = texts(answer["blocks"])
    assert expected in shown.replace("&lt;", "<").replace("&gt;", ">")
    assert "*Usage:*" in shown
    assert (await admin_bot.audited(1))[0].outcome == "bad-input"


# Parsing: mentions, and a fuzz of every admin argument list.

@pytest.mark.parametrize(("word", "subject"), [
    ("<@U0123ABCDE>", Subject("user", "U0123ABCDE")),
    ("<@U0123ABCDE|jane.doe>", Subject("user", "U0123ABCDE")),
    ("<@W0123ABCDE|jane>", Subject("user", "W0123ABCDE")),
    ("U0123ABCDE", Subject("user", "U0123ABCDE")),
    ("<!subteam^S0ONCALL|@oke-oncall>", Subject("group", "S0ONCALL")),
    ("<!subteam^S0ONCALL>", Subject("group", "S0ONCALL")),
    ("S0ONCALL", Subject("group", "S0ONCALL")),
    ("@oke-oncall", Subject("group", "@oke-oncall")),
    ("@OKE.Oncall_2", Subject("group", "@oke.oncall_2")),
    ("@", None),
    ("oke-oncall", None),
    ("<@u0123>", None),
    ("<!channel>", None),
    ("<!here>", None),
    ("<#C0123|general>", None),
    ("<@U0123ABCDE", None),
    ("u0123abcde", None),
    ("", None),
])
def test_mentions_ids_and_handles_resolve_to_a_user_or_group(word: str, subject: Subject | None):
    assert parse_subject(word) == subject


@pytest.mark.parametrize(("text", "command"), [
    ("bindings", ListBindings()),
    ("unbind", Unbind()),
    (f"bind a b {COMPARTMENT} a default=b", Bind(clusters=("a", "b"), compartments=(COMPARTMENT,), default="b")),
    ("grant <@U1AB|Jane O'Brien> Admin", Grant(Subject("user", "U1AB"), Role.ADMIN)),
    ("grant <!subteam^S0X|@oke team> viewer", Grant(Subject("group", "S0X"), Role.VIEWER)),
    ("revoke @oke-oncall", Revoke(Subject("group", "@oke-oncall"))),
    ("audit", ShowAudit()),
    ("audit user=<@U1AB|jane> 5", ShowAudit(limit=5, user="U1AB")),
    ("audit jobs", ShowAudit(jobs=True)),
    ("audit JOBS 5", ShowAudit(limit=5, jobs=True)),
])
def test_admin_commands_parse_from_slack_text(text: str, command: AdminCommand):
    assert parse_command(text) == Administer(command)


ADMIN_WORDS = st.sampled_from([*ADMIN_USAGE, "jobs", "default=", "default=x", "user=", "user=<@U1>", "=", "0", "100",
                               "101", "-1", "admin", "viewer", "owner", "@g", "<@U1|a b>", "<!subteam^S1|@g>",
                               "<!channel>", COMPARTMENT, "ocid1.tenancy.oc1..a", "'", "\x00", "\u00e9"])


@settings(max_examples=500, deadline=None)
@given(name=st.sampled_from(list(ADMIN_USAGE)), args=st.lists(ADMIN_WORDS | st.text(max_size=300), max_size=8))
def test_the_admin_argument_parser_never_raises_and_always_answers(name: str, args: list[str]):
    parsed = parse_admin(name, args)
    if isinstance(parsed, str):  # a usage problem, said in words
        assert parsed.strip()
    else:
        assert isinstance(parsed, ListBindings | Bind | Unbind | Grant | Revoke | ShowAudit)
    if isinstance(parsed, ShowAudit):
        assert 1 <= parsed.limit <= 100
    if isinstance(parsed, Bind):
        assert parsed.clusters or parsed.compartments


@settings(max_examples=300, deadline=None)
@given(words=st.lists(ADMIN_WORDS | st.text(max_size=20), min_size=1, max_size=6))
def test_admin_command_text_always_parses_to_a_command_or_usage(words: list[str]):
    parsed = parse_command(" ".join(words))
    if words[0] in ADMIN_USAGE and isinstance(parsed, Usage) and parsed.subcommand in ADMIN_USAGE:
        assert parsed.problem


# Injection: Slack markup typed as a cluster, a subject or a filter never comes back live.

@pytest.mark.parametrize("text", [
    "bind '<!channel>'",
    "bind <!channel> default=<!here>",
    "grant '<!channel>' admin",
    "revoke '<http://evil.example|ok>'",
    "audit user='<!channel>'",
    "bind analytics default='<@U123>'",
])
async def test_markup_in_admin_arguments_stays_escaped(admin_bot: Bot, text: str):
    assert_inert(await ask(admin_bot, text))
    assert await admin_bot.store.list_bindings() == []


async def test_a_cluster_named_with_markup_is_bound_listed_and_audited_inert(fake: FakeSlackApi):
    async for bot in started(fake, reader=renamed("analytics", EVIL)):
        bound = await ask(bot, f"bind '{EVIL}'")
        assert_inert(bound)
        assert "&lt;!channel&gt;" in texts(bound["blocks"])
        assert (await bot.store.get_binding(NEW_CHANNEL)) == ChannelBinding(channel=NEW_CHANNEL, clusters=(EVIL,))
        assert_inert(await ask(bot, "bindings"))
        await bot.audited(2)
        assert_inert(await ask(bot, "audit"))
