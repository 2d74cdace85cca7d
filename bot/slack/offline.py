"""Run one `/oke` command through the real app without Slack: a signed request goes into AsyncApp.dispatch,
and an in-process recorder on 127.0.0.1 stands in for the Web API and the response_url."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack.app import create_app
from bot.slack.deps import Deps
from bot.slack.settings import SlackSettings

OFFLINE_SECRET = "okebot-offline-signing-secret"
LISTENER_TIMEOUT = 60.0


@dataclass
class Recorder:
    """Records what the app sends to Slack; answers every Web API method with ok."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)   # time.perf_counter() of each item in `sent`
    port: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.add_routes([web.post("/api/{method}", self._api), web.get("/api/{method}", self._api),
                        web.post("/webhook", self._webhook)])
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _payload(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.content_type == "application/json":
            return dict(json.loads(raw or "{}"))
        return dict(parse_qsl(raw))

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UOKEBOT", "bot_id": "BOKEBOT", "team_id": "TOFFLINE"})
        if method == "usergroups.list":  # offline there are no Slack user groups; not something Slack is sent
            return web.json_response({"ok": True, "usergroups": []})
        self.sent.append({"method": method, "body": await self._payload(request)})
        self.arrivals.append(time.perf_counter())
        return web.json_response({"ok": True, "ts": "1.0", "message_ts": "1.0", "view": {"id": "V"}})

    async def _webhook(self, request: web.Request) -> web.Response:
        self.sent.append({"method": "response_url", "body": await self._payload(request)})
        self.arrivals.append(time.perf_counter())
        return web.Response(text="ok")


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
    """Dispatch `/oke text` into a real AsyncApp and return everything it sent to Slack, the ack first."""
    recorder = Recorder()
    await recorder.start()
    try:
        settings = SlackSettings(slack_bot_token="xoxb-offline", slack_signing_secret=OFFLINE_SECRET,
                                 slack_api_url=f"http://127.0.0.1:{recorder.port}/api/")
        app = create_app(settings, deps)
        request = signed_command(text, user=user, channel=channel,
                                 response_url=f"http://127.0.0.1:{recorder.port}/webhook")
        before = asyncio.all_tasks()
        response = await app.async_dispatch(request)
        # Listeners keep running after the ack: wait for the ones this request started.
        started = asyncio.all_tasks() - before - {asyncio.current_task()}
        if started:
            await asyncio.wait(started, timeout=LISTENER_TIMEOUT)
        ack = {"method": "ack", "body": {"status": response.status, "body": response.body}}
        return [ack, *recorder.sent]
    finally:
        await recorder.close()
