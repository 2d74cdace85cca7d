"""A fake Kubernetes API server that serves one snapshot `kubernetes` entry over HTTP(S) on 127.0.0.1.

It answers the four reads the CNI reader makes, checks the bearer token, pages lists, applies `tailLines` and
`limitBytes` to logs, and lets a test inject faults per path (a status, latency) and read what was asked of
it (`calls`, `queries`, `max_in_flight`). Usage:

    async with FakeKubeServer(entry, token="t") as kube:
        objects = await read_cni_objects(kube.url, ca_pem=None, token="t")
"""

from __future__ import annotations

import asyncio
import ssl
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 500: "InternalError"}


@dataclass
class Fault:
    """What to do to requests for one path: wait `delay` seconds, then answer `status` (if set)."""

    status: int | None = None
    delay: float = 0.0
    message: str = "injected fault"


class FakeKubeServer:
    """Serves `entry` ({"cniDaemonSet", "cniControllerRevisions", "cniPods", "cniLogs"}) as the API does."""

    def __init__(
        self,
        entry: Mapping[str, Any],
        *,
        token: str = "okebot-test-token",
        accepts_token: Callable[[str], bool] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.entry = entry
        self.accepts_token = accepts_token or (lambda offered: offered == token)
        self.latency = latency
        # A server (or proxy) that ignores limitBytes, to show the client's own bound holds.
        self.honors_limit_bytes = True
        self.faults: dict[str, Fault] = {}
        self.calls: Counter[str] = Counter()
        self.queries: list[tuple[str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None

    def fail(self, path: str, status: int = 500, *, message: str = "injected fault") -> None:
        """Answer every request for `path` with `status`."""
        self.faults[path] = Fault(status=status, delay=self.faults.get(path, Fault()).delay, message=message)

    def slow(self, path: str, seconds: float) -> None:
        """Wait `seconds` before answering requests for `path`."""
        fault = self.faults.get(path, Fault())
        self.faults[path] = Fault(status=fault.status, delay=seconds, message=fault.message)

    async def start(self, *, tls: tuple[str, str] | None = None) -> str:
        """Listen on a free 127.0.0.1 port (HTTPS when `tls` = (cert chain PEM, key PEM)); return the URL."""
        app = web.Application(middlewares=[self._middleware])
        app.add_routes([
            web.get("/apis/apps/v1/namespaces/{ns}/daemonsets/{name}", self._daemon_set),
            web.get("/apis/apps/v1/namespaces/{ns}/controllerrevisions", self._revisions),
            web.get("/api/v1/namespaces/{ns}/pods", self._pods),
            web.get("/api/v1/namespaces/{ns}/pods/{pod}/log", self._log),
        ])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._server_ssl(tls) if tls else None)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        """Stop listening and forget the TLS files."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tls_dir is not None:
            self._tls_dir.cleanup()
            self._tls_dir = None

    async def __aenter__(self) -> FakeKubeServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _server_ssl(self, tls: tuple[str, str]) -> ssl.SSLContext:
        # ssl loads certificates only from files, so they live in a temporary folder while the server runs.
        self._tls_dir = tempfile.TemporaryDirectory(prefix="fake-kube-tls-")
        cert, key = Path(self._tls_dir.name, "tls.crt"), Path(self._tls_dir.name, "tls.key")
        cert.write_text(tls[0])
        key.write_text(tls[1])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        return context

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.calls[request.path] += 1
        self.queries.append((request.path, dict(request.query)))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            fault = self.faults.get(request.path, Fault())
            if self.latency or fault.delay:
                await asyncio.sleep(self.latency + fault.delay)
            offered = request.headers.get("Authorization", "")
            if not (offered.startswith("Bearer ") and self.accepts_token(offered[len("Bearer "):])):
                return _status(401, "Unauthorized")
            if fault.status is not None:
                return _status(fault.status, fault.message)
            return await handler(request)
        finally:
            self.in_flight -= 1

    async def _daemon_set(self, request: web.Request) -> web.StreamResponse:
        daemon_set = self.entry.get("cniDaemonSet") or {}
        name = request.match_info["name"]
        if not self._in_namespace(daemon_set, request) or daemon_set.get("metadata", {}).get("name") != name:
            return _status(404, f'daemonsets.apps "{name}" not found')
        return web.json_response(daemon_set)

    async def _revisions(self, request: web.Request) -> web.StreamResponse:
        return self._list(request, self.entry.get("cniControllerRevisions") or [],
                          kind="ControllerRevisionList", api_version="apps/v1")

    async def _pods(self, request: web.Request) -> web.StreamResponse:
        return self._list(request, self.entry.get("cniPods") or [], kind="PodList", api_version="v1")

    async def _log(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["pod"]
        pod = next((pod for pod in self.entry.get("cniPods") or []
                    if pod["metadata"]["name"] == name and self._in_namespace(pod, request)), None)
        if pod is None:
            return _status(404, f'pods "{name}" not found')
        problem = _container_problem(pod, request.query.get("container"))
        if problem:
            return _status(400, problem)
        text = str((self.entry.get("cniLogs") or {}).get(name, ""))
        query = dict(request.query)
        if not self.honors_limit_bytes:
            query.pop("limitBytes", None)
        return web.Response(body=_tail(text, query), content_type="text/plain")

    def _list(
        self, request: web.Request, objects: Sequence[Mapping[str, Any]], *, kind: str, api_version: str
    ) -> web.StreamResponse:
        try:
            matched = [obj for obj in objects if self._in_namespace(obj, request)
                       and matches_selector(obj.get("metadata", {}).get("labels") or {},
                                            request.query.get("labelSelector", ""))]
        except ValueError as exc:
            return _status(400, str(exc))
        start = int(request.query.get("continue") or 0)
        limit = int(request.query.get("limit") or 0) or len(matched)
        page = matched[start:start + limit]
        metadata: dict[str, Any] = {"resourceVersion": "1"}
        if start + limit < len(matched):
            metadata["continue"] = str(start + limit)
            metadata["remainingItemCount"] = len(matched) - start - limit
        body = {"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": page}
        return web.json_response(body)

    @staticmethod
    def _in_namespace(obj: Mapping[str, Any], request: web.Request) -> bool:
        namespace: str = obj.get("metadata", {}).get("namespace", "kube-system")
        return namespace == request.match_info["ns"]


def _container_problem(pod: Mapping[str, Any], container: str | None) -> str | None:
    """The API server's 400 message when the log request names no container or the wrong one."""
    names = [c["name"] for c in pod.get("spec", {}).get("containers") or []]
    pod_name = pod["metadata"]["name"]
    if container is None and len(names) > 1:
        return f"a container name must be specified for pod {pod_name}, choose one of: [{' '.join(names)}]"
    if container is not None and container not in names:
        return f"container {container} is not valid for pod {pod_name}"
    return None


def matches_selector(labels: Mapping[str, str], selector: str) -> bool:
    """Whether `labels` match an equality-based selector ("a=b,c!=d,e,!f"); set-based ones are refused."""
    for requirement in filter(None, (part.strip() for part in selector.split(","))):
        if " in " in requirement or " notin " in requirement or "(" in requirement:
            raise ValueError(f"the fake API server does not support set-based selector {requirement!r}")
        if "!=" in requirement:
            key, value = (side.strip() for side in requirement.split("!=", 1))
            if labels.get(key) == value:
                return False
        elif "=" in requirement:
            key, value = (side.strip() for side in requirement.replace("==", "=").split("=", 1))
            if labels.get(key) != value:
                return False
        elif requirement.startswith("!"):
            if requirement[1:].strip() in labels:
                return False
        elif requirement not in labels:
            return False
    return True


def _tail(text: str, query: Mapping[str, str]) -> bytes:
    """The last `tailLines` lines, then at most `limitBytes` bytes of them, as the kubelet serves logs."""
    body = text
    if "tailLines" in query:
        lines = text.splitlines(keepends=True)
        count = int(query["tailLines"])
        body = "".join(lines[-count:]) if count > 0 else ""
    data = body.encode()
    if "limitBytes" in query:
        data = data[: int(query["limitBytes"])]
    return data


def _status(code: int, message: str) -> web.Response:
    reason = _REASONS.get(code, "Unknown")
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    return web.json_response(body, status=code)
