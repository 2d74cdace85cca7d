"""`OciTenancyReader`: a `TenancyReader` over a live tenancy: record a snapshot, then convert it.

Converting through the snapshot format means a live read and a replay of its recording give the same answers
(and the same errors: both select clusters with adapters/snapshot/selection.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from adapters.oci.clients import OciClients, build_clients
from adapters.oci.executor import OciExecutor, ReadStats, RequestObserver
from adapters.oci.recorder import Recording
from adapters.oci.settings import OciSettings
from adapters.offload import Offload
from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.packed import pack_document, tenancy_from_packed
from adapters.snapshot.selection import ClusterListing, select_clusters
from engine.model import Tenancy

_Key = tuple[str, ...] | None


class OciTenancyReader:
    """Reads the tenancy the settings name; answers from a short cache unless `fresh=True`.

    Reads of different cluster sets run at once; callers asking for a set already being read share that read
    (`fresh=True` skips the cache but still joins it, since it started after the caller could have asked).

    The recording's conversion into the model is CPU-bound: with `offload` (the bot's worker processes) the
    document is packed in slices (adapters/snapshot/packed.py) and converted there; without, in a thread.

    Args:
        settings: where and how to read.
        clock: monotonic seconds, for the cache (tests pass their own).
        observer: told of every OCI request's operation and status (for metrics).
        offload: where the recording is converted (bot.work in the bot).
    """

    def __init__(
        self,
        settings: OciSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        observer: RequestObserver | None = None,
        offload: Offload | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._observer = observer
        self._offload = offload
        self._clients: OciClients | None = None
        self._clients_lock = asyncio.Lock()
        # Per key: when it was read, and the read as the cache hands it out (`cached` set, made once per read).
        self._cache: dict[_Key, tuple[float, Tenancy]] = {}
        self._reads: dict[_Key, asyncio.Task[Tenancy]] = {}
        self.last_stats: ReadStats | None = None

    @property
    def description(self) -> str:
        """For example "OCI us-ashburn-1 (2 compartments)"."""
        region = self._settings.region or (self._clients.region if self._clients else None) or "region from config"
        count = len(self._settings.compartment_ids)
        scope = f"{count} compartment{'s' if count != 1 else ''}" if count else "tenancy root"
        return f"OCI {region} ({scope}{', recursive' if self._settings.recursive else ''})"

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        """Read live (or from the cache when younger than OKEBOT_OCI_CACHE_TTL seconds: that tenancy says
        `cached`, and its `captured_at` says when it was read)."""
        key: _Key = None if clusters is None else tuple(sorted(clusters))
        cached = self._cache.get(key)
        if not fresh and cached is not None and self._clock() - cached[0] < self._settings.cache_ttl:
            return cached[1]
        task = self._reads.get(key)
        if task is None:
            task = asyncio.ensure_future(self._read_and_cache(key, clusters))
            self._reads[key] = task
            task.add_done_callback(self._forget)
        # Shielded: one caller giving up must not cancel the read the others wait for.
        return await asyncio.shield(task)

    async def close(self) -> None:
        """Cancel reads in flight and close the SDK clients' HTTP sessions; a later read opens new ones."""
        for task in list(self._reads.values()):
            task.cancel()
        await asyncio.gather(*self._reads.values(), return_exceptions=True)
        async with self._clients_lock:
            clients, self._clients = self._clients, None
        if clients is not None:
            await asyncio.to_thread(clients.close)

    def _forget(self, task: asyncio.Task[Tenancy]) -> None:
        for key, running in list(self._reads.items()):
            if running is task:
                del self._reads[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so a read every caller gave up on logs no "never retrieved"

    async def _read_and_cache(self, key: _Key, clusters: Sequence[str] | None) -> Tenancy:
        tenancy = await self._read(clusters)
        self._cache[key] = (self._clock(), tenancy.model_copy(update={"cached": True}))
        return tenancy

    async def _convert(self, document: dict[str, object]) -> Tenancy:
        if self._offload is None:
            return await asyncio.to_thread(tenancy_from_document, document, source=self.description, kind="live")
        packed = await asyncio.to_thread(pack_document, document)
        return await self._offload(tenancy_from_packed, packed, source=self.description, kind="live")

    async def _client_set(self) -> OciClients:
        async with self._clients_lock:
            if self._clients is None:
                self._clients = await asyncio.to_thread(build_clients, self._settings)
            return self._clients

    async def _read(self, clusters: Sequence[str] | None) -> Tenancy:
        clients = await self._client_set()
        executor = OciExecutor(self._settings.concurrency, observer=self._observer)
        try:
            document = await Recording(clients, executor, settings=self._settings).record(clusters)
        finally:
            executor.close()
            self.last_stats = executor.stats
        listing = ClusterListing.of(document)
        listing.check()
        tenancy = await self._convert(document)
        if clusters is None:
            return tenancy
        # The recording read only these clusters (and their subnet neighbours); this also keeps the order.
        return select_clusters(tenancy, clusters, source=self.description, listing=listing)
