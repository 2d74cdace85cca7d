"""The one read every job shares: the tenancy read once, then capacity, findings, pending CNI nodes and the
history samples of that read, computed off the event loop. The sampler, every digest run, `okebot history record`
and `okebot digest` all go through `read_capacity`, so a sample and a digest taken together always agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.jobs.work import offload
from engine.access import AccessPolicy, ClusterRef, visible_clusters
from engine.digest.history import Sample, samples_from_capacity
from engine.findings import Finding
from engine.model import Cluster, Tenancy
from engine.ports import TenancyReader
from engine.reports import ClusterCapacity
from engine.usecases.diagnose import diagnose_cluster


@dataclass(frozen=True)
class CapacityRead:
    """One read of the source and what follows from it.

    Fields:
        clusters: capacity per cluster, as `okebot capacity` computes it.
        findings: every finding per cluster id (capacity, validation, CNI), as `okebot diagnose` finds them.
        pending: nodes waiting for a CNI update per cluster id (None = not read).
        samples: the history samples of this read, at `read_at` (whole seconds, UTC).
        source: the reader's description.
        refs: the clusters read, as access rules see them (name, OCID, compartment).
    """

    clusters: list[ClusterCapacity]
    findings: dict[str, list[Finding]]
    pending: dict[str, int | None]
    samples: list[Sample]
    read_at: datetime
    source: str
    refs: list[ClusterRef]


def covered_clusters(
    tenancy: Tenancy, *, policy: AccessPolicy, channel: str | None, clusters: Sequence[str] = (),
    compartments: Sequence[str] = (),
) -> list[Cluster]:
    """The clusters a digest covers: those named (by name or OCID, any case) or in a named compartment, or every
    cluster when neither is given; never beyond what `channel` may see (its binding), when a channel is given."""
    chosen = list(tenancy.clusters)
    if clusters or compartments:
        names = {c.casefold() for c in clusters}
        chosen = [c for c in chosen if c.id.casefold() in names or c.name.casefold() in names
                  or (c.compartment_id is not None and c.compartment_id in compartments)]
    return visible_clusters(policy, channel, clusters=chosen) if channel is not None else chosen


def assess(tenancy: Tenancy, clusters: Sequence[Cluster], at: datetime, source: str) -> CapacityRead:
    """Capacity, findings, pending CNI nodes and samples of these clusters, read at `at`. Pure and CPU-bound."""
    reports = [diagnose_cluster(tenancy, cluster) for cluster in clusters]
    capacity = [r.cluster for r in reports]
    return CapacityRead(
        clusters=capacity,
        findings={r.cluster.id: list(r.findings) for r in reports},
        pending={r.cluster.id: (len(r.cni.pending_nodes) if r.cni.pending_update is not None else None)
                 for r in reports},
        samples=samples_from_capacity(capacity, at),
        read_at=at,
        source=source,
        refs=[ClusterRef.of(c) for c in clusters],
    )


async def read_capacity(
    reader: TenancyReader, *, at: datetime, policy: AccessPolicy | None = None, channel: str | None = None,
    clusters: Sequence[str] = (), compartments: Sequence[str] = (), fresh: bool = False,
) -> CapacityRead:
    """Read the source once and assess the clusters covered (see `covered_clusters`; with no policy, every
    cluster named or all). `at` is truncated to the whole second, as the store keeps samples."""
    tenancy = await reader.read(fresh=fresh)
    when = at.astimezone(UTC).replace(microsecond=0)
    chosen = covered_clusters(tenancy, policy=policy or AccessPolicy(), channel=channel if policy else None,
                              clusters=clusters, compartments=compartments)
    return await offload(assess, tenancy, chosen, when, reader.description)
