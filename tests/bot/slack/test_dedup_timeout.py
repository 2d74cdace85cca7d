"""A slow idempotency store must not hold the Events ack past Slack's 3 seconds."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from adapters.store.factory import open_store
from engine.ports import StateStore
from tests.bot.slack.harness import LOGGER, VIEWER, start_bot


class StalledClaims:
    """A real store whose claim_once hangs, as a locked or unreachable database would."""

    def __init__(self, inner: StateStore) -> None:
        self._inner = inner

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        await asyncio.sleep(30)
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_an_event_is_acked_and_processed_when_the_claim_store_stalls(fake: FakeSlackApi,
                                                                          caplog: pytest.LogCaptureFixture):
    store = StalledClaims(await open_store("sqlite:///:memory:"))
    bot, _ = await start_bot(fake, store=store)
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            # The stalled claim never answers; without the claim's own timeout this would hang, not be slow.
            async with asyncio.timeout(20):
                response = await bot.event({"type": "app_home_opened", "user": VIEWER, "tab": "home"},
                                           event_id="EvSlow")
            assert response.status == 200
            await fake.wait_for("views.publish")
        assert "could not claim slack-event:EvSlow" in caplog.text
    finally:
        await bot.client.close()
        await store.close()
