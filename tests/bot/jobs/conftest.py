"""A job runner on the demo tenancy, a SQLite store and the fake Slack Web API, driven tick by tick."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.fakes.slack_api import FakeSlackApi
from adapters.store import open_store
from bot.compose import build_reader
from bot.jobs.runner import JobRunner, build_runner
from bot.jobs.settings import JobSettings
from bot.slack.deps import Deps
from engine.access import AccessPolicy, ChannelBinding
from engine.digest.definition import DigestDefinition
from engine.ports import StateStore

CHANNEL = "CPAY"
POLICY = AccessPolicy(bindings=(ChannelBinding(channel=CHANNEL, clusters=("payments-native",)),))


@dataclass
class Jobs:
    fake: FakeSlackApi
    store: StateStore
    runner: JobRunner
    digest: DigestDefinition

    def posts(self) -> list[dict[str, object]]:
        return [c.body for c in self.fake.calls_to("chat.postMessage")]


def settings(**changes: object) -> JobSettings:
    values: dict[str, object] = {"okebot_sample_interval_seconds": 0, "okebot_slack_retry_seconds": 0.0,
                                 "okebot_scheduler_tick_seconds": 0.5} | changes
    return JobSettings.model_validate(values)


async def make_jobs(fake: FakeSlackApi, store: StateStore, *, digest: DigestDefinition,
                    job_settings: JobSettings | None = None, policy: AccessPolicy = POLICY,
                    owner: str = "replica-a") -> Jobs:
    deps = Deps(reader=build_reader("demo"), store=store, policy=policy, clock=lambda: datetime.now(UTC),
                logger=logging.getLogger("okebot.test.jobs"), digests=(digest,))
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
    runner = build_runner(deps, client=client, settings=job_settings or settings(), config_digests=(digest,),
                          owner=owner)
    return Jobs(fake=fake, store=store, runner=runner, digest=digest)


def every_10s(**changes: object) -> DigestDefinition:
    fields: dict[str, object] = {"name": "pay", "channel": CHANNEL, "schedule": "every 10s", "chart": True,
                                 "origin": "config"} | changes
    return DigestDefinition.model_validate(fields)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[StateStore]:
    opened = await open_store(f"sqlite:///{tmp_path / 'jobs.db'}")
    yield opened
    await opened.close()
