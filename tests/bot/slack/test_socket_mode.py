"""Socket Mode end to end: the real SDK client gets its URL from apps.connections.open on the fake Web API,
connects to the fake's websocket, acks a slash-command envelope by its id, and answers at response_url."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from adapters.store.factory import open_store
from bot.compose import build_reader
from bot.slack.app import create_app
from bot.slack.deps import Deps
from bot.slack.settings import SlackSettings, Transport
from bot.slack.transport import socket_mode_handler, socket_ready
from tests.bot.slack.harness import LOGGER, POLICY, VIEWER, texts

APP_TOKEN = "xapp-1-A0FAKE-1-socket"


@pytest.fixture
async def handler(fake: FakeSlackApi) -> AsyncIterator[Any]:  # the SDK's handler methods are untyped
    settings = SlackSettings.model_validate({"slack_bot_token": "xoxb-test", "slack_app_token": APP_TOKEN,
                                             "slack_api_url": fake.base_url})
    settings.require(Transport.SOCKET)
    store = await open_store("sqlite:///:memory:")
    deps = Deps(reader=build_reader("demo"), store=store, policy=POLICY, clock=lambda: datetime.now(UTC),
                logger=logging.getLogger(LOGGER))
    socket_handler: Any = socket_mode_handler(create_app(settings, deps), settings)
    await socket_handler.connect_async()
    yield socket_handler
    await socket_handler.close_async()
    await store.close()


def slash_envelope(envelope_id: str, text: str, response_url: str) -> dict[str, Any]:
    return {"envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"token": "legacy", "team_id": "T0FAKE", "channel_id": "CGENERAL", "user_id": VIEWER,
                        "command": "/oke", "text": text, "response_url": response_url,
                        "trigger_id": "trigger-s", "api_app_id": "A0FAKE"}}


async def test_socket_mode_acks_a_slash_command_envelope_and_answers_at_the_response_url(
    handler: Any, fake: FakeSlackApi
):
    (opened,) = fake.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"
    await fake.push(slash_envelope("env-1", "capacity analytics", fake.response_url))
    (ack,) = await fake.wait_for("socket_ack")
    assert ack.body["envelope_id"] == "env-1"
    (answer,) = await fake.wait_for("webhook")
    assert answer.body["response_type"] == "ephemeral"
    assert "Capacity: analytics" in texts(answer.body["blocks"])


async def test_socket_mode_readiness_follows_the_websocket(handler: Any, fake: FakeSlackApi):
    await fake.wait_for("socket_connect")
    assert await socket_ready(handler)() is True
    await handler.close_async()
    assert await socket_ready(handler)() is False


async def test_socket_mode_answers_malformed_text_with_usage(handler: Any, fake: FakeSlackApi):
    await fake.push(slash_envelope("env-2", "diagnose", fake.response_url))
    (ack,) = await fake.wait_for("socket_ack")
    assert ack.body["envelope_id"] == "env-2"
    (answer,) = await fake.wait_for("webhook")
    assert "/oke diagnose" in texts(answer.body["blocks"])
