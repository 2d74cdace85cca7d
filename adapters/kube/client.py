"""A small read-only client for one cluster's Kubernetes API server, on aiohttp.

Every request carries the bearer token, runs under one timeout and one semaphore (so no cluster sees more
than `concurrency` requests from okebot at once), and fails only with SourceError: aiohttp's and the API
server's errors are translated here, once.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import aiohttp

from engine.errors import InputError, SourceError

# A callable is asked once per `async with` (one read), in a worker thread: signing may block.
TokenProvider = str | Callable[[], str]
_ERROR_BODY_BYTES = 16_384
_RBAC_REMEDY = "apply deploy/kubernetes/rbac.yaml and bind okebot's OCI identity (docs/kubernetes-access.md)"


def ssl_context(ca_pem: str | None, *, verify_tls: bool = True) -> ssl.SSLContext:
    """A client TLS context trusting `ca_pem` (else the system store), or anything when told not to verify."""
    context = ssl.create_default_context()
    if not verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_pem:
        try:
            context.load_verify_locations(cadata=ca_pem)
        except (ssl.SSLError, ValueError) as exc:
            raise InputError(f"is not a PEM CA certificate ({exc})", where="certificate-authority") from exc
    return context


class KubeClient:
    """GET JSON and text from one API server. Use as `async with KubeClient(...) as kube:`."""

    def __init__(
        self,
        endpoint: str,
        *,
        token: TokenProvider,
        ca_pem: str | None = None,
        verify_tls: bool = True,
        concurrency: int = 8,
        timeout: float = 10.0,
    ) -> None:
        if concurrency < 1:
            raise InputError("must be at least 1", where="concurrency")
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self._bearer_token: str | None = None
        self._ca_pem = ca_pem
        self._verify_tls = verify_tls
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._seconds = timeout
        self._limit = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> KubeClient:
        # Both block: loading CA bundles reads files, and an OCI principal signer may refresh its own token
        # over synchronous HTTP. In a worker thread they cannot stall the bot's event loop.
        tls: ssl.SSLContext | bool = True
        if self.endpoint.startswith("https://"):
            tls = await asyncio.to_thread(ssl_context, self._ca_pem, verify_tls=self._verify_tls)
        token = self._token
        self._bearer_token = token if isinstance(token, str) else await asyncio.to_thread(token)
        connector = aiohttp.TCPConnector(limit=self._concurrency, ssl=tls)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET `path` and return the JSON object the API server sent."""
        body = await self._get(path, params)
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise SourceError(f"Kubernetes API {path} did not return JSON") from exc
        if not isinstance(document, dict):
            raise SourceError(f"Kubernetes API {path} did not return a JSON object")
        return document

    async def get_bytes(
        self, path: str, params: Mapping[str, str] | None = None, *, max_bytes: int | None = None
    ) -> bytes:
        """GET `path` and return the raw body (pod logs are not JSON), at most `max_bytes` of it."""
        return await self._get(path, params, max_bytes=max_bytes)

    async def list_items(
        self, path: str, params: Mapping[str, str] | None = None, *, page: int = 500
    ) -> list[Any]:
        """GET a list, following `metadata.continue` page by page, and return all its items."""
        items: list[Any] = []
        query = {**(params or {}), "limit": str(page)}
        while True:
            document = await self.get_json(path, query)
            items.extend(document.get("items") or [])
            token = (document.get("metadata") or {}).get("continue")
            if not token:
                return items
            query = {**query, "continue": str(token)}

    async def _get(
        self, path: str, params: Mapping[str, str] | None, *, max_bytes: int | None = None
    ) -> bytes:
        if self._session is None:
            raise RuntimeError("KubeClient used outside `async with`")
        url = self.endpoint + path
        async with self._limit:
            headers = {"Authorization": f"Bearer {self._bearer()}", "Accept": "application/json, */*"}
            try:
                async with self._session.get(url, params=params, headers=headers) as response:
                    if response.status >= 400:
                        body = await response.content.read(_ERROR_BODY_BYTES)
                        raise _status_error(response.status, body, path=path, endpoint=self.endpoint)
                    return await _read_bounded(response.content, max_bytes)
            except SourceError:
                raise
            except TimeoutError as exc:
                raise SourceError(f"Kubernetes API {self.endpoint} did not answer {path} "
                                  f"within {self._seconds:g}s") from exc
            except aiohttp.ClientConnectorCertificateError as exc:
                raise SourceError(
                    f"Kubernetes API {self.endpoint}: TLS certificate not trusted ({exc.certificate_error})",
                    remedy="give okebot the cluster's CA (certificate-authority-data from create_kubeconfig)",
                ) from exc
            except aiohttp.ClientError as exc:
                raise SourceError(f"cannot reach Kubernetes API {self.endpoint}: {exc}") from exc

    def _bearer(self) -> str:
        if self._bearer_token is None:
            raise RuntimeError("KubeClient used outside `async with`")
        return self._bearer_token


async def _read_bounded(stream: aiohttp.StreamReader, max_bytes: int | None) -> bytes:
    """The body, stopping after `max_bytes` so a server that ignores limitBytes cannot flood memory."""
    if max_bytes is None:
        return await stream.read()
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        chunk = await stream.read(max_bytes - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _status_error(status: int, body: bytes, *, path: str, endpoint: str) -> SourceError:
    reason, detail = _kube_status(body)
    if status == 401:
        return SourceError(
            f"Kubernetes API {endpoint} rejected okebot's token (401 Unauthorized)",
            status=status, code=reason or "Unauthorized",
            remedy="check the OCI identity okebot signs tokens with, or the kubeconfig token; tokens expire",
        )
    if status == 403:
        return SourceError(
            f"Kubernetes API {endpoint} forbids okebot {path} (403): {detail}",
            status=status, code=reason or "Forbidden", remedy=_RBAC_REMEDY,
        )
    if status == 404:
        return SourceError(f"Kubernetes API {endpoint} has no {path} (404): {detail}",
                           status=status, code=reason or "NotFound")
    return SourceError(f"Kubernetes API {endpoint} failed {path} ({status}): {detail}",
                       status=status, code=reason)


def _kube_status(body: bytes) -> tuple[str | None, str]:
    """The reason and message of a Kubernetes Status body, or the body's first line when it is not one."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        document = json.loads(text)
    except ValueError:
        return None, text.splitlines()[0][:300] if text else "no details"
    if isinstance(document, dict) and document.get("kind") == "Status":
        return document.get("reason"), str(document.get("message") or "no details")
    return None, text[:300]
