"""`SnapshotTenancyReader`: a `TenancyReader` that replays a snapshot file (or an in-memory document)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

from adapters.capped import OverLimitError, read_capped, size_text
from adapters.offload import Offload
from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.parse import parse_snapshot_text, paused_gc, take_private_ips
from adapters.snapshot.selection import ClusterListing, select_clusters
from engine.errors import SnapshotError
from engine.model import Tenancy

# A recorded tenancy of thousands of clusters is tens of megabytes; a file far past that is not a snapshot
# (or is /dev/zero), and reading it whole would exhaust memory before JSON parsing could object.
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024


SELECTIONS_KEPT = 64  # cluster selections remembered per read (one per cluster name asked about, say)


def load_snapshot_file(path: Path, *, label: str, max_bytes: int = MAX_SNAPSHOT_BYTES) -> Tenancy:
    """Read, parse and convert one snapshot file; every failure is a SnapshotError naming the file."""
    return load_snapshot(path, label=label, max_bytes=max_bytes)[0]


def load_snapshot(path: Path, *, label: str, max_bytes: int) -> tuple[Tenancy, ClusterListing]:
    """Read, parse and convert one snapshot file, with its cluster-listing facts (CPU-bound: offload it).

    Raises SnapshotError naming the file for every failure.
    """
    with paused_gc():
        document = parse_snapshot_text(_read_capped(path, label=label, max_bytes=max_bytes), source=label)
        listing = ClusterListing.of(document)
        counts = take_private_ips(document)  # most of a large snapshot: gone before the conversion starts
        return tenancy_from_document(document, source=label, private_ip_counts=counts), listing


def _read_capped(path: Path, *, label: str, max_bytes: int) -> bytes:
    try:
        return read_capped(path, max_bytes)
    except OverLimitError:
        raise SnapshotError(
            f"the file {path} is larger than the {size_text(max_bytes)} a snapshot may be", where=label,
            remedy="Record a smaller snapshot (--compartment, --cluster), or check that the path names a snapshot.",
        ) from None
    except OSError as exc:
        raise SnapshotError(f"cannot read the file {path}: {exc.strerror or exc}", where=label) from exc


class SnapshotTenancyReader:
    """Reads a snapshot once and serves it from memory; `fresh=True` reads the file again.

    Every read of the same file returns the same Tenancy object, and every read of the same clusters the same
    selection of it, until the file is read again: what is derived from a read (engine.memo, the copies in
    worker processes) is then worked out once per read, not once per question.

    Args:
        source: a snapshot file path, or an already-parsed snapshot document.
        label: how errors and the description name the source; defaults to the file name.
        max_bytes: the largest file read (MAX_SNAPSHOT_BYTES unless told).
        offload: runs the file's parsing and conversion (bot.work in the bot); a thread when left out.
    """

    def __init__(
        self, source: Path | str | Mapping[str, object], *, label: str | None = None,
        max_bytes: int = MAX_SNAPSHOT_BYTES, offload: Offload | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._offload: Offload = offload or asyncio.to_thread
        self._lock = asyncio.Lock()
        self._reads = 0  # files read so far: a fresh read asked during another read shares it
        self._selections: OrderedDict[tuple[str, ...], Tenancy] = OrderedDict()
        self._cached: tuple[Tenancy, ClusterListing] | None
        if isinstance(source, Mapping):
            self._path: Path | None = None
            self._label = label or "snapshot"
            self._cached = (tenancy_from_document(source, source=self._label), ClusterListing.of(source))
        else:
            self._path = Path(source)
            self._label = label or self._path.name
            self._cached = None

    @property
    def description(self) -> str:
        """For example "snapshot demo-tenancy.json (us-ashburn-1, captured 2026-11-26T09:00:00Z)"."""
        if self._cached is None:
            return f"snapshot {self._label}"
        tenancy = self._cached[0]
        facts = [
            fact
            for fact in (tenancy.region, tenancy.captured_at and f"captured {tenancy.captured_at}")
            if fact
        ]
        return f"snapshot {self._label} ({', '.join(facts)})" if facts else f"snapshot {self._label}"

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        """The snapshot's tenancy, restricted to the named clusters (by name or OCID) when given."""
        tenancy, listing = await self._tenancy(fresh=fresh)
        if clusters is None:
            listing.check()
            return tenancy
        key = tuple(clusters)
        selected = self._selections.get(key)
        if selected is None:
            selected = select_clusters(tenancy, clusters, source=f"snapshot {self._label}", listing=listing)
            self._selections[key] = selected
            while len(self._selections) > SELECTIONS_KEPT:
                self._selections.popitem(last=False)
        else:
            self._selections.move_to_end(key)
        return selected

    async def _tenancy(self, *, fresh: bool) -> tuple[Tenancy, ClusterListing]:
        if not fresh and self._cached is not None:
            return self._cached  # even while a fresh read is under way: the last read is still an answer
        asked_after = self._reads
        async with self._lock:
            stale = fresh and self._reads == asked_after  # no read began after this caller asked
            if self._path is not None and (self._cached is None or stale):
                self._cached = await self._offload(load_snapshot, self._path, label=self._label,
                                                   max_bytes=self._max_bytes)
                self._reads += 1
                self._selections.clear()
        assert self._cached is not None  # a Mapping source is converted in __init__
        return self._cached
