"""Run one `/oke` command through the real app without Slack: a signed request goes into AsyncApp.dispatch,
and the fake Slack Web API on 127.0.0.1 stands in for the Web API and the response_url.

Offline there is nobody to attach a file for: the full text of a too-long answer is kept and returned
(`okebot run` prints it) instead of being uploaded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.fakes.slack_api import FakeSlackApi
from adapters.fakes.slack_workspace import DEFAULT_SCOPES, READ_METHODS
from bot.slack.app import create_app
from bot.slack.deps import Answered, Deps
from bot.slack.settings import SlackSettings
from engine.audit import AuditEntry

OFFLINE_SECRET = "okebot-offline-signing-secret"
LISTENER_TIMEOUT = 60.0
WHERE_ATTACHED = "(okebot run prints it below)"


@dataclass
class OfflineRun:
    """What one offline command did.

    `sent`: everything sent to Slack, the ack first, each {"method": ..., "body": ...} (what went to the
    response_url is named "response_url"; reads such as auth.test are left out). `attached`: the full texts
    of too-long answers, as {"filename", "content"}. `answers`: each question answered. `audit`: the audit
    entry of the command (None when no listener ran).
    """

    sent: list[dict[str, Any]] = field(default_factory=list)
    attached: list[dict[str, str]] = field(default_factory=list)
    answers: list[Answered] = field(default_factory=list)
    audit: AuditEntry | None = None


def signed_command(text: str, *, user: str, channel: str, response_url: str) -> AsyncBoltRequest:
    """A slash-command request signed as Slack would sign it."""
    body = urlencode({"team_id": "TOFFLINE", "channel_id": channel, "user_id": user, "command": "/oke",
                      "text": text, "response_url": response_url, "trigger_id": "offline"})
    ts = str(int(time.time()))
    signature = SignatureVerifier(OFFLINE_SECRET).generate_signature(timestamp=ts, body=body) or ""
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"],
                                                "x-slack-signature": [signature],
                                                "x-slack-request-timestamp": [ts]})


async def run_offline(text: str, *, deps: Deps, user: str, channel: str) -> OfflineRun:
    """Dispatch `/oke text` into a real AsyncApp and return what it did (see OfflineRun)."""
    run = OfflineRun()

    async def attach(content: str, filename: str) -> str:
        run.attached.append({"filename": filename, "content": content})
        return WHERE_ATTACHED

    deps = dataclasses.replace(deps, attach=attach, answered=run.answers.append)
    # A workspace where okebot is in the asking channel and may say so (conversations.info).
    async with FakeSlackApi(scopes=(*DEFAULT_SCOPES, "channels:read", "groups:read")) as fake:
        fake.add_channel(channel, name=channel.lower(), is_member=True)
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
        run.sent.append({"method": "ack", "body": {"status": response.status, "body": response.body}})
        run.sent += [{"method": "response_url" if call.method == "webhook" else call.method, "body": call.body}
                     for call in fake.calls if call.method not in READ_METHODS]
    entries = await deps.store.list_audit(limit=1)
    run.audit = entries[0] if entries else None
    return run
