from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from tests.bot.slack.harness import Bot, start_bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
async def bot(fake: FakeSlackApi) -> AsyncIterator[Bot]:
    harness, _ = await start_bot(fake)
    yield harness
    await harness.client.close()
    await harness.store.close()
