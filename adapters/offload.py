"""How an adapter runs CPU-bound work off the event loop: an `Offload`, given by the composition root.

The bot passes its work service (`bot.work.WorkService.run`: worker processes under `okebot serve`); left
out, an adapter converts in a thread (`asyncio.to_thread`), which keeps the loop free of the call but still
shares its GIL. An offloaded function must be a module-level function with picklable arguments and result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Offload(Protocol):
    """`await offload(fn, *args, **kwargs)` returns `fn(*args, **kwargs)`, computed elsewhere."""

    def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        """Run `fn(*args, **kwargs)` off the event loop; its result, or what it raised."""
        ...
