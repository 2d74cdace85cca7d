"""WorkService: runs CPU-bound calls off the event loop, at most `concurrency` at a time (the package docstring
says how to use it).

A call takes a slot (queue.py), goes to the pool (pool.py) and frees its slot when it ends there. In a process
pool, tenancies among its arguments travel as parcels (parcels.py), once per worker (worker.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from bot.work.parcels import Missing, Shipments
from bot.work.pool import PoolKind, kill_workers, new_pool, stop_pool
from bot.work.queue import Slots, current_notice
from bot.work.worker import call_in_worker, warm
from engine.model import Tenancy

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_CONCURRENCY = 2  # a 2-CPU pod: two answers at once, the loop on what is left


class WorkClosedError(RuntimeError):
    """The work service is closed (the bot is shutting down): no new work is taken."""


@dataclass(frozen=True)
class WorkStats:
    """A snapshot of the service's counters. Seconds are wall-clock; counts are since start."""

    kind: PoolKind
    concurrency: int
    running: int
    queued: int
    submitted: int
    completed: int
    failed: int
    waited: int
    wait_seconds: float
    max_queued: int
    tenancies_shipped: int


class WorkService:
    """Runs CPU-bound calls off the event loop, at most `concurrency` at a time (see the package docstring).

    Args:
        concurrency: calls that run at once; the rest queue (OKEBOT_ANSWER_CONCURRENCY).
        kind: "process" (worker processes) or "thread" (a thread pool in this process).
        preload: modules worker processes import before their first call (process pools only).
        logger: where a failed wait notice or a dead worker is logged.
    """

    def __init__(
        self,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        kind: PoolKind = "thread",
        preload: Sequence[str] = (),
        logger: logging.Logger | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self.kind: PoolKind = kind
        self._preload = tuple(preload)
        self._logger = logger or logging.getLogger("okebot.work")
        self._pool: Executor | None = None
        self._slots = Slots(concurrency, logger=self._logger)
        self._closed = False
        self._shipments = Shipments()
        self._submitted = self._completed = self._failed = 0

    # --- the interface -----------------------------------------------------------------------------

    async def run(
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`fn(*args, **kwargs)` in a worker, once a slot is free; its result, or what it raised.

        Raises WorkClosedError after `close`; cancelling the caller cancels a call that has not started
        (a started call finishes in its worker, and its slot is freed then).
        """
        if self._closed:
            raise WorkClosedError("okebot is shutting down and takes no new work")
        self._submitted += 1
        await self._slots.acquire(current_notice())
        try:
            result = await self._call(fn, args, kwargs)
        except BaseException:
            self._failed += 1
            raise
        self._completed += 1
        return result

    @property
    def running(self) -> int:
        """Calls running now."""
        return self._slots.running

    @property
    def queued(self) -> int:
        """Calls waiting for a slot now."""
        return self._slots.queued

    def stats(self) -> WorkStats:
        """The counters, for logs and metrics."""
        slots = self._slots
        return WorkStats(kind=self.kind, concurrency=self.concurrency, running=slots.running, queued=slots.queued,
                         submitted=self._submitted, completed=self._completed, failed=self._failed,
                         waited=slots.waited, wait_seconds=round(slots.wait_seconds, 3),
                         max_queued=slots.max_queued, tenancies_shipped=self._shipments.shipped)

    async def start(self) -> None:
        """Start every worker now (and import `preload` in them), so the first question does not pay for it."""
        if self.kind != "process" or self._closed:
            return
        pool = self._executor()
        loop = asyncio.get_running_loop()
        # Each call that finds no idle worker starts one: `concurrency` calls at once start them all.
        await asyncio.gather(*(loop.run_in_executor(pool, warm, 0.05) for _ in range(self.concurrency)))

    def kill(self) -> None:
        """Kill the worker processes now, without waiting (the process is about to exit on a second signal)."""
        self._closed = True
        kill_workers(self._pool)

    async def close(self) -> None:
        """Take no new work; cancel calls still queued; stop the workers (calls running in them are lost)."""
        self._closed = True
        self._slots.cancel_waiting()
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(stop_pool, pool)
        self._shipments.clear()

    # --- calling --------------------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """Run one call in the pool; the slot taken by `acquire` is freed when the call ends in the pool."""
        loop = asyncio.get_running_loop()
        try:
            pool = self._executor()
        except BaseException:
            self._slots.release()
            raise
        if self.kind == "thread":
            future = pool.submit(functools.partial(fn, *args, **kwargs))
            self._release_when_done(future, loop)
            return await asyncio.wrap_future(future)
        values = (*args, *kwargs.values())
        # A tenancy no worker has seen is packed first; one sent before goes as its token alone, and only a
        # worker that has not seen it yet asks for it (`Missing`), on the same slot.
        try:
            with_payload = not all(self._shipments.known(v) for v in values if isinstance(v, Tenancy))
            if with_payload:
                await self._shipments.pack_all(values)
        except BaseException:
            self._slots.release()
            raise
        outcome = await self._submit(pool, loop, fn, args, kwargs, with_payload=with_payload)
        if isinstance(outcome, Missing):
            try:
                await self._shipments.pack_all(values)  # still kept, unless evicted meanwhile
            except BaseException:
                self._slots.release()
                raise
            outcome = await self._submit(pool, loop, fn, args, kwargs, with_payload=True)
        result: T = await self._shipments.unpack_result(outcome)
        return result

    async def _submit(
        self, pool: Executor, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any],
        args: tuple[Any, ...], kwargs: dict[str, Any], *, with_payload: bool,
    ) -> Any:
        """Submit one call holding the caller's slot; the slot is freed when the call ends in the pool, unless
        the worker answered `Missing` (the caller resubmits on the same slot)."""
        shipments = self._shipments
        try:
            sent_args = tuple([shipments.parcel_of(a, with_payload=with_payload) for a in args])
            sent_kwargs = {k: shipments.parcel_of(v, with_payload=with_payload) for k, v in kwargs.items()}
            future = pool.submit(call_in_worker, fn, sent_args, sent_kwargs)
            if with_payload:
                shipments.count_shipped((*sent_args, *sent_kwargs.values()))
        except BaseException as error:
            self._slots.release()
            if isinstance(error, BrokenProcessPool) and self._pool is pool:
                self._pool = None  # the next call starts a new pool
            raise
        self._release_when_done(future, loop, unless_missing=not with_payload)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._logger.error("a worker process died; the next call starts a new pool")
            if self._pool is pool:
                self._pool = None
                await asyncio.to_thread(stop_pool, pool)
            raise

    def _release_when_done(
        self, future: Future[Any], loop: asyncio.AbstractEventLoop, *, unless_missing: bool = False
    ) -> None:
        def done(finished: Future[Any]) -> None:
            if (unless_missing and not finished.cancelled() and finished.exception() is None
                    and isinstance(finished.result(), Missing)):
                return  # the caller resubmits with the payload, on this slot
            with contextlib.suppress(RuntimeError):  # the loop is already closed: nothing left to release
                loop.call_soon_threadsafe(self._slots.release)

        future.add_done_callback(done)

    def _executor(self) -> Executor:
        if self._closed:
            raise WorkClosedError("okebot is shutting down and takes no new work")
        if self._pool is None:
            self._pool = new_pool(self.kind, workers=self.concurrency, preload=self._preload)
        return self._pool
