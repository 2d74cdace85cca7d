"""`SnapshotTenancyReader`: a `TenancyReader` that replays a snapshot file (or an in-memory document)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path

from adapters.capped import OverLimitError, read_capped, size_text
from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.parse import parse_snapshot_text
from adapters.snapshot.selection import ClusterListing, select_clusters
from engine.errors import SnapshotError
from engine.model import Tenancy

# A recorded tenancy of thousands of clusters is tens of megabytes; a file far past that is not a snapshot
# (or is /dev/zero), and reading it whole would exhaust memory before JSON parsing could object.
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024


def load_snapshot_file(path: Path, *, label: str, max_bytes: int = MAX_SNAPSHOT_BYTES) -> Tenancy:
    """Read, parse and convert one snapshot file; every failure is a SnapshotError naming the file."""
    return _load(path, label=label, max_bytes=max_bytes)[0]


def _load(path: Path, *, label: str, max_bytes: int) -> tuple[Tenancy, ClusterListing]:
    data = _read_capped(path, label=label, max_bytes=max_bytes)
    document = parse_snapshot_text(data, source=label)
    return tenancy_from_document(document, source=label), ClusterListing.of(document)


def _read_capped(path: Path, *, label: str, max_bytes: int) -> bytes:
    try:
        return read_capped(path, max_bytes)
    except OverLimitError:
        raise SnapshotError(
            f"the file {path} is larger than the {size_text(max_bytes)} a snapshot may be", where=label,
            remedy="Record a smaller snapshot (--compartment, --cluster), or check that the path names a snapshot.",
        ) from None
    except OSError as exc:
        raise SnapshotError(f"cannot read the file: {exc.strerror or exc}", where=label) from exc


class SnapshotTenancyReader:
    """Reads a snapshot once and serves it from memory; `fresh=True` reads the file again.

    Args:
        source: a snapshot file path, or an already-parsed snapshot document.
        label: how errors and the description name the source; defaults to the file name.
        max_bytes: the largest file read (MAX_SNAPSHOT_BYTES unless told).
    """

    def __init__(
        self, source: Path | str | Mapping[str, object], *, label: str | None = None,
        max_bytes: int = MAX_SNAPSHOT_BYTES,
    ) -> None:
        self._max_bytes = max_bytes
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
        return select_clusters(tenancy, clusters, source=f"snapshot {self._label}", listing=listing)

    async def _tenancy(self, *, fresh: bool) -> tuple[Tenancy, ClusterListing]:
        if self._path is not None and (fresh or self._cached is None):
            self._cached = await asyncio.to_thread(_load, self._path, label=self._label, max_bytes=self._max_bytes)
        assert self._cached is not None  # a Mapping source is converted in __init__
        return self._cached
