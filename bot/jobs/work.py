"""Where CPU-heavy digest work runs: off the event loop, so acks and other requests are never held up.

Building a digest, drawing its chart, rendering text and blocks and converting a read into samples go through
`offload`, the one place to change when the bot gets a shared, bounded worker pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def offload(work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `work(*args, **kwargs)` on a worker thread and return its result (its exception propagates)."""
    return await asyncio.to_thread(work, *args, **kwargs)
