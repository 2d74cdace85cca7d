"""`/oke digest …`: schedules echoed in words and bad ones refused with the reason; admins add, list, pause,
resume, remove and run digests of their channel; config digests are read-only; anyone may preview privately."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from adapters.fakes.slack_workspace import DEFAULT_SCOPES
from bot.slack.admin.digest_commands import DigestAdd, DigestChange, DigestList, DigestPreview, parse_digest
from engine.access import AccessPolicy, ChannelBinding, Role, RoleGrant
from engine.digest.definition import DigestDefinition
from tests.bot.slack.harness import BOUND_CHANNEL, VIEWER, Bot, start_bot, texts

ADMIN = "UADMIN"
POLICY = AccessPolicy(
    bindings=(ChannelBinding(channel=BOUND_CHANNEL, clusters=("payments-native",)),),
    grants=(RoleGrant(kind="user", subject=ADMIN, role=Role.ADMIN),),
)
CONFIG = DigestDefinition(name="from-file", channel=BOUND_CHANNEL, schedule="every 6h", origin="config")


def test_curly_quotes_from_a_phone_still_quote_a_cron_expression():
    from bot.slack.parse import Administer, parse_command

    parsed = parse_command("digest add “0 9 * * MON-FRI” tz=Europe/Berlin")
    assert isinstance(parsed, Administer)
    assert parsed.command == DigestAdd("0 9 * * MON-FRI", "Europe/Berlin")


class TestParse:
    @pytest.mark.parametrize(
        ("words", "parsed"),
        [
            (["add", "0 9 * * MON-FRI", "tz=Europe/Berlin", "payments-native"],
             DigestAdd("0 9 * * MON-FRI", "Europe/Berlin", clusters=("payments-native",))),
            (["add", "0", "9", "*", "*", "1-5", "mode=on-change", "chart=no"],
             DigestAdd("0 9 * * 1-5", mode="on-change", chart=False)),
            (["add", "every", "6h", "name=six", "ocid1.compartment.oc1..x"],
             DigestAdd("every 6h", name="six", compartments=("ocid1.compartment.oc1..x",))),
            (["list"], DigestList()),
            (["preview"], DigestPreview()),
            (["PAUSE", "Daily"], DigestChange("pause", "daily")),
        ],
    )
    def test_good_commands(self, words, parsed):
        assert parse_digest(words) == parsed

    @pytest.mark.parametrize(
        ("words", "problem"),
        [
            (["add", "0 61 * * *"], "schedule '0 61 * * *': hour field '61' is out of range (0–23)"),
            (["add", "every", "5s"], "from 10 seconds"),
            (["add", "0 9 * * *", "tz=Europe/Berln"], "tz=Europe/Berln: unknown time zone 'Europe/Berln'; did you "
                                                      "mean Europe/Berlin?"),
            (["add", "0", "9", "*"], "quote the cron expression"),
            (["add", "every 1h", "colour=red"], "unknown option 'colour'"),
            (["add", "every 1h", "mode=sometimes"], "mode 'sometimes' is not always or on-change"),
            (["remove"], "remove takes the digest's name"),
            (["explode"], "say what to do with digests 'explode': preview"),
            (["lst"], "say what to do with digests 'lst'; did you mean list?"),
            (["add", "0 9 * * 1-5", "tz=Europe/Berlin", "tz=UTC"],
             "tz is given twice (Europe/Berlin and UTC); give it once"),
            (["list", "x"], "list takes no arguments"),
        ],
    )
    def test_bad_commands_say_what_is_wrong(self, words, problem):
        result = parse_digest(words)
        assert isinstance(result, str)
        assert problem in result


@pytest.fixture
async def admin_bot(fake: FakeSlackApi) -> AsyncIterator[Bot]:
    fake.scopes = (*DEFAULT_SCOPES, "channels:read", "groups:read")  # so conversations.info can tell
    fake.add_channel(BOUND_CHANNEL, name="payments", is_member=True)
    harness, _ = await start_bot(fake, policy=POLICY)
    yield harness
    await harness.client.close()
    await harness.store.close()


async def answer(bot: Bot, text: str, *, user: str = ADMIN, channel: str = BOUND_CHANNEL) -> str:
    before = len(bot.fake.calls_to("webhook"))
    await bot.command(text, user=user, channel=channel)
    calls = await bot.fake.wait_for("webhook", before + 1, within=20)
    return texts(calls[-1].body["blocks"])


async def test_an_admin_adds_a_digest_and_the_schedule_is_echoed_in_words(admin_bot: Bot):
    said = await answer(admin_bot, 'digest add "0 9 * * MON-FRI" tz=Europe/Berlin payments-native')
    assert "at 09:00, Monday through Friday, Europe/Berlin" in said
    (stored,) = await admin_bot.store.list_digests()
    assert (stored.name, stored.channel, stored.timezone, stored.created_by) == (
        "payments-native", BOUND_CHANNEL, "Europe/Berlin", ADMIN)
    listed = await answer(admin_bot, "digest list")
    assert "payments-native" in listed
    assert "paused" in await answer(admin_bot, "digest pause payments-native")
    assert (await admin_bot.store.list_digests())[0].paused
    assert "resumed" in await answer(admin_bot, "digest resume payments-native")
    assert "will be posted" in await answer(admin_bot, "digest run payments-native")
    (queued,) = await admin_bot.store.list_runs("digest:payments-native")
    assert (queued.state, queued.owner, queued.attempts, queued.channel) == ("queued", None, 0, BOUND_CHANNEL)
    assert queued.requested
    assert "removed" in await answer(admin_bot, "digest remove payments-native")
    assert await admin_bot.store.list_digests() == []


async def test_a_bad_schedule_is_refused_with_the_reason_and_nothing_is_stored(admin_bot: Bot):
    said = await answer(admin_bot, 'digest add "0 9 * * MON-FRY"')
    assert "day-of-week field" in said
    assert await admin_bot.store.list_digests() == []


async def test_a_digest_never_covers_a_cluster_the_channel_may_not_see(admin_bot: Bot):
    said = await answer(admin_bot, "digest add every 6h retail-flannel")
    assert "retail-flannel is not among them" in said
    assert await admin_bot.store.list_digests() == []


async def test_viewers_may_preview_privately_but_not_add(admin_bot: Bot):
    refused = await answer(admin_bot, "digest add every 6h", user=VIEWER)
    assert "digests needs the admin role" in refused
    preview = await answer(admin_bot, "digest preview", user=VIEWER)
    assert "Capacity digest" in preview
    assert "payments-native" in preview
    assert "retail-flannel" not in preview
    assert "only for you" in preview
    (entry, *_) = await admin_bot.audited(2)
    assert entry.user == VIEWER


async def test_a_digest_is_refused_in_a_channel_okebot_is_not_in_and_the_answer_says_to_invite_it(
    admin_bot: Bot
):
    admin_bot.fake.add_channel(BOUND_CHANNEL, name="payments", is_member=False)
    said = await answer(admin_bot, "digest add every 6h")
    assert "okebot is not in this channel" in said
    assert "/invite @okebot" in said
    assert await admin_bot.store.list_digests() == []


async def test_a_digest_is_refused_in_a_private_channel_okebot_cannot_see(admin_bot: Bot):
    admin_bot.fake.add_channel(BOUND_CHANNEL, name="payments", is_member=False, is_private=True)
    said = await answer(admin_bot, "digest add every 6h")
    assert "/invite @okebot" in said
    assert await admin_bot.store.list_digests() == []


async def test_a_digest_is_added_with_a_warning_when_membership_cannot_be_checked(admin_bot: Bot):
    admin_bot.fake.scopes = DEFAULT_SCOPES  # the manifest asks for no channels:read
    said = await answer(admin_bot, "digest add every 6h")
    assert "added" in said
    assert "could not check that it is in this channel" in said
    assert "channels:read" in said
    assert "/invite @okebot" in said
    assert len(await admin_bot.store.list_digests()) == 1


async def test_a_digest_added_where_okebot_is_a_member_carries_no_warning(admin_bot: Bot):
    said = await answer(admin_bot, "digest add every 6h")
    assert "added" in said
    assert "invite" not in said
    (info,) = admin_bot.fake.calls_to("conversations.info")
    assert info.body["channel"] == BOUND_CHANNEL


async def test_config_digests_are_listed_but_read_only_from_slack(fake: FakeSlackApi):
    harness, _ = await start_bot(fake, policy=POLICY, digests=(CONFIG,))
    try:
        assert "okebot.yaml, read-only" in await answer(harness, "digest list")
        for verb in ("remove", "pause"):
            said = await answer(harness, f"digest {verb} from-file")
            assert "config digests are read-only from Slack" in said
        said = await answer(harness, "digest add every 6h name=from-file")
        assert "a digest named from-file exists already" in said
        assert await harness.store.list_digests() == []
        assert "will be posted" in await answer(harness, "digest run from-file")
    finally:
        await harness.client.close()
        await harness.store.close()


async def test_running_an_on_change_digest_says_it_posts_even_if_nothing_changed(admin_bot: Bot):
    await answer(admin_bot, 'digest add every 6h mode=on-change name=quiet')
    said = await answer(admin_bot, "digest run quiet")
    assert "will be posted" in said
    assert "even if nothing changed" in said


async def test_the_next_run_of_a_digest_under_a_minute_apart_is_shown_to_the_second(admin_bot: Bot):
    said = await answer(admin_bot, "digest add every 10s name=often")
    assert re.search(r"Next: \w{3} \d\d \w{3} \d{4} \d\d:\d\d:\d\d UTC", said)
    daily = await answer(admin_bot, "digest add every 1d name=daily")
    assert re.search(r"Next: \w{3} \d\d \w{3} \d{4} 00:00 UTC", daily)
