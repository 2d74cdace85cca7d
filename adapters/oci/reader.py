"""`OciTenancyReader`: a `TenancyReader` over a live tenancy: record a snapshot, then convert it.

Converting through the snapshot format means a live read and a replay of its recording give the same answers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from adapters.oci.clients import OciClients, build_clients
from adapters.oci.executor import OciExecutor, ReadStats
from adapters.oci.recorder import Recording
from adapters.oci.settings import OciSettings
from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.reader import select_clusters
from engine.errors import NotFoundError, SourceError
from engine.model import Tenancy

_Key = tuple[str, ...] | None


class OciTenancyReader:
    """Reads the tenancy the settings name; answers from a short cache unless `fresh=True`.

    Args:
        settings: where and how to read.
        clock: monotonic seconds, for the cache (tests pass their own).
    """

    def __init__(self, settings: OciSettings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._clients: OciClients | None = None
        self._executor: OciExecutor | None = None
        self._cache: dict[_Key, tuple[float, Tenancy]] = {}
        self._lock = asyncio.Lock()
        self.last_stats: ReadStats | None = None

    @property
    def description(self) -> str:
        """For example "OCI us-ashburn-1 (2 compartments)"."""
        region = self._settings.region or (self._clients.region if self._clients else None) or "region from config"
        count = len(self._settings.compartment_ids)
        scope = f"{count} compartment{'s' if count != 1 else ''}" if count else "tenancy root"
        return f"OCI {region} ({scope}{', recursive' if self._settings.recursive else ''})"

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        """Read live (or from the cache when younger than OKEBOT_OCI_CACHE_TTL seconds)."""
        key: _Key = None if clusters is None else tuple(sorted(clusters))
        async with self._lock:
            cached = self._cache.get(key)
            if not fresh and cached is not None and self._clock() - cached[0] < self._settings.cache_ttl:
                return cached[1]
            tenancy = await self._read(clusters)
            self._cache[key] = (self._clock(), tenancy)
            return tenancy

    async def _read(self, clusters: Sequence[str] | None) -> Tenancy:
        if self._clients is None:
            self._clients = await asyncio.to_thread(build_clients, self._settings)
        executor = OciExecutor(self._settings.concurrency)
        try:
            document = await Recording(self._clients, executor, settings=self._settings).record(clusters)
        finally:
            executor.close()
            self.last_stats = executor.stats
        failed = _cluster_list_failures(document)
        if "clusters" not in document:
            raise _unreadable_clusters(failed, "could not list the clusters of any compartment")
        tenancy = tenancy_from_document(document, source=self.description)
        if clusters is None:
            return tenancy
        try:
            # The recording read only these clusters (and their subnet neighbours); this also keeps the order.
            return select_clusters(tenancy, clusters, source=self.description)
        except NotFoundError:
            if not failed:
                raise
            # A compartment whose clusters could not be listed may hold it: that is not "no such cluster".
            named = ", ".join(repr(ref) for ref in clusters)
            raise _unreadable_clusters(failed, f"cluster {named} was not among those read") from None


def _cluster_list_failures(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The `errors` entries of list_clusters calls that failed (their id is the compartment, not a cluster)."""
    errors = document.get("errors") or []
    return [e for e in errors if e.get("kind") == "clusters" and not str(e.get("id")).startswith("ocid1.cluster.")]


def _unreadable_clusters(failed: list[dict[str, Any]], what: str) -> SourceError:
    first = failed[0] if failed else {}
    where = ", ".join(str(e.get("id")) for e in failed) or "none"
    return SourceError(
        f"{what} (failed in: {where}): {first.get('message') or 'no answer'}",
        status=first.get("status"),
        code=first.get("code"),
        request_id=first.get("opcRequestId"),
        remedy="Check that OCI Container Engine answers (the network path, OKEBOT_OCI_ENDPOINT/ENDPOINTS) and "
        "that the principal has the policy in deploy/iam-policy.txt, then try again.",
    )
