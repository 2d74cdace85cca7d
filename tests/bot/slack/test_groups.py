"""Group grants apply to the members Slack lists in each user group."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from bot.slack.app import create_client
from bot.slack.groups import SlackGroupDirectory, members_by_user
from bot.slack.settings import SlackSettings
from engine.access import AccessPolicy, Role, RoleGrant
from tests.bot.slack.harness import Bot, start_bot, texts

ONCALL = {"id": "S0ONCALL", "handle": "oke-oncall", "users": ["UPAGED", "UOTHER"]}
GROUP_POLICY = AccessPolicy(
    default_role=Role.VIEWER,
    unbound_channels="all",
    grants=(RoleGrant(kind="group", subject="@oke-oncall", role=Role.OPERATOR),),
)


def directory(fake: FakeSlackApi, **kwargs: Any) -> SlackGroupDirectory:
    settings = SlackSettings(slack_bot_token="xoxb-test", slack_api_url=fake.base_url)
    return SlackGroupDirectory(create_client(settings), logger=logging.getLogger("okebot.test"), **kwargs)


@pytest.fixture
async def group_bot(fake: FakeSlackApi) -> AsyncIterator[Bot]:
    fake.usergroups = [ONCALL]
    harness, _ = await start_bot(fake, policy=GROUP_POLICY)
    yield harness
    await harness.client.close()
    await harness.store.close()


def test_members_are_inverted_to_each_users_group_ids_and_handles():
    assert members_by_user([ONCALL, {"id": "S2", "users": ["UPAGED"]}]) == {
        "UPAGED": ("S0ONCALL", "@oke-oncall", "S2"),
        "UOTHER": ("S0ONCALL", "@oke-oncall"),
    }


async def test_a_user_gets_their_groups_from_one_cached_usergroups_call(fake: FakeSlackApi):
    fake.usergroups = [ONCALL]
    groups = directory(fake)
    assert await groups.groups_of("UPAGED") == ("S0ONCALL", "@oke-oncall")
    assert await groups.groups_of("UNOBODY") == ()
    assert len(fake.calls_to("usergroups.list")) == 1
    assert fake.calls_to("usergroups.list")[0].body["include_users"] in (True, "true", "1")


async def test_the_group_list_is_read_again_after_its_ttl(fake: FakeSlackApi):
    now = [0.0]
    groups = directory(fake, ttl_seconds=60, clock=lambda: now[0])
    await groups.groups_of("UPAGED")
    now[0] = 61.0
    await groups.groups_of("UPAGED")
    assert len(fake.calls_to("usergroups.list")) == 2


async def test_a_failed_group_lookup_grants_nothing_and_warns(fake: FakeSlackApi, caplog):
    fake.fail("usergroups.list", "missing_scope")
    with caplog.at_level(logging.WARNING, logger="okebot.test"):
        assert await directory(fake).groups_of("UPAGED") == ()
    assert "group grants do not apply" in caplog.text


async def test_a_member_of_an_operator_group_may_ask_a_whatif(group_bot: Bot):
    await group_bot.command("whatif analytics analytics-spark size=1", user="UPAGED")
    (answer,) = await group_bot.fake.wait_for("webhook")
    assert "What-if: analytics" in texts(answer.body["blocks"])


async def test_someone_outside_the_group_is_refused_with_the_reason(group_bot: Bot):
    await group_bot.command("whatif analytics analytics-spark size=1", user="USTRANGER")
    (answer,) = await group_bot.fake.wait_for("webhook")
    assert "needs the operator role" in answer.body["text"]


async def test_a_handle_resolves_to_its_groups_id_in_any_case(fake: FakeSlackApi):
    fake.usergroups = [ONCALL]
    groups = directory(fake)
    assert await groups.group_id("@OKE-Oncall") == "S0ONCALL"
    assert await groups.group_id("oke-oncall") == "S0ONCALL"
    assert await groups.group_id("@nobody") is None
    assert len(fake.calls_to("usergroups.list")) == 1


async def test_a_failed_reload_keeps_the_last_good_list_and_retries_after_30_seconds(fake: FakeSlackApi):
    fake.usergroups = [ONCALL]
    now = [0.0]
    groups = directory(fake, ttl_seconds=300, clock=lambda: now[0])
    await groups.groups_of("UPAGED")
    now[0] = 301.0
    fake.fail("usergroups.list", "internal_error")
    assert await groups.groups_of("UPAGED") == ("S0ONCALL", "@oke-oncall")
    now[0] = 320.0
    await groups.groups_of("UPAGED")
    assert len(fake.calls_to("usergroups.list")) == 2  # no retry before 30 s
    now[0] = 332.0
    await groups.groups_of("UPAGED")
    assert len(fake.calls_to("usergroups.list")) == 3


async def test_a_failure_with_no_earlier_list_is_retried_after_30_seconds_not_5_minutes(fake: FakeSlackApi):
    fake.fail("usergroups.list", "missing_scope")
    fake.usergroups = [ONCALL]
    now = [0.0]
    groups = directory(fake, clock=lambda: now[0])
    assert await groups.groups_of("UPAGED") == ()
    now[0] = 31.0
    assert await groups.groups_of("UPAGED") == ("S0ONCALL", "@oke-oncall")


class SlowGroupsApi:
    """A usergroups.list that never answers in time, as a client waiting out a long Retry-After would."""

    async def usergroups_list(self, **kwargs: object) -> dict[str, object]:
        await asyncio.sleep(60)
        return {"usergroups": [ONCALL]}


async def test_a_slow_group_lookup_gives_up_after_its_timeout_and_fails_closed():
    groups = SlackGroupDirectory(SlowGroupsApi(), logger=logging.getLogger("okebot.test"), timeout_seconds=0.05)
    # The API answers only after 60 s: without the lookup's own timeout this would hang past the guard.
    async with asyncio.timeout(30):
        assert await groups.groups_of("UPAGED") == ()
