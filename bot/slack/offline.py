"""Run one `/oke` command through the real app without Slack: a signed request goes into AsyncApp.dispatch,
and the fake Slack Web API on 127.0.0.1 stands in for the Web API and the response_url."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.fakes.slack_api import FakeSlackApi
from adapters.fakes.slack_workspace import READ_METHODS
from bot.slack.app import create_app
from bot.slack.deps import Deps
from bot.slack.settings import SlackSettings

OFFLINE_SECRET = "okebot-offline-signing-secret"
LISTENER_TIMEOUT = 60.0


def signed_command(text: str, *, user: str, channel: str, response_url: str) -> AsyncBoltRequest:
    """A slash-command request signed as Slack would sign it."""
    body = urlencode({"team_id": "TOFFLINE", "channel_id": channel, "user_id": user, "command": "/oke",
                      "text": text, "response_url": response_url, "trigger_id": "offline"})
    ts = str(int(time.time()))
    signature = SignatureVerifier(OFFLINE_SECRET).generate_signature(timestamp=ts, body=body) or ""
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"],
                                                "x-slack-signature": [signature],
                                                "x-slack-request-timestamp": [ts]})


async def run_offline(text: str, *, deps: Deps, user: str, channel: str) -> list[dict[str, Any]]:
    """Dispatch `/oke text` into a real AsyncApp and return everything it sent to Slack, the ack first.

    Each item is {"method": ..., "body": ...}; what went to the response_url is named "response_url".
    Reads (auth.test, usergroups.list, ...) are left out: they send nothing.
    """
    async with FakeSlackApi() as fake:
        settings = SlackSettings(slack_bot_token="xoxb-offline", slack_signing_secret=OFFLINE_SECRET,
                                 slack_api_url=fake.base_url)
        app = create_app(settings, deps)
        request = signed_command(text, user=user, channel=channel, response_url=fake.response_url)
        before = asyncio.all_tasks()
        response = await app.async_dispatch(request)
        # Listeners keep running after the ack: wait for the ones this request started.
        started = asyncio.all_tasks() - before - {asyncio.current_task()}
        if started:
            await asyncio.wait(started, timeout=LISTENER_TIMEOUT)
        ack = {"method": "ack", "body": {"status": response.status, "body": response.body}}
        sent = [{"method": "response_url" if call.method == "webhook" else call.method, "body": call.body}
                for call in fake.calls if call.method not in READ_METHODS]
    return [ack, *sent]
