"""Work in flight: everything the bot has started for someone and not finished, in one place.

A Slack listener keeps running after its ack (the answer, its audit entry); a background job (a scheduled
digest) runs on its own. On SIGTERM `okebot serve` stops taking work, waits for all of it up to a grace
period, and tells whoever is still waiting that okebot restarted (`on_abandon`), instead of going silent.

    # a background job runner (digests):
    task = deps.inflight.track(post_digest(slot), name=f"digest {slot}", on_abandon=None)

    # code already running in a task (every Slack listener is wrapped like this):
    with deps.inflight.hold(name="/oke", on_abandon=tell_user):
        ...

`on_abandon` is an async callable with no arguments, called at most once, after the work was cancelled at
the end of the grace period (for example: post "okebot restarted, please ask again" to the asker). It has
`ABANDON_SECONDS` to finish; its failure is logged, never raised. Code inside held work may replace its own
`on_abandon` once it knows better how to reach the asker (`set_abandon`).

Errors: `track` and `hold` still accept work while draining (work that arrives late is finished or
abandoned like the rest); callers that must refuse new work check `draining`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
Abandon = Callable[[], Awaitable[None]]
ABANDON_SECONDS = 3.0  # every abandon notice together; Kubernetes kills 30 s after SIGTERM by default


@dataclass(eq=False)
class Entry:
    """One piece of work in flight: its task, a name for logs, and how to tell its asker it was dropped."""

    task: asyncio.Task[Any]
    name: str
    on_abandon: Abandon | None = None
    acked: bool = True
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class DrainReport:
    """How a drain ended: work that finished in the grace period, work abandoned, and how long it took."""

    finished: int
    abandoned: int
    seconds: float


_current: contextvars.ContextVar[Entry | None] = contextvars.ContextVar("okebot_inflight_entry", default=None)


class InFlight:
    """The registry of work in flight (see the module docstring). One per process, in `deps.inflight`."""

    def __init__(self, *, logger: logging.Logger | None = None) -> None:
        self._entries: set[Entry] = set()
        self._changed = asyncio.Event()  # set whenever an entry ends or is acked
        self._draining = False
        self._logger = logger or logging.getLogger("okebot.inflight")

    @property
    def draining(self) -> bool:
        """True once a drain began: the process is shutting down and should take no new work."""
        return self._draining

    def stop_taking_work(self) -> None:
        """Begin the shutdown: `draining` is True from now on (readiness fails, intake refuses new work)."""
        self._draining = True

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """The names of the work in flight, oldest first (for logs)."""
        return [entry.name for entry in sorted(self._entries, key=lambda e: e.started)]

    def track(
        self, coro: Coroutine[Any, Any, T], *, name: str, on_abandon: Abandon | None = None
    ) -> asyncio.Task[T]:
        """Run `coro` as a task and track it until it ends; the task is returned (and kept referenced)."""
        task = asyncio.ensure_future(coro)
        entry = Entry(task=task, name=name, on_abandon=on_abandon)
        self._add(entry)
        task.add_done_callback(lambda _: self._remove(entry))
        return task

    @contextlib.contextmanager
    def hold(self, *, name: str, on_abandon: Abandon | None = None, acked: bool = True) -> Iterator[Entry]:
        """Track the current task while the block runs. `acked=False` until `mark_acked` (Slack listeners)."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("InFlight.hold needs a running task")
        entry = Entry(task=task, name=name, on_abandon=on_abandon, acked=acked)
        self._add(entry)
        token = _current.set(entry)
        try:
            yield entry
        finally:
            _current.reset(token)
            self._remove(entry)

    def set_abandon(self, on_abandon: Abandon) -> None:
        """Replace the abandon notice of the work the current task holds (no-op outside held work)."""
        entry = _current.get()
        if entry is not None:
            entry.on_abandon = on_abandon

    def mark_acked(self, entry: Entry) -> None:
        """The held work acknowledged its request (Slack got its ack)."""
        entry.acked = True
        self._changed.set()

    async def wait_acked(self, within: float) -> bool:
        """Wait until every held request was acknowledged (at most `within` seconds); False if some were not."""
        deadline = time.monotonic() + within
        while True:
            self._changed.clear()  # before the check: a change after it wakes the wait below
            if all(entry.acked for entry in self._entries):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await self._wait_change(left)

    async def drain(self, grace: float) -> DrainReport:
        """Stop taking work (`draining`), wait up to `grace` seconds for everything in flight, then cancel
        what is left and call each one's `on_abandon` (together, within ABANDON_SECONDS)."""
        self.stop_taking_work()
        started = time.monotonic()
        before = len(self._entries)
        deadline = started + grace
        while True:
            self._changed.clear()  # before the check: a change after it wakes the wait below
            left = deadline - time.monotonic()
            if not self._entries or left <= 0:
                break
            await self._wait_change(left)
        left_over = list(self._entries)
        if left_over:
            self._logger.warning("drain: %d still running after %.0f s, abandoning: %s", len(left_over), grace,
                                 ", ".join(entry.name for entry in left_over))
            await self._abandon(left_over)
        return DrainReport(finished=max(0, before - len(left_over)), abandoned=len(left_over),
                           seconds=round(time.monotonic() - started, 3))

    async def _abandon(self, entries: list[Entry]) -> None:
        for entry in entries:
            entry.task.cancel()
        # Let the cancelled work unwind (its `finally` blocks), without waiting for it for long.
        await asyncio.wait([entry.task for entry in entries], timeout=1.0)
        notices = [self._notice(entry) for entry in entries if entry.on_abandon is not None]
        if notices:
            await asyncio.wait([asyncio.ensure_future(n) for n in notices], timeout=ABANDON_SECONDS)

    async def _notice(self, entry: Entry) -> None:
        assert entry.on_abandon is not None
        try:
            await entry.on_abandon()
        except Exception:
            self._logger.warning("could not tell the asker of %s that it was abandoned", entry.name, exc_info=True)

    async def _wait_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    def _add(self, entry: Entry) -> None:
        self._entries.add(entry)

    def _remove(self, entry: Entry) -> None:
        self._entries.discard(entry)
        self._changed.set()
