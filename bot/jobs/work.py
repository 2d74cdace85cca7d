"""Where CPU-heavy digest work runs: off the event loop, so acks and other requests are never held up.

Building a digest, drawing its chart, rendering text and blocks and converting a read into samples go through
`offload`: in the bot, the shared, bounded work service that answers use (`deps.work`, worker processes);
on the command line, a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from bot.work import WorkService

P = ParamSpec("P")
T = TypeVar("T")


async def offload(
    pool: WorkService | None, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run `work(*args, **kwargs)` in `pool` (a module-level function with picklable arguments, for worker
    processes) or, without one, on a worker thread; return its result (its exception propagates)."""
    if pool is not None:
        return await pool.run(work, *args, **kwargs)
    return await asyncio.to_thread(work, *args, **kwargs)
