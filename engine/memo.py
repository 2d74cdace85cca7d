"""Memoisation of what is derived from a whole tenancy: worked out once per tenancy object, then reused.

A `Tenancy` is immutable, so anything computed from it alone stays true while the object lives. Readers keep
their last read and hand out the same object to every question until the next read; the indexes derived
from it (subnets by id, which clusters use which subnet, every node pool's claim on every subnet) are then
built once per read instead of once per cluster per question.

The cache is keyed by object identity and holds the object itself (so its id cannot be reused while it is
cached). It is never stored on the object: `model_copy` (a what-if's changed tenancy, a selection of
clusters) makes a new object, which starts with nothing cached, and pickling or comparing a tenancy is not
affected. Only the last `MAX_TENANCIES` tenancies are kept. Safe to use from several threads; two threads
asking for the same missing value may both build it, and either result is the same.

This is not hidden state in the sense that matters: every value is a pure function of its key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from engine.model import Tenancy

T = TypeVar("T")

MAX_TENANCIES = 8

_lock = threading.Lock()
_cache: OrderedDict[int, tuple[Tenancy, dict[Hashable, object]]] = OrderedDict()


def derived(tenancy: Tenancy, key: Hashable, build: Callable[[], T]) -> T:
    """The value `build()` computes from `tenancy`, computed once per tenancy object and `key`.

    `key` names what is derived (and any argument it depends on besides the tenancy, such as the shape
    catalogue); `build` must depend on nothing but the tenancy and what the key names.
    """
    with _lock:
        entry = _cache.get(id(tenancy))
        if entry is not None and entry[0] is tenancy:
            _cache.move_to_end(id(tenancy))
            values = entry[1]
            if key in values:
                return values[key]  # type: ignore[return-value]  # stored by this function under this key
        else:
            values = {}
            _cache[id(tenancy)] = (tenancy, values)
            while len(_cache) > MAX_TENANCIES:
                _cache.popitem(last=False)
    value = build()
    with _lock:
        values.setdefault(key, value)
        return values[key]  # type: ignore[return-value]


def forget_all() -> None:
    """Drop every memoised value (tests that measure a cold start use it)."""
    with _lock:
        _cache.clear()
