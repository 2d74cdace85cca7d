"""`SnapshotTenancyReader`: a `TenancyReader` that replays a snapshot file (or an in-memory document)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path

from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.parse import parse_snapshot_text
from engine.errors import NotFoundError, SnapshotError
from engine.model import Cluster, Tenancy


def load_snapshot_file(path: Path, *, label: str) -> Tenancy:
    """Read, parse and convert one snapshot file; every failure is a SnapshotError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SnapshotError(f"cannot read the file: {exc.strerror or exc}", where=label) from exc
    return tenancy_from_document(parse_snapshot_text(data, source=label), source=label)


class SnapshotTenancyReader:
    """Reads a snapshot once and serves it from memory; `fresh=True` reads the file again.

    Args:
        source: a snapshot file path, or an already-parsed snapshot document.
        label: how errors and the description name the source; defaults to the file name.
    """

    def __init__(self, source: Path | str | Mapping[str, object], *, label: str | None = None) -> None:
        if isinstance(source, Mapping):
            self._path: Path | None = None
            self._label = label or "snapshot"
            self._cached: Tenancy | None = tenancy_from_document(source, source=self._label)
        else:
            self._path = Path(source)
            self._label = label or self._path.name
            self._cached = None

    @property
    def description(self) -> str:
        """For example "snapshot demo-tenancy.json (us-ashburn-1, captured 2026-11-26T09:00:00Z)"."""
        tenancy = self._cached
        if tenancy is None:
            return f"snapshot {self._label}"
        facts = [
            fact
            for fact in (tenancy.region, tenancy.captured_at and f"captured {tenancy.captured_at}")
            if fact
        ]
        return f"snapshot {self._label} ({', '.join(facts)})" if facts else f"snapshot {self._label}"

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        """The snapshot's tenancy, restricted to the named clusters (by name or OCID) when given."""
        tenancy = await self._tenancy(fresh=fresh)
        if clusters is None:
            return tenancy
        return select_clusters(tenancy, clusters, source=self._label)

    async def _tenancy(self, *, fresh: bool) -> Tenancy:
        if self._path is not None and (fresh or self._cached is None):
            self._cached = await asyncio.to_thread(load_snapshot_file, self._path, label=self._label)
        assert self._cached is not None  # a Mapping source is converted in __init__
        return self._cached


def select_clusters(tenancy: Tenancy, refs: Sequence[str], *, source: str) -> Tenancy:
    """Keep the named clusters (and every network object); an unknown name is a NotFoundError.

    Clusters whose node pools share a worker or pod subnet with a named one are kept too: their nodes
    take IPs from that subnet, so a capacity answer about the named cluster needs them.
    """
    chosen: dict[str, None] = {}
    for ref in refs:
        cluster = tenancy.find_cluster(ref)
        if cluster is None:
            known = ", ".join(c.name for c in tenancy.clusters) or "none"
            raise NotFoundError(f"no cluster {ref!r} in snapshot {source} (clusters: {known})")
        chosen[cluster.id] = None
    used = {subnet for c in tenancy.clusters if c.id in chosen for subnet in _pool_subnet_ids(c)}
    kept = tuple(c for c in tenancy.clusters if c.id in chosen or not used.isdisjoint(_pool_subnet_ids(c)))
    return tenancy.model_copy(update={"clusters": kept})


def _pool_subnet_ids(cluster: Cluster) -> set[str]:
    return {s for pool in cluster.node_pools for s in (*pool.worker_subnet_ids, *pool.pod_subnet_ids)}
