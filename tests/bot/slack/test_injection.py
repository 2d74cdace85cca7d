"""Slack markup in OCI- or user-derived text never becomes a mention or a link: not in blocks, not in the
top-level `text` fallback (which Slack also renders as mrkdwn and uses for notifications)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from tests.bot.slack.harness import OPERATOR, Bot, start_bot
from tests.bot.slack.readers import renamed

EVIL = "<!channel> <@U123> <http://evil.example|ok>"
RAW_MARKUP = ("<!channel>", "<@U123>", "<http")


def mrkdwn_texts(node: Any) -> list[str]:
    """Every string Slack renders as mrkdwn: mrkdwn text objects (plain_text and button values are inert)."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str) else []
        return own + [t for value in node.values() for t in mrkdwn_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    return []


def assert_inert(body: dict[str, Any]) -> None:
    rendered = [str(body.get("text", "")), *mrkdwn_texts(body.get("blocks") or body.get("view"))]
    for markup in RAW_MARKUP:
        for text in rendered:
            assert markup not in text, (markup, text)


@pytest.fixture
async def evil_bot(fake: FakeSlackApi) -> AsyncIterator[Bot]:
    harness, _ = await start_bot(fake, reader=renamed("analytics", EVIL))
    yield harness
    await harness.client.close()
    await harness.store.close()


@pytest.mark.parametrize("text", ["clusters", "capacity", "cni", f"diagnose '{EVIL}'", f"capacity '{EVIL}'"])
async def test_a_cluster_named_with_slack_markup_renders_inert(evil_bot: Bot, text: str):
    await evil_bot.command(text)
    (answer,) = await evil_bot.fake.wait_for("webhook")
    shown = str(answer.body)
    assert "&lt;!channel&gt;" in shown or EVIL in shown  # escaped in mrkdwn, as is in plain_text headers
    assert_inert(answer.body)


async def test_a_whatif_on_a_cluster_named_with_markup_renders_inert(evil_bot: Bot):
    await evil_bot.command(f"whatif '{EVIL}' analytics-spark size=2", user=OPERATOR)
    (answer,) = await evil_bot.fake.wait_for("webhook")
    assert "What-if" in answer.body["text"]
    assert_inert(answer.body)


async def test_the_home_tab_shows_a_cluster_named_with_markup_inert(evil_bot: Bot):
    await evil_bot.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvEvil")
    (call,) = await evil_bot.fake.wait_for("views.publish")
    assert_inert(call.body)


@pytest.mark.parametrize("text", [
    "<!channel>",
    "capacity '<!channel>'",
    "capacity <@U123>",
    "cni '<http://evil.example|ok>'",
    "diagnose <!channel>",
    "whatif '<@U123>' size=3",
    "whatif analytics size=<!channel>",
    "explain '<http://evil.example|ok>'",
    "help <!channel>",
    "capacity analytics '<!channel>'",
])
async def test_markup_typed_after_oke_never_comes_back_live(bot: Bot, text: str):
    await bot.command(text, user=OPERATOR)
    (answer,) = await bot.fake.wait_for("webhook")
    assert answer.body["text"]
    assert_inert(answer.body)
