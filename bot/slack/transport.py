"""The two ways Slack reaches the bot: Socket Mode (default, no public URL) and HTTP on aiohttp.

Signature and 5-minute replay checks are Bolt's request-verification middleware (HTTP only; Socket Mode
frames arrive over the app-token-authenticated websocket).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.slack.settings import SlackSettings

EVENTS_PATH = "/slack/events"
ReadyCheck = Callable[[], Awaitable[bool]]


async def _always_ready() -> bool:
    return True


def health_routes(ready: ReadyCheck) -> list[web.RouteDef]:
    """/healthz (the process answers) and /readyz (it can take Slack traffic)."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        ok = await ready()
        return web.json_response({"ready": ok}, status=200 if ok else 503)

    return [web.get("/healthz", healthz), web.get("/readyz", readyz)]


def http_web_app(app: AsyncApp, *, ready: ReadyCheck = _always_ready) -> web.Application:
    """Bolt's aiohttp application for POST /slack/events, with our health routes added to it."""
    web_app = app.web_app(path=EVENTS_PATH)
    web_app.add_routes(health_routes(ready))
    return web_app


def health_only_app(ready: ReadyCheck) -> web.Application:
    """The health endpoints alone, for Socket Mode where Slack needs no HTTP endpoint."""
    web_app = web.Application()
    web_app.add_routes(health_routes(ready))
    return web_app


async def start_site(web_app: web.Application, *, host: str, port: int) -> web.AppRunner:
    """Serve an aiohttp application inside the running loop (app.start() would own the loop)."""
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def socket_mode_handler(app: AsyncApp, settings: SlackSettings) -> AsyncSocketModeHandler:
    """The Socket Mode handler for the app token (connect with `connect_async`)."""
    token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
    return AsyncSocketModeHandler(app, app_token=token, web_client=app.client)


def socket_ready(handler: AsyncSocketModeHandler) -> ReadyCheck:
    """Ready while the websocket is connected; `is_connected` is a coroutine and must be awaited."""

    async def ready() -> bool:
        return bool(await handler.client.is_connected())

    return ready


async def run_forever(stop: asyncio.Event) -> None:
    """Wait until `stop` is set (by a signal handler)."""
    await stop.wait()
