"""Run the synchronous OCI SDK on a dedicated, bounded thread pool, never on the event loop.

The executor also keeps read statistics: how many HTTP requests the SDK made (pages included, retries not)
and the critical-path depth, the longest chain of requests that had to wait for one another. An optional
`RequestObserver` hears of every request's outcome (operation and HTTP status), for metrics; the adapter
takes it as a plain callable, so it never imports whoever counts.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

from adapters.oci.errors import translate
from engine.errors import SourceError

T = TypeVar("T")
# Told of each request's outcome: (operation, status): the SDK method name ("list_clusters") and the HTTP
# status as text ("200", "404"), or the kind of failure when no answer came ("timeout", "connection").
RequestObserver = Callable[[str, str], None]

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("okebot_oci_depth", default=0)


@dataclass
class ReadStats:
    """What a read cost: requests made and the depth of the longest dependent chain of them."""

    calls: int = 0
    depth: int = 0
    calls_by_operation: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, operation: str) -> None:
        """Count one request of this operation (called from worker threads)."""
        with self._lock:
            self.calls += 1
            self.calls_by_operation[operation] = self.calls_by_operation.get(operation, 0) + 1


class _Exhausted(Exception):
    """Carries a page call's final error past the pagination helper's own retry wrapper.

    `oci.pagination` wraps every page call in DEFAULT_RETRY_STRATEGY, on top of the client's strategy: without
    this, a persistent 429 or timeout would be tried 8 x 8 times. Nothing retries this exception type.
    """

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.original = original


class OciExecutor:
    """A bounded thread pool for SDK calls, translating SDK errors into `SourceError` at the boundary."""

    def __init__(self, max_workers: int, *, observer: RequestObserver | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="okebot-oci")
        self.stats = ReadStats()
        self._observer = observer

    def close(self) -> None:
        """Stop the worker threads without waiting for calls still running (they are abandoned)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _counted(self, fn: Callable[..., T], operation: str, pages: list[int]) -> Callable[..., T]:
        def call(*args: Any, **kwargs: Any) -> T:
            self.stats.count(operation)
            pages[0] += 1
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:
                self._observe(operation, status_of(exc))
                raise _Exhausted(exc) from exc
            self._observe(operation, str(getattr(result, "status", None) or 200))
            return result

        return call

    def _observe(self, operation: str, status: str) -> None:
        if self._observer is not None:
            self._observer(operation, status)

    async def call(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one SDK operation on the pool and return its `.data`, which must be an SDK model."""
        data = await self._run(operation, fn, paginate=False, args=args, kwargs=kwargs)
        _check_models(operation, [data])
        return data

    async def stream(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bytes:
        """Run one SDK operation whose answer is a stream (kubeconfig YAML); the body is read on the pool too."""

        def read_body(*call_args: Any, **call_kwargs: Any) -> SimpleNamespace:
            return SimpleNamespace(data=bytes(fn(*call_args, **call_kwargs).data.content))

        body: bytes = await self._run(operation, read_body, paginate=False, args=args, kwargs=kwargs)
        return body

    async def first_page(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
        """Run one request of a list operation on the pool (no paging) and return that page's items."""
        data = await self._run(operation, fn, paginate=False, args=args, kwargs=kwargs)
        items = list(getattr(data, "items", data) or [])
        _check_models(operation, items)
        return items

    async def list_all(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
        """Run a list operation on the pool, following every page, and return all items (SDK models)."""
        data = await self._run(operation, fn, paginate=True, args=args, kwargs=kwargs)
        items = list(getattr(data, "items", data) or [])
        _check_models(operation, items)
        return items

    async def _run(
        self, operation: str, fn: Callable[..., Any], *, paginate: bool, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        import oci

        pages = [0]
        counted = self._counted(fn, operation, pages)
        if paginate:
            job = functools.partial(oci.pagination.list_call_get_all_results, counted, *args, **kwargs)
        else:
            job = functools.partial(counted, *args, **kwargs)
        loop = asyncio.get_running_loop()
        try:
            response = await loop.run_in_executor(self._pool, job)
        except _Exhausted as exhausted:
            raise translate(exhausted.original, operation=operation) from exhausted.original
        except Exception as exc:
            raise translate(exc, operation=operation) from exc
        finally:
            self._advance(pages[0])
        return response.data

    def _advance(self, pages: int) -> None:
        depth = _depth.get() + pages
        _depth.set(depth)
        self.stats.depth = max(self.stats.depth, depth)


def status_of(exc: BaseException) -> str:
    """The `status` an SDK call that raised is counted under: OCI's HTTP status ("404"), or "timeout",
    "connection", "circuit_open" or "error" when no answer came."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return str(status)
    name = type(exc).__name__
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return "timeout"
    if name == "CircuitBreakerError":
        return "circuit_open"
    if "Connection" in name or isinstance(exc, ConnectionError | OSError):
        return "connection"
    return "error"


def _check_models(operation: str, items: list[Any]) -> None:
    """Reject what the SDK makes of a body that is not JSON: raw text, or models with every field null."""
    if any(not hasattr(item, "swagger_types") or _all_null(item) for item in items):
        raise SourceError(
            f"{operation}: OCI returned a body that is not the JSON the API documents",
            code="MalformedResponse",
            remedy="Retry; if it persists, report it to Oracle support with the request id.",
        )


def _all_null(model: Any) -> bool:
    return all(getattr(model, attribute, None) is None for attribute in model.swagger_types)


async def _tracked(awaitable: Awaitable[Any], start: int) -> tuple[Any, int]:
    _depth.set(start)
    result = await awaitable
    return result, _depth.get()


def _close_unstarted(awaitables: tuple[Awaitable[Any], ...]) -> None:
    # A task cancelled before its first step never awaited its coroutine: close it, so Python does not warn
    # that a read "was never awaited".
    for awaitable in awaitables:
        if inspect.iscoroutine(awaitable) and inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED:
            awaitable.close()


async def gather(*awaitables: Awaitable[Any]) -> list[Any]:
    """Like `asyncio.gather`, and the caller's depth becomes the deepest branch's (for `ReadStats.depth`)."""
    start = _depth.get()
    tasks = [asyncio.ensure_future(_tracked(awaitable, start)) for awaitable in awaitables]
    try:
        pairs = await asyncio.gather(*tasks)
    except BaseException:
        # One branch failed for good (or the read was cancelled): stop the others rather than leak them.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        _close_unstarted(awaitables)
        raise
    _depth.set(max((depth for _, depth in pairs), default=start))
    return [result for result, _ in pairs]
