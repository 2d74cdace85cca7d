"""/metrics moves as the real Slack app answers commands: acks timed, help and admin commands counted by name
and outcome, reads timed by source, Slack API errors counted by method, all scraped over HTTP from the same
aiohttp app that serves /slack/events."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient, TestServer

from adapters.fakes.slack_api import FakeSlackApi
from adapters.store.factory import open_store
from bot.compose import build_reader
from bot.metrics import Metrics
from bot.slack.app import create_app, create_client
from bot.slack.deps import Deps
from bot.slack.groups import SlackGroupDirectory
from bot.slack.settings import SlackSettings
from bot.slack.transport import http_web_app
from bot.work import WorkService
from engine.access import AccessPolicy, Role, RoleGrant
from tests.bot.slack.harness import SECRET, Bot


def sample(text: str, line_start: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(line_start)]
    return float(line.rsplit(" ", 1)[1])


async def test_metrics_move_after_a_few_commands():
    metrics = Metrics()
    async with FakeSlackApi() as fake:
        fake.fail("usergroups.list", "missing_scope", times=None)
        settings = SlackSettings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                                 slack_api_url=fake.base_url)
        store = await open_store("sqlite:///:memory:", observer=metrics.store_error)
        logger = logging.getLogger("okebot.test")
        policy = AccessPolicy(grants=(RoleGrant(kind="group", subject="@sre", role=Role.OPERATOR),))
        deps = Deps(reader=build_reader("demo", metrics=metrics), store=store, policy=policy,
                    clock=lambda: datetime.now(UTC), logger=logger, metrics=metrics, work=WorkService(kind="thread"),
                    groups=SlackGroupDirectory(create_client(settings, metrics=metrics), logger=logger))
        web_app = http_web_app(create_app(settings, deps), signing_secret=SECRET, metrics=metrics)
        async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
            bot = Bot(fake=fake, client=client, store=store)
            before = await (await client.get("/metrics")).text()
            for text in ("clusters", "capacity payments-native", "cni", "help", "bind payments-native"):
                assert (await bot.command(text)).status == 200
            await bot.audited(5)
            after = await (await client.get("/metrics")).text()
        await store.close()
    reads = 'okebot_read_seconds_count{source="demo"}'
    assert sample(before, reads) == 0
    assert sample(after, reads) >= 3
    errors = 'okebot_slack_api_errors_total{error="missing_scope",method="usergroups.list"}'
    assert errors not in before
    assert sample(after, errors) >= 1
    assert sample(after, "okebot_ack_seconds_count") == 5
    assert sample(after, 'okebot_commands_total{command="help",outcome="ok"}') == 1
    assert sample(after, 'okebot_commands_total{command="bind",outcome="refused"}') == 1  # a viewer may not bind
