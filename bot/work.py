"""Heavy work off the event loop: a bounded pool of worker processes (or threads) with a visible queue.

The bot's event loop must answer Slack's acks, /healthz and /readyz at once, whatever else is going on.
Everything CPU-bound — converting a snapshot or a recording into the model, the engine's answer, Block Kit
and text rendering — goes through one `WorkService`, built by the composition root and found in
`deps.work`:

    report = await deps.work.run(assess_capacity, tenancy, cluster="prod")

`run(fn, *args, **kwargs)` calls `fn(*args, **kwargs)` in a worker and returns (or raises) what it returns
(or raises); `fn` is synchronous and pure (no event loop, no Deps, no I/O it could not do in another
process). Background jobs (the digest runner) use the same service, so the bound holds for everything.
At most `concurrency` calls run at once (OKEBOT_ANSWER_CONCURRENCY); the others wait in arrival order. A
caller that must wait is told how many calls are ahead of it (running or queued) through the notice it set
with `notify_when_queued` (once, for everything its task runs): that is how a question answers "⏳ Working on
it — N questions ahead of yours" only when it has to wait.

Two kinds of pool (measured in bench/bench_serve_load.py; see the README's Serving section):

- "process" (what `okebot serve` uses): worker processes, so heavy work never holds the loop's GIL. `fn` must
  be a module-level function and its arguments and result picklable. A `Tenancy` passed as an argument (or
  returned, alone or in a tuple) is shipped once per worker and tenancy object, not pickled per call: the
  workers keep the last few they saw, keyed by a token (`_Parcel`), so the second question on a cached read
  costs only its own answer. Exceptions come back as the same class with the same message and attributes,
  with the worker's traceback as a note.
- "thread": a thread pool in this process (tests, `okebot run`): simpler, but GIL-bound, so heavy Python
  work still slows the loop.

Counters for metrics: `stats()` (running, queued, submitted, completed, failed, waited, wait seconds,
tenancies shipped to workers).
Errors: whatever `fn` raises; `WorkClosedError` once the service is closed; a worker process that died
(killed for memory, say) fails the calls it held with `BrokenProcessPool`, and the next call starts a new pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ctypes
import functools
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

from engine.model import Tenancy

P = ParamSpec("P")
T = TypeVar("T")
PoolKind = Literal["process", "thread"]
WaitNotice = Callable[[int], Awaitable[None]]
"""Told once, when a call has to wait: how many calls are ahead of it (running or queued)."""

DEFAULT_CONCURRENCY = 2  # a 2-CPU pod: two answers at once, the loop on what is left
PARCELS_KEPT = 8  # tenancies remembered per process (main and each worker)
_PICKLE = pickle.HIGHEST_PROTOCOL
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Workers run at a lower priority than the event loop: when both want a CPU, the loop's acks go first.
WORKER_NICENESS = 10

_notice: contextvars.ContextVar[WaitNotice | None] = contextvars.ContextVar("okebot_wait_notice", default=None)


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


@contextlib.contextmanager
def notify_when_queued(notice: WaitNotice) -> Iterator[None]:
    """Within this block, the first call of this task (and its children) that has to wait calls `notice`."""
    sent = False

    async def once(ahead: int) -> None:
        nonlocal sent
        if not sent:
            sent = True
            await notice(ahead)

    token = _notice.set(once)
    try:
        yield
    finally:
        _notice.reset(token)


class WorkService:
    """Runs CPU-bound calls off the event loop, at most `concurrency` at a time (see the module docstring).

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
        self._running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False
        self._parcels: OrderedDict[int, tuple[Tenancy, str, bytes]] = OrderedDict()
        self._notices: set[asyncio.Task[None]] = set()
        self._submitted = self._completed = self._failed = self._waited = self._max_queued = 0
        self._shipped = 0
        self._wait_seconds = 0.0

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
        await self._acquire(_notice.get())
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
        return self._running

    @property
    def queued(self) -> int:
        """Calls waiting for a slot now."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    def stats(self) -> WorkStats:
        """The counters, for logs and metrics."""
        return WorkStats(kind=self.kind, concurrency=self.concurrency, running=self._running, queued=self.queued,
                         submitted=self._submitted, completed=self._completed, failed=self._failed,
                         waited=self._waited, wait_seconds=round(self._wait_seconds, 3),
                         max_queued=self._max_queued, tenancies_shipped=self._shipped)

    async def start(self) -> None:
        """Start every worker now (and import `preload` in them), so the first question does not pay for it."""
        if self.kind != "process" or self._closed:
            return
        pool = self._executor()
        loop = asyncio.get_running_loop()
        # Each call that finds no idle worker starts one: `concurrency` calls at once start them all.
        await asyncio.gather(*(loop.run_in_executor(pool, _warm, 0.05) for _ in range(self.concurrency)))

    def kill(self) -> None:
        """Kill the worker processes now, without waiting (the process is about to exit on a second signal)."""
        self._closed = True
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.kill()

    async def close(self) -> None:
        """Take no new work; cancel calls still queued; stop the workers (calls running in them are lost)."""
        self._closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.cancel()
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(_stop_pool, pool)
        self._parcels.clear()

    # --- the queue ------------------------------------------------------------------------------------

    async def _acquire(self, notice: WaitNotice | None) -> None:
        if self._running < self.concurrency and not self.queued:
            self._running += 1
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        ahead = self._running + self.queued - 1
        self._waited += 1
        self._max_queued = max(self._max_queued, self.queued)
        if notice is not None:
            self._notify(notice, ahead)
        started = time.monotonic()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over just as the caller gave up: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise
        finally:
            self._wait_seconds += time.monotonic() - started

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes to the next in line; `_running` stays
                return
        self._running -= 1

    def _notify(self, notice: WaitNotice, ahead: int) -> None:
        async def send() -> None:
            try:
                await notice(ahead)
            except Exception:  # the answer itself still comes; a lost notice is only logged
                self._logger.warning("could not send the queue notice", exc_info=True)

        task = asyncio.ensure_future(send())
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    # --- calling --------------------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """Run one call in the pool; the slot taken by `_acquire` is freed when the call ends in the pool."""
        loop = asyncio.get_running_loop()
        try:
            pool = self._executor()
        except BaseException:
            self._release()
            raise
        if self.kind == "thread":
            future = pool.submit(functools.partial(fn, *args, **kwargs))
            self._release_when_done(future, loop)
            return await asyncio.wrap_future(future)
        values = (*args, *kwargs.values())
        # A tenancy no worker has seen is packed first; one sent before goes as its token alone, and only a
        # worker that has not seen it yet asks for it (`_Missing`), on the same slot.
        try:
            with_payload = not all(self._known(v) for v in values if isinstance(v, Tenancy))
            if with_payload:
                await self._pack_all(values)
        except BaseException:
            self._release()
            raise
        outcome = await self._submit(pool, loop, fn, args, kwargs, with_payload=with_payload)
        if isinstance(outcome, _Missing):
            try:
                await self._pack_all(values)  # still kept, unless evicted meanwhile
            except BaseException:
                self._release()
                raise
            outcome = await self._submit(pool, loop, fn, args, kwargs, with_payload=True)
        result: T = await self._unpack_result(outcome)
        return result

    async def _submit(
        self, pool: Executor, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any],
        args: tuple[Any, ...], kwargs: dict[str, Any], *, with_payload: bool,
    ) -> Any:
        """Submit one call holding the caller's slot; the slot is freed when the call ends in the pool, unless
        the worker answered `_Missing` (the caller resubmits on the same slot)."""
        try:
            sent_args = tuple([self._parcel_of(a, with_payload=with_payload) for a in args])
            sent_kwargs = {k: self._parcel_of(v, with_payload=with_payload) for k, v in kwargs.items()}
            future = pool.submit(_call_in_worker, fn, sent_args, sent_kwargs)
            if with_payload:
                self._shipped += sum(1 for v in (*sent_args, *sent_kwargs.values()) if isinstance(v, _Parcel))
        except BaseException as error:
            self._release()
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
                await asyncio.to_thread(_stop_pool, pool)
            raise

    def _release_when_done(
        self, future: Future[Any], loop: asyncio.AbstractEventLoop, *, unless_missing: bool = False
    ) -> None:
        def done(finished: Future[Any]) -> None:
            if (unless_missing and not finished.cancelled() and finished.exception() is None
                    and isinstance(finished.result(), _Missing)):
                return  # the caller resubmits with the payload, on this slot
            with contextlib.suppress(RuntimeError):  # the loop is already closed: nothing left to release
                loop.call_soon_threadsafe(self._release)

        future.add_done_callback(done)

    def _executor(self) -> Executor:
        if self._closed:
            raise WorkClosedError("okebot is shutting down and takes no new work")
        if self._pool is None:
            if self.kind == "thread":
                self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="okebot-work")
            else:
                context = multiprocessing.get_context("forkserver")
                # A fresh server process forks the workers: nothing of this process's threads is inherited.
                context.set_forkserver_preload(["bot.work", *self._preload])
                self._pool = ProcessPoolExecutor(max_workers=self.concurrency, mp_context=context,
                                                 initializer=_init_worker, initargs=(self._preload,))
        return self._pool

    # --- shipping tenancies ---------------------------------------------------------------------------

    def _known(self, tenancy: Tenancy) -> bool:
        kept = self._parcels.get(id(tenancy))
        return kept is not None and kept[0] is tenancy

    def _parcel_of(self, value: Any, *, with_payload: bool) -> Any:
        if not isinstance(value, Tenancy):
            return value
        kept = self._parcels.get(id(value))
        if kept is None or kept[0] is not value:
            raise RuntimeError("a tenancy was sent before it was packed")  # _call packs unknown ones first
        self._parcels.move_to_end(id(value))
        return _Parcel(kept[1], kept[2] if with_payload else None)

    async def _pack_all(self, values: Sequence[Any]) -> None:
        for value in values:
            if isinstance(value, Tenancy) and not self._known(value):
                # Pickling a pydantic model runs Python code, so a thread gives the loop its turns.
                payload = await asyncio.to_thread(pickle.dumps, value, _PICKLE)
                self._keep(value, uuid.uuid4().hex, payload)

    def _keep(self, tenancy: Tenancy, token: str, payload: bytes) -> None:
        self._parcels[id(tenancy)] = (tenancy, token, payload)
        self._parcels.move_to_end(id(tenancy))
        while len(self._parcels) > PARCELS_KEPT:
            self._parcels.popitem(last=False)

    async def _unpack_result(self, outcome: Any) -> Any:
        if isinstance(outcome, _Raised):
            raise outcome.rebuild()
        if isinstance(outcome, _Parcel):
            return await self._unpack_parcel(outcome)
        if isinstance(outcome, tuple) and any(isinstance(item, _Parcel) for item in outcome):
            return tuple([await self._unpack_parcel(i) if isinstance(i, _Parcel) else i for i in outcome])
        return outcome

    async def _unpack_parcel(self, parcel: _Parcel) -> Tenancy:
        if parcel.payload is None:
            raise RuntimeError("a worker returned a tenancy without its payload")
        tenancy: Tenancy = await asyncio.to_thread(pickle.loads, parcel.payload)
        self._keep(tenancy, parcel.token, parcel.payload)  # the worker that made it keeps it under this token
        return tenancy


# --- what crosses the process boundary ----------------------------------------------------------------


@dataclass(frozen=True)
class _Parcel:
    """A tenancy in transit: its token, and its pickled bytes unless the receiver should know it already."""

    token: str
    payload: bytes | None


@dataclass(frozen=True)
class _Missing:
    """A worker's answer when it was sent a token it does not know: send the payload."""

    token: str


@dataclass(frozen=True)
class _Raised:
    """An exception raised in a worker, carried as its class, args and attributes (any __init__ signature)."""

    kind: type[BaseException]
    args: tuple[Any, ...]
    state: dict[str, Any]
    trace: str

    def rebuild(self) -> BaseException:
        error = self.kind.__new__(self.kind)
        error.args = self.args
        error.__dict__.update(self.state)
        error.add_note(f"raised in an okebot worker process:\n{self.trace}")
        return error


# --- the worker side ----------------------------------------------------------------------------------

_kept: OrderedDict[str, Tenancy] = OrderedDict()


def _init_worker(preload: Sequence[str]) -> None:
    """Each worker: leave signals to the parent (it stops the workers), yield the CPU to the event loop
    (WORKER_NICENESS), die with the fork server (which exits when okebot does, however it ends), import what
    calls will need."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)
    _die_with_parent()
    for module in preload:
        __import__(module)


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent exits (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _warm(seconds: float) -> int:
    time.sleep(seconds)  # held a moment, so that the calls made together land on different workers
    return os.getpid()


def _call_in_worker(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        real_args = tuple([_open(a) for a in args])
        real_kwargs = {k: _open(v) for k, v in kwargs.items()}
    except _Unknown as unknown:
        return _Missing(unknown.token)
    try:
        result = fn(*real_args, **real_kwargs)
    except Exception as error:
        return _raised(error)
    return _pack(result)


class _Unknown(Exception):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _open(value: Any) -> Any:
    if not isinstance(value, _Parcel):
        return value
    tenancy = _kept.get(value.token)
    if tenancy is None:
        if value.payload is None:
            raise _Unknown(value.token)
        tenancy = pickle.loads(value.payload)
    _remember(value.token, tenancy)
    return tenancy


def _remember(token: str, tenancy: Tenancy) -> None:
    _kept[token] = tenancy
    _kept.move_to_end(token)
    while len(_kept) > PARCELS_KEPT:
        _kept.popitem(last=False)


def _pack(result: Any) -> Any:
    def parcel(value: Any) -> Any:
        if not isinstance(value, Tenancy):
            return value
        token = uuid.uuid4().hex
        _remember(token, value)
        return _Parcel(token, pickle.dumps(value, _PICKLE))

    if isinstance(result, tuple):
        return tuple([parcel(item) for item in result])
    return parcel(result)


def _raised(error: Exception) -> _Raised:
    trace = "".join(traceback.format_exception(error))
    state = {k: v for k, v in vars(error).items() if _picklable(v)}
    args = error.args if _picklable(error.args) else tuple(str(a) for a in error.args)
    return _Raised(kind=type(error), args=args, state=state, trace=trace)


def _picklable(value: Any) -> bool:
    try:
        pickle.dumps(value, _PICKLE)
    except Exception:
        return False
    return True


def _stop_pool(pool: Executor) -> None:
    """Cancel queued calls and stop the workers at once (a worker ignores SIGTERM: it is killed)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # ProcessPoolExecutor's own record
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
