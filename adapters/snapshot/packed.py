"""A snapshot document packed for another process: pickled in slices, so no single step is long.

Sending a 20 MB document to a worker process in one piece means one pickling call that holds the GIL for
tens of milliseconds, in whichever thread does it; the event loop then stalls for as long. Packed in slices
of `SLICE` items, each step takes a millisecond or two, and the loop gets its turns in between.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from typing import Any, Literal

from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.parse import paused_gc, take_private_ips
from engine.model import Tenancy

SLICE = 2000
Packed = list[tuple[str, bool, bytes]]
"""(key, whether it is one slice of a list, pickled value), in the document's key order."""


def pack_document(document: Mapping[str, Any], *, slice_size: int = SLICE) -> Packed:
    """The document as pickled slices; `unpack_document` gives back an equal document."""
    packed: Packed = []
    for key, value in document.items():
        if isinstance(value, list) and len(value) > slice_size:
            for start in range(0, len(value), slice_size):
                packed.append((key, True, pickle.dumps(value[start:start + slice_size], pickle.HIGHEST_PROTOCOL)))
        else:
            packed.append((key, False, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)))
    return packed


def unpack_document(packed: Packed) -> dict[str, Any]:
    """The document `pack_document` packed."""
    document: dict[str, Any] = {}
    for key, sliced, data in packed:
        value = pickle.loads(data)
        if sliced:
            document.setdefault(key, []).extend(value)
        else:
            document[key] = value
    return document


def tenancy_from_packed(packed: Packed, *, source: str, kind: Literal["snapshot", "live"] = "snapshot") -> Tenancy:
    """`tenancy_from_document` of a packed document (what a worker process runs)."""
    with paused_gc():
        document = unpack_document(packed)
        counts = take_private_ips(document)
        return tenancy_from_document(document, source=source, kind=kind, private_ip_counts=counts)
