"""What crosses the process boundary, and the main process's record of the tenancies it shipped.

A `Tenancy` goes to a worker process once per worker and tenancy object, not pickled per call: it travels as a
`Parcel` (a token, and its pickled bytes unless the worker should know it already). A worker that is sent a
token it does not know answers `Missing`, and the call goes again with the bytes. An exception raised in a
worker comes back as a `Raised`, rebuilt here as the same class with the same message and attributes.

`Shipments` is the main process's side: the last PARCELS_KEPT tenancies packed or received, by object.
"""

from __future__ import annotations

import asyncio
import pickle
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.model import Tenancy

PARCELS_KEPT = 8  # tenancies remembered per process (main and each worker)
PICKLE = pickle.HIGHEST_PROTOCOL


@dataclass(frozen=True)
class Parcel:
    """A tenancy in transit: its token, and its pickled bytes unless the receiver should know it already."""

    token: str
    payload: bytes | None


@dataclass(frozen=True)
class Missing:
    """A worker's answer when it was sent a token it does not know: send the payload."""

    token: str


@dataclass(frozen=True)
class Raised:
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


class Shipments:
    """The tenancies this process packed for workers or received from them: the last PARCELS_KEPT, each with
    its token and pickled bytes, keyed by the object (a copy is another tenancy). `shipped` counts the
    tenancies sent with their bytes."""

    def __init__(self) -> None:
        self.shipped = 0
        self._parcels: OrderedDict[int, tuple[Tenancy, str, bytes]] = OrderedDict()

    def known(self, tenancy: Tenancy) -> bool:
        """Whether this very object was packed (or received) and is still kept."""
        kept = self._parcels.get(id(tenancy))
        return kept is not None and kept[0] is tenancy

    def parcel_of(self, value: Any, *, with_payload: bool) -> Any:
        """`value` as sent to a worker: a tenancy becomes its Parcel (with its bytes when `with_payload`),
        anything else goes as it is. Raises RuntimeError for a tenancy not packed first (`pack_all`)."""
        if not isinstance(value, Tenancy):
            return value
        kept = self._parcels.get(id(value))
        if kept is None or kept[0] is not value:
            raise RuntimeError("a tenancy was sent before it was packed")  # _call packs unknown ones first
        self._parcels.move_to_end(id(value))
        return Parcel(kept[1], kept[2] if with_payload else None)

    def count_shipped(self, sent: Iterable[Any]) -> None:
        """Count the parcels among values just sent with their bytes."""
        self.shipped += sum(1 for v in sent if isinstance(v, Parcel))

    async def pack_all(self, values: Sequence[Any]) -> None:
        """Pickle every tenancy among `values` that is not kept yet, under a new token."""
        for value in values:
            if isinstance(value, Tenancy) and not self.known(value):
                # Pickling a pydantic model runs Python code, so a thread gives the loop its turns.
                payload = await asyncio.to_thread(pickle.dumps, value, PICKLE)
                self._keep(value, uuid.uuid4().hex, payload)

    async def unpack_result(self, outcome: Any) -> Any:
        """A worker's outcome as the caller gets it: a Raised is raised, parcels (alone or in a tuple) become
        tenancies, kept under the worker's token so that they go back to it as a token alone."""
        if isinstance(outcome, Raised):
            raise outcome.rebuild()
        if isinstance(outcome, Parcel):
            return await self._unpack_parcel(outcome)
        if isinstance(outcome, tuple) and any(isinstance(item, Parcel) for item in outcome):
            return tuple([await self._unpack_parcel(i) if isinstance(i, Parcel) else i for i in outcome])
        return outcome

    def clear(self) -> None:
        """Forget every tenancy (the pool is gone)."""
        self._parcels.clear()

    def _keep(self, tenancy: Tenancy, token: str, payload: bytes) -> None:
        self._parcels[id(tenancy)] = (tenancy, token, payload)
        self._parcels.move_to_end(id(tenancy))
        while len(self._parcels) > PARCELS_KEPT:
            self._parcels.popitem(last=False)

    async def _unpack_parcel(self, parcel: Parcel) -> Tenancy:
        if parcel.payload is None:
            raise RuntimeError("a worker returned a tenancy without its payload")
        tenancy: Tenancy = await asyncio.to_thread(pickle.loads, parcel.payload)
        self._keep(tenancy, parcel.token, parcel.payload)  # the worker that made it keeps it under this token
        return tenancy
