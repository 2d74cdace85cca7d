"""A fake Slack Web API on 127.0.0.1 (port 0) that the real slack_sdk client talks to over HTTP.

One fake for `okebot run`, the benchmarks and the tests. It records every call (method, parsed body,
headers, arrival time) and plays a workspace (`adapters.fakes.slack_workspace`): messages kept per channel
with their ts and metadata, conversations.history, conversations.open, the files_upload_v2 flow with the
uploaded bytes, user groups, and the granted scopes in every answer's `x-oauth-scopes` header. It serves a
/webhook that stands in for response_url, Slack's private file URLs (`files`), and a Socket Mode endpoint
(apps.connections.open hands out ws://…/link: it says hello, sends the envelopes a test pushes, and records
the client's acks as "socket_ack" calls and its going as "socket_disconnect"). `fail` injects errors per
method: Slack's own HTTP 200 {"ok": false}, or another status such as 429 with Retry-After.

    async with FakeSlackApi(scopes=("commands", "chat:write")) as fake:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from adapters.fakes.slack_workspace import BOT_USER, DEFAULT_SCOPES, SlackMethodError, Workspace

__all__ = ["BOT_USER", "Call", "Failure", "FakeSlackApi", "Hold"]

FILE_CHUNK = 16 * 1024
UPLOAD_LIMIT = 64 * 1024 * 1024  # Slack takes files far larger than aiohttp's 1 MiB default body limit


@dataclass(frozen=True)
class Call:
    """One request the fake received: a Web API method, or "webhook", "upload", "file", "socket_*".

    `at` is time.perf_counter() on arrival, for benchmarks that time answers.
    """

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = 0.0


@dataclass
class Hold:
    """One call held on arrival until `release()`: before Slack accepts it (then it is dropped, as a request
    whose sender died before it got through), or after (the message is kept; only the answer waits).

    `arrived` is set when the call comes in, with the call in `call`.
    """

    method: str
    after_accept: bool
    skip: int = 0  # calls of `method` let through before the one held
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    call: Call | None = None

    def release(self) -> None:
        """Let the held call finish (an accepted one is answered; one held before acceptance is dropped)."""
        self.released.set()

    async def wait(self, *, within: float) -> Call:
        """The held call, once it arrived; TimeoutError after `within` seconds."""
        await asyncio.wait_for(self.arrived.wait(), timeout=within)
        assert self.call is not None
        return self.call


@dataclass(frozen=True)
class Failure:
    """How to refuse one call: `error` in {"ok": false}, with HTTP `status` (Slack's own is 200)."""

    error: str
    status: int = 200
    retry_after: int | None = None


class FakeSlackApi(Workspace):
    """A `Workspace` served over HTTP. Start it with `await FakeSlackApi().start()`, close it with `close()`.

    Args:
        scopes: the scopes granted to the bot token, sent in the `x-oauth-scopes` header of every answer.
    """

    def __init__(self, *, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> None:
        super().__init__(scopes=scopes)
        self.calls: list[Call] = []
        self.files: dict[str, str | bytes] = {}  # name -> content, served at file_url(name)
        self.port = 0
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._always: dict[str, Failure] = {}
        self._holds: dict[str, deque[Hold]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []

    async def start(self) -> FakeSlackApi:
        """Listen on a free port of 127.0.0.1; return self."""
        app = web.Application(client_max_size=UPLOAD_LIMIT)
        app.add_routes([web.post("/api/{method}", self._api), web.get("/api/{method}", self._api),
                        web.post("/webhook", self._webhook),
                        web.post("/upload/{file_id}", self._upload), web.put("/upload/{file_id}", self._upload),
                        web.get("/link", self._link), web.get("/files/{name}", self._file)])
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        """Disconnect Socket Mode clients and stop listening."""
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeSlackApi:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """The Web API URL to give slack_sdk (`base_url`, or SLACK_API_URL)."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def response_url(self) -> str:
        """A response_url for payloads: what is posted there is recorded as "webhook" calls."""
        return f"http://127.0.0.1:{self.port}/webhook"

    def file_url(self, name: str) -> str:
        """Where a file put into `files` is served (Slack's url_private_download)."""
        return f"http://127.0.0.1:{self.port}/files/{name}"

    def fail(self, method: str, error: str, *, status: int = 200, retry_after: int | None = None,
             times: int | None = 1) -> None:
        """Refuse the next `times` calls of `method` (every call from now on when `times` is None).

        By default as Slack refuses: HTTP 200 with {"ok": false, "error": error}. A `status` of 429 with
        `retry_after` seconds is Slack's rate limit.
        """
        failure = Failure(error, status, retry_after)
        if times is None:
            self._always[method] = failure
        else:
            self._failures[method].extend([failure] * times)

    def hold(self, method: str, *, after_accept: bool, skip: int = 0) -> Hold:
        """Hold the next call of `method` (after letting `skip` more through; see Hold): to kill its sender
        mid-call in a test."""
        held = Hold(method, after_accept, skip)
        self._holds[method].append(held)
        return held

    def _next_hold(self, method: str) -> Hold | None:
        waiting = self._holds[method]
        if not waiting:
            return None
        if waiting[0].skip > 0:
            waiting[0].skip -= 1
            return None
        return waiting.popleft()

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method, oldest first."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, *, within: float = 5.0) -> list[Call]:
        """Wait until `method` was called `count` times (listeners run after the ack); AssertionError if not."""
        deadline = asyncio.get_running_loop().time() + within
        while len(self.calls_to(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"{method} called {len(self.calls_to(method))}x, wanted {count}; saw {seen}")
            await asyncio.sleep(0.01)
        return self.calls_to(method)

    async def push(self, envelope: dict[str, Any], *, within: float = 5.0) -> None:
        """Send a Socket Mode envelope to the connected client (waiting for it to connect)."""
        deadline = asyncio.get_running_loop().time() + within
        while not self._sockets:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("no Socket Mode client connected")
            await asyncio.sleep(0.01)
        await self._sockets[0].send_json(envelope)

    def _record(self, method: str, body: dict[str, Any], request: web.Request) -> Call:
        call = Call(method, body, dict(request.headers), time.perf_counter())
        self.calls.append(call)
        return call

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _body(request)
        call = self._record(method, body, request)
        held = self._next_hold(method)
        if held is not None and not held.after_accept:
            held.call = call
            held.arrived.set()
            await held.released.wait()
            return web.json_response({"ok": False, "error": "request_dropped"}, status=503)
        response = self._answer(method, body)
        if held is not None:
            held.call = call
            held.arrived.set()
            await held.released.wait()
        return response

    def _answer(self, method: str, body: dict[str, Any]) -> web.Response:
        headers = {"x-oauth-scopes": ",".join(self.scopes)}  # Slack sends it with every answer
        failure = self._failures[method].popleft() if self._failures[method] else self._always.get(method)
        if failure is not None:
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        base = f"http://127.0.0.1:{self.port}"
        try:
            answer = {"ok": True, **self.answer(method, body, base_url=base)}
        except SlackMethodError as refused:
            answer = {"ok": False, "error": refused.error}
        return web.json_response(answer, headers=headers)

    async def _webhook(self, request: web.Request) -> web.Response:
        self._record("webhook", await _body(request), request)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        file_id, data = request.match_info["file_id"], await request.read()
        self._record("upload", {"file_id": file_id, "content": data.decode("utf-8", "replace")}, request)
        try:
            self.receive_upload(file_id, data)
        except SlackMethodError:
            return web.Response(status=404, text="no such upload")
        return web.Response(text="OK - uploaded")

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()  # answers the client's pings with pongs
        await socket.prepare(request)
        self._record("socket_connect", {}, request)
        self._sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "connection_info": {"app_id": "A0FAKE"}, "debug_info": {"host": "fake"}})
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self.calls.append(Call("socket_ack", json.loads(message.data), {}, time.perf_counter()))
        finally:
            self._sockets.remove(socket)
            self._record("socket_disconnect", {}, request)
        return socket

    async def _file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self._record("file", {"name": name}, request)
        if not request.headers.get("Authorization", "").startswith("Bearer xoxb-"):
            return web.Response(status=302, headers={"Location": "/login"})  # as Slack does without a token
        if name not in self.files:
            return web.Response(status=404)
        # Streamed in pauses, as a real download arrives: one read() of the body sees only the first chunks.
        response = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
        await response.prepare(request)
        content = self.files[name]
        data = content if isinstance(content, bytes) else content.encode()
        for start in range(0, len(data), FILE_CHUNK):
            await response.write(data[start:start + FILE_CHUNK])
            await asyncio.sleep(0.002)
        await response.write_eof()
        return response


async def _body(request: web.Request) -> dict[str, Any]:
    """A call's arguments: a JSON body, or form fields merged over the query string."""
    raw = await request.text()
    if request.content_type == "application/json":
        return dict(json.loads(raw)) if raw else {}
    # Some methods (files.getUploadURLExternal, conversations.history) send their arguments in the query.
    body: dict[str, Any] = {**request.query, **dict(parse_qsl(raw, keep_blank_values=True))}
    for key in ("blocks", "view"):
        if isinstance(body.get(key), str) and body[key].startswith(("[", "{")):
            body[key] = json.loads(body[key])
    return body
