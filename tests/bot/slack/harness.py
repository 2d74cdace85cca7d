"""Drive the real okebot Slack app over HTTP: signed requests into an aiohttp test server, answers read
back from the fake Slack Web API and its response_url recorder."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.signature import SignatureVerifier

from adapters.fakes.slack_api import FakeSlackApi
from adapters.store.factory import open_store
from bot.compose import build_reader
from bot.slack.app import create_app, create_client
from bot.slack.deps import Deps
from bot.slack.groups import SlackGroupDirectory
from bot.slack.settings import SlackSettings
from bot.slack.transport import EVENTS_PATH, http_web_app
from bot.work import WorkService
from engine.access import AccessPolicy, ChannelBinding, Role, RoleGrant
from engine.audit import AuditEntry
from engine.digest.definition import DigestDefinition
from engine.ports import StateStore, TenancyReader

SECRET = "test-signing-secret-0123456789"
OPERATOR = "UOPS"
VIEWER = "UVIEW"
BOUND_CHANNEL = "CPAY"
OPEN_CHANNEL = "CGENERAL"
LOGGER = "okebot.test"

POLICY = AccessPolicy(
    default_role=Role.VIEWER,
    unbound_channels="all",
    bindings=(ChannelBinding(channel=BOUND_CHANNEL, clusters=("payments-native",)),),
    grants=(RoleGrant(kind="user", subject=OPERATOR, role=Role.OPERATOR),),
)


def sign(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"x-slack-request-timestamp": ts, "x-slack-signature": signature or ""}


@dataclass
class Bot:
    fake: FakeSlackApi
    client: TestClient[Any, Any]
    store: StateStore
    deps: Deps | None = None

    async def audited(self, count: int = 1) -> list[AuditEntry]:
        """The audit log, newest first, once it holds `count` entries (each is written after its answer)."""
        entries: list[AuditEntry] = []
        for _ in range(300):
            entries = await self.store.list_audit(limit=100)
            if len(entries) >= count:
                return entries
            await asyncio.sleep(0.01)
        raise AssertionError(f"{len(entries)} audit entries, wanted {count}")

    async def scrape(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        """GET /metrics as Prometheus would: every sample by (name, labels)."""
        response = await self.client.get("/metrics")
        assert response.status == 200
        return {(sample.name, frozenset(sample.labels.items())): sample.value
                for family in text_string_to_metric_families(await response.text()) for sample in family.samples}

    async def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
                   signed: bool = True) -> ClientResponse:
        all_headers = {"content-type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        return await self.client.post(EVENTS_PATH, data=body.encode(), headers=all_headers)

    def command_body(self, text: str, *, user: str = VIEWER, channel: str = OPEN_CHANNEL) -> str:
        return urlencode({"token": "legacy", "team_id": "T0FAKE", "channel_id": channel, "user_id": user,
                          "command": "/oke", "text": text, "response_url": self.fake.response_url,
                          "trigger_id": "trigger-1", "api_app_id": "A0FAKE"})

    async def command(self, text: str, *, user: str = VIEWER, channel: str = OPEN_CHANNEL) -> ClientResponse:
        return await self.post(self.command_body(text, user=user, channel=channel),
                               "application/x-www-form-urlencoded")

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], *, event_id: str, retry: int | None = None) -> ClientResponse:
        body = json.dumps({"token": "legacy", "team_id": "T0FAKE", "api_app_id": "A0FAKE", "type": "event_callback",
                           "event_id": event_id, "event_time": int(time.time()), "event": event})
        headers = {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"} if retry else {}
        return await self.post(body, "application/json", headers=headers)

    def block_action(self, action_id: str, value: str, *, user: str = VIEWER, channel: str = OPEN_CHANNEL,
                     ephemeral: bool = True) -> dict[str, Any]:
        return {"type": "block_actions", "team": {"id": "T0FAKE"}, "user": {"id": user},
                "api_app_id": "A0FAKE", "token": "legacy", "trigger_id": "trigger-2",
                "container": {"type": "message", "is_ephemeral": ephemeral}, "channel": {"id": channel},
                "response_url": self.fake.response_url,
                "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                             "action_ts": "1.1"}]}


async def start_bot(fake: FakeSlackApi, *, policy: AccessPolicy = POLICY,
                    reader: TenancyReader | None = None,
                    store: StateStore | None = None,
                    digests: tuple[DigestDefinition, ...] = (),
                    work: WorkService | None = None) -> tuple[Bot, TestServer]:
    store = store or await open_store("sqlite:///:memory:")
    settings = SlackSettings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                             slack_api_url=fake.base_url)
    groups = SlackGroupDirectory(create_client(settings), logger=logging.getLogger(LOGGER))
    deps = Deps(reader=reader or build_reader("demo"), store=store, policy=policy,
                clock=lambda: datetime.now(UTC), logger=logging.getLogger(LOGGER), groups=groups, digests=digests,
                work=work or WorkService(kind="thread"))
    server = TestServer(http_web_app(create_app(settings, deps), signing_secret=SECRET, metrics=deps.metrics),
                        host="127.0.0.1", port=0)
    client = TestClient(server)
    await client.start_server()
    return Bot(fake=fake, client=client, store=store, deps=deps), server


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a list of blocks, joined, for assertions."""
    return json.dumps(blocks, ensure_ascii=False)
