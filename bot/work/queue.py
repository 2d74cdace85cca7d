"""The work service's queue: at most `concurrency` calls hold a slot at once; the others wait in arrival order.

A caller that has to wait is told how many calls are ahead of it (running or queued) through the notice its
task set with `notify_when_queued`, once for everything the task runs. The slots know nothing of pools or
workers: `WorkService` takes a slot before a call and frees it when the call ends in its pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator

WaitNotice = Callable[[int], Awaitable[None]]
"""Told once, when a call has to wait: how many calls are ahead of it (running or queued)."""

_notice: contextvars.ContextVar[WaitNotice | None] = contextvars.ContextVar("okebot_wait_notice", default=None)


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


def current_notice() -> WaitNotice | None:
    """The notice the calling task set with `notify_when_queued`, if any."""
    return _notice.get()


class Slots:
    """At most `concurrency` holders at once, the rest waiting in arrival order (FIFO).

    Counters (since start): `waited` calls that had to wait, `max_queued` the longest line, `wait_seconds` the
    wall-clock seconds spent waiting. `logger` hears of a notice that could not be sent.
    """

    def __init__(self, concurrency: int, *, logger: logging.Logger) -> None:
        self.concurrency = concurrency
        self.running = 0
        self.waited = self.max_queued = 0
        self.wait_seconds = 0.0
        self._logger = logger
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._notices: set[asyncio.Task[None]] = set()

    @property
    def queued(self) -> int:
        """Calls waiting for a slot now."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def acquire(self, notice: WaitNotice | None) -> None:
        """Take a slot, waiting in line when none is free (and then telling `notice` how many are ahead).

        Raises CancelledError when the caller gives up, or `cancel_waiting` ends the wait; a slot handed over
        just as the caller gave up is passed on to the next in line.
        """
        if self.running < self.concurrency and not self.queued:
            self.running += 1
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        ahead = self.running + self.queued - 1
        self.waited += 1
        self.max_queued = max(self.max_queued, self.queued)
        if notice is not None:
            self._notify(notice, ahead)
        started = time.monotonic()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as the caller gave up: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise
        finally:
            self.wait_seconds += time.monotonic() - started

    def release(self) -> None:
        """Free a slot: it goes to the next in line, if any."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes to the next in line; `running` stays
                return
        self.running -= 1

    def cancel_waiting(self) -> None:
        """Cancel every call still in line (the service is closing)."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.cancel()

    def _notify(self, notice: WaitNotice, ahead: int) -> None:
        async def send() -> None:
            try:
                await notice(ahead)
            except Exception:  # the answer itself still comes; a lost notice is only logged
                self._logger.warning("could not send the queue notice", exc_info=True)

        task = asyncio.ensure_future(send())
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)
