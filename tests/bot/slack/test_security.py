from __future__ import annotations

import asyncio
import logging
import sys
import time

import pytest

from bot.slack.redact import MASK, SecretRedactingFilter
from tests.bot.slack.harness import SECRET, VIEWER, Bot, sign


async def test_unsigned_requests_are_refused(bot: Bot):
    response = await bot.post(bot.command_body("help"), "application/x-www-form-urlencoded", signed=False)
    assert response.status == 401


async def test_tampered_requests_are_refused(bot: Bot):
    body = bot.command_body("help")
    headers = sign(body)
    tampered = body.replace("help", "rules")
    response = await bot.client.post("/slack/events", data=tampered.encode(),
                                     headers={"content-type": "application/x-www-form-urlencoded", **headers})
    assert response.status == 401


async def test_replayed_requests_older_than_five_minutes_are_refused(bot: Bot):
    body = bot.command_body("help")
    stale = sign(body, timestamp=int(time.time()) - 301)
    response = await bot.client.post("/slack/events", data=body.encode(),
                                      headers={"content-type": "application/x-www-form-urlencoded", **stale})
    assert response.status == 401


async def test_requests_signed_with_another_secret_are_refused(bot: Bot):
    body = bot.command_body("help")
    response = await bot.client.post("/slack/events", data=body.encode(),
                                      headers={"content-type": "application/x-www-form-urlencoded",
                                               **sign(body, secret=SECRET + "x")})
    assert response.status == 401
    await asyncio.sleep(0.05)
    assert bot.fake.calls_to("webhook") == []


async def test_a_redelivered_event_is_processed_once(bot: Bot):
    event = {"type": "app_home_opened", "user": VIEWER, "channel": "D1", "tab": "home"}
    first = await bot.event(event, event_id="EvSame")
    retry = await bot.event(event, event_id="EvSame", retry=1)
    assert first.status == 200
    assert retry.status == 200
    assert retry.headers.get("x-slack-no-retry") == "1"
    await bot.fake.wait_for("views.publish")
    await asyncio.sleep(0.1)
    assert len(bot.fake.calls_to("views.publish")) == 1


@pytest.mark.parametrize("text", [
    "cluster <!channel> has <@U123> and <http://evil.example|click>",
    "a & b > c",
])
async def test_slack_markup_in_input_cannot_reach_mrkdwn_unescaped(bot: Bot, text: str):
    await bot.command(f"capacity '{text}'")
    (answer,) = await bot.fake.wait_for("webhook")
    rendered = str(answer.body["blocks"])
    assert "<!channel>" not in rendered
    assert "<@U123>" not in rendered
    assert "<http" not in rendered


def test_log_redaction_masks_tokens_and_secrets_in_a_logged_traceback_too():
    try:
        raise RuntimeError(f"request failed with xoxb-123-456-abcdef and {SECRET}")
    except RuntimeError:
        record = logging.LogRecord("okebot", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    SecretRedactingFilter([SECRET]).filter(record)
    formatted = logging.Formatter().format(record)
    assert "Traceback" in formatted
    assert "xoxb-" not in formatted
    assert SECRET not in formatted


def test_log_redaction_masks_tokens_and_the_signing_secret():
    record = logging.LogRecord("okebot", logging.INFO, __file__, 1, "token %s secret %s app %s",
                               ("xoxb-123-456-abcdef", SECRET, "xapp-1-A1-99-ff"), None)
    SecretRedactingFilter([SECRET]).filter(record)
    message = record.getMessage()
    assert "xoxb-" not in message
    assert SECRET not in message
    assert "xapp-" not in message
    assert message.count(MASK) == 3
