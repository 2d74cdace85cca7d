"""A fake Slack Web API on 127.0.0.1 (port 0) that the real slack_sdk client talks to over HTTP.

It records every call (method, parsed body, headers), answers the methods okebot uses, serves the file
upload URL and a /webhook that stands in for response_url, and can inject errors, including 429 with
Retry-After. apps.connections.open hands out ws://…/link, a Socket Mode endpoint: it says hello, sends the
envelopes a test pushes, and records the client's acks as "socket_ack" calls.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER = "UOKEBOT"
FILE_CHUNK = 16 * 1024
UPLOAD_LIMIT = 64 * 1024 * 1024  # Slack takes files far larger than aiohttp's 1 MiB default body limit


@dataclass(frozen=True)
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass(frozen=True)
class Failure:
    error: str
    status: int = 200
    retry_after: int | None = None


@dataclass
class FakeSlackApi:
    calls: list[Call] = field(default_factory=list)
    _failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    files: dict[str, str | bytes] = field(default_factory=dict)  # name -> content, served at file_url(name)
    usergroups: list[dict[str, Any]] = field(default_factory=list)  # what usergroups.list answers
    port: int = 0

    async def start(self) -> FakeSlackApi:
        app = web.Application(client_max_size=UPLOAD_LIMIT)
        app.add_routes([web.post("/api/{method}", self._api), web.get("/api/{method}", self._api),
                        web.post("/webhook", self._webhook),
                        web.post("/upload/{file_id}", self._upload), web.get("/link", self._link),
                        web.get("/files/{name}", self._file)])
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def file_url(self, name: str) -> str:
        """Where a file put into `files` is served (Slack's url_private_download)."""
        return f"http://127.0.0.1:{self.port}/files/{name}"

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def fail(self, method: str, error: str, *, status: int = 200, retry_after: int | None = None,
             times: int = 1) -> None:
        """Make the next `times` calls of `method` fail."""
        for _ in range(times):
            self._failures[method].append(Failure(error, status, retry_after))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, *, within: float = 5.0) -> list[Call]:
        """Wait until `method` was called `count` times (listeners run after the ack)."""
        deadline = asyncio.get_running_loop().time() + within
        while len(self.calls_to(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"{method} called {len(self.calls_to(method))}x, wanted {count}; saw {seen}")
            await asyncio.sleep(0.01)
        return self.calls_to(method)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.content_type == "application/json":
            return json.loads(raw) if raw else {}
        # Some methods (files.getUploadURLExternal) send their arguments in the query string.
        body: dict[str, Any] = {**request.query, **dict(parse_qsl(raw, keep_blank_values=True))}
        for key in ("blocks", "view"):
            if isinstance(body.get(key), str) and body[key].startswith(("[", "{")):
                body[key] = json.loads(body[key])
        return body

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        self.calls.append(Call(method, body, dict(request.headers)))
        if self._failures[method]:
            failure = self._failures[method].popleft()
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status,
                                     headers=headers)
        return web.json_response({"ok": True, **self._answer(method, body)})

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"url": "https://fake.slack.com/", "team": "Fake", "user": "okebot", "team_id": "T0FAKE",
                    "user_id": BOT_USER, "bot_id": "B0FAKE", "is_enterprise_install": False}
        if method == "chat.postMessage":
            return {"channel": body.get("channel"), "ts": f"{len(self.calls)}.000100", "message": {}}
        if method == "chat.postEphemeral":
            return {"message_ts": f"{len(self.calls)}.000200"}
        if method.startswith("views."):
            return {"view": {"id": f"V{len(self.calls)}", **(body.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.calls)}"
            return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}
        if method == "conversations.open":
            return {"channel": {"id": f"D{body.get('users', 'X')}"}}
        if method == "usergroups.list":
            return {"usergroups": self.usergroups}
        if method == "apps.connections.open":
            return {"url": f"ws://127.0.0.1:{self.port}/link"}
        if method == "files.completeUploadExternal":
            files = json.loads(body.get("files", "[]")) if isinstance(body.get("files"), str) else body.get("files")
            return {"files": files or []}
        return {}

    async def _webhook(self, request: web.Request) -> web.Response:
        self.calls.append(Call("webhook", await self._body(request), dict(request.headers)))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"],
                                          "content": data.decode("utf-8", "replace")}, dict(request.headers)))
        return web.Response(text="OK - uploaded")

    async def push(self, envelope: dict[str, Any], *, within: float = 5.0) -> None:
        """Send a Socket Mode envelope to the connected client (waiting for it to connect)."""
        deadline = asyncio.get_running_loop().time() + within
        while not self._sockets:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("no Socket Mode client connected")
            await asyncio.sleep(0.01)
        await self._sockets[0].send_json(envelope)

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()  # answers the client's pings with pongs
        await socket.prepare(request)
        self.calls.append(Call("socket_connect", {}, dict(request.headers)))
        self._sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "connection_info": {"app_id": "A0FAKE"}, "debug_info": {"host": "fake"}})
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self.calls.append(Call("socket_ack", json.loads(message.data), {}))
        finally:
            self._sockets.remove(socket)
        return socket

    async def _file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.calls.append(Call("file", {"name": name}, dict(request.headers)))
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
