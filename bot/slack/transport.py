"""The two ways Slack reaches the bot: Socket Mode (default, no public URL) and HTTP on aiohttp.

HTTP: POST /slack/events is public, so the gate in front of Bolt checks every request before anything parses
its body: at most MAX_BODY_BYTES are read (413 beyond), the signature and its timestamp (±5 minutes) must be
Slack's (401 otherwise: missing, stale or mis-signed), and a signed body Bolt could not parse is refused
(400). Nobody without the signing secret can make okebot parse a byte of a body or log a traceback. Bolt's
own verification still runs behind the gate. While the bot drains (SIGTERM), the gate answers 503 and
closes the connection: no new work is accepted.

Socket Mode frames arrive over the app-token-authenticated websocket and are not signed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.metrics import Metrics, metrics_routes
from bot.slack.settings import SlackSettings

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are a few kB; a modal with a pasted plan stays far below this
REPLAY_WINDOW_SECONDS = 300  # Slack's own rule: refuse a request whose timestamp is more than 5 minutes off
CLEANUP_SECONDS = 2.0
ReadyCheck = Callable[[], Awaitable[bool]]
Draining = Callable[[], bool]


async def _always_ready() -> bool:
    return True


def _never_draining() -> bool:
    return False


def health_routes(ready: ReadyCheck) -> list[web.RouteDef]:
    """/healthz (the process answers) and /readyz (it can take Slack traffic: 503 while draining)."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        ok = await ready()
        return web.json_response({"ready": ok}, status=200 if ok else 503)

    return [web.get("/healthz", healthz), web.get("/readyz", readyz)]


class RequestGate:
    """Checks a POST to /slack/events before Bolt sees it; `admit` returns the body, or the refusal to send.

    Args:
        signing_secret: the app's signing secret (SLACK_SIGNING_SECRET).
        max_bytes: the largest body read; a larger one is refused with 413 after reading max_bytes + 1.
        clock: Unix seconds now (tests pass their own).
        draining: True while the bot shuts down: every request gets 503.
    """

    def __init__(
        self, signing_secret: str, *, max_bytes: int = MAX_BODY_BYTES, clock: Callable[[], float] = time.time,
        draining: Draining = _never_draining,
    ) -> None:
        if not signing_secret:
            raise ValueError("HTTP mode needs SLACK_SIGNING_SECRET")
        self._secret = signing_secret.encode()
        self._max_bytes = max_bytes
        self._clock = clock
        self._draining = draining

    async def admit(self, request: web.Request) -> str | web.Response:
        """The request's body as text when it is Slack's and well-formed; else the response refusing it."""
        if self._draining():
            return _refuse(503, "okebot is restarting; Slack will reach another replica",
                           headers={"Connection": "close", "Retry-After": "1"})
        body = await self._read(request)
        if body is None:
            return _refuse(413, f"the body is larger than {self._max_bytes} bytes")
        if not self._signed(request, body):
            return _refuse(401, "invalid request")
        try:
            text = body.decode("utf-8")
            _check_parsable(text, request.content_type)
        except ValueError:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
            return _refuse(400, "the body is not a Slack payload")
        return text

    async def _read(self, request: web.Request) -> bytes | None:
        """At most max_bytes + 1 bytes of the body; None when it is larger than max_bytes."""
        if request.content_length is not None and request.content_length > self._max_bytes:
            return None
        data = bytearray()
        while len(data) <= self._max_bytes:
            chunk = await request.content.read(self._max_bytes + 1 - len(data))
            if not chunk:
                break
            data += chunk
        return None if len(data) > self._max_bytes else bytes(data)

    def _signed(self, request: web.Request, body: bytes) -> bool:
        """Slack's v0 signature over the raw body, with a timestamp within the replay window."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12 or not signature:
            return False
        if abs(self._clock() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = b"v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest().encode()
        return hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape"))


def _check_parsable(text: str, content_type: str) -> None:
    """Raise ValueError unless Bolt can read the body as a payload (a JSON object), as it reads bodies.

    Bolt (slack_bolt.request.internals.parse_body) takes JSON when the type says so or the body starts with
    "{", else form fields, whose `payload` (interactivity) is JSON again.
    """
    if not text:
        return
    if content_type == "application/json" or text.startswith("{"):
        parsed: object = json.loads(text)
    elif "payload" in text:
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        parsed = {} if payload is None else json.loads(payload)
    else:
        return  # plain form fields (a slash command) always parse
    if not isinstance(parsed, dict):
        raise ValueError("a Slack payload is a JSON object")


def _refuse(status: int, error: str, *, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": error}, status=status, headers=headers)


def http_web_app(
    app: AsyncApp,
    *,
    signing_secret: str,
    ready: ReadyCheck = _always_ready,
    draining: Draining = _never_draining,
    max_bytes: int = MAX_BODY_BYTES,
    metrics: Metrics | None = None,
) -> web.Application:
    """POST /slack/events (the gate, then Bolt), /healthz and /readyz, and /metrics when given `metrics`.

    Raises ValueError when `signing_secret` is empty (HTTP mode cannot verify Slack without it).
    """
    gate = RequestGate(signing_secret, max_bytes=max_bytes, draining=draining)

    async def events(request: web.Request) -> web.Response:
        admitted = await gate.admit(request)
        if isinstance(admitted, web.Response):
            return admitted
        # As Bolt's own aiohttp adapter builds it, with the body the gate already read.
        bolt_request = AsyncBoltRequest(body=admitted, query=request.query_string,
                                        headers=request.headers)  # type: ignore[arg-type]
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    web_app = web.Application(client_max_size=max_bytes + 1)
    web_app.add_routes([web.post(EVENTS_PATH, events), *health_routes(ready)])
    if metrics is not None:
        web_app.add_routes(metrics_routes(metrics))
    return web_app


def health_only_app(ready: ReadyCheck, *, metrics: Metrics | None = None) -> web.Application:
    """The health endpoints (and /metrics when given `metrics`), for Socket Mode where Slack needs no HTTP
    endpoint."""
    web_app = web.Application()
    web_app.add_routes(health_routes(ready))
    if metrics is not None:
        web_app.add_routes(metrics_routes(metrics))
    return web_app


async def start_site(web_app: web.Application, *, host: str, port: int) -> web.AppRunner:
    """Serve an aiohttp application inside the running loop (app.start() would own the loop).

    `cleanup()` waits at most CLEANUP_SECONDS for requests still being handled: it runs after the drain, when
    only a client that never finishes sending is left, and aiohttp's own 60 s would outlast Kubernetes'
    grace period (okebot would be SIGKILLed instead of exiting 0).
    """
    runner = web.AppRunner(web_app, shutdown_timeout=CLEANUP_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def stop_listening(runner: web.AppRunner) -> None:
    """Close the listening sockets: no new connections; requests on open ones are still answered."""
    for site in list(runner.sites):
        await site.stop()


def socket_mode_handler(app: AsyncApp, settings: SlackSettings) -> AsyncSocketModeHandler:
    """The Socket Mode handler for the app token (connect with `connect_async`)."""
    return AsyncSocketModeHandler(app, app_token=settings.app_token() or None, web_client=app.client)


def socket_ready(handler: AsyncSocketModeHandler) -> ReadyCheck:
    """Ready while the websocket is connected; `is_connected` is a coroutine and must be awaited."""

    async def ready() -> bool:
        return bool(await handler.client.is_connected())

    return ready


async def run_forever(stop: asyncio.Event) -> None:
    """Wait until `stop` is set (by a signal handler)."""
    await stop.wait()
