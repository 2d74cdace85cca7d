"""The one read every job shares: the tenancy read once, then capacity, findings, pending CNI nodes and the
history samples of that read, computed off the event loop. The sampler, every digest run, `okebot history record`
and `okebot digest` all go through `read_capacity`, so a sample and a digest taken together always agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.jobs.work import offload
from bot.work import WorkService
from engine.access import AccessPolicy, ClusterRef, visible_clusters
from engine.digest.history import Sample, samples_from_capacity
from engine.findings import Finding
from engine.model import Cluster, Tenancy
from engine.ports import TenancyReader
from engine.reports import ClusterCapacity
from engine.usecases.diagnose import diagnose_cluster


@dataclass(frozen=True)
class Coverage:
    """Which clusters a digest covers, asked of a cluster its previous digest had and this read did not return:
    is it gone, or left out on purpose? Called as `coverage(cluster_id, name)`; picklable (it travels to the
    work service's processes with the digest).

    - A cluster the source still has but the digest leaves out (`left_out`: OCIDs, any case) is not covered: the
      digest's clusters or compartments, or its channel's binding, left it out.
    - A cluster the source no longer has is covered unless a rule that needs no compartment leaves it out (its
      compartment went with it): the digest is limited to `named` clusters only (names or OCIDs, any case) and
      it is not one of them, or `channel_names` likewise, or the channel is unbound and sees nothing
      (`sees_unlisted` False). A digest limited by compartment gives a vanished cluster the benefit of the doubt.

    The default covers every cluster (a digest of the whole tenancy).
    """

    left_out: frozenset[str] = frozenset()
    named: frozenset[str] | None = None
    channel_names: frozenset[str] | None = None
    sees_unlisted: bool = True

    def __call__(self, cluster_id: str, name: str) -> bool:
        refs = {cluster_id.casefold(), name.casefold()}
        if cluster_id.casefold() in self.left_out or not self.sees_unlisted:
            return False
        return all(names is None or not refs.isdisjoint(names) for names in (self.named, self.channel_names))


@dataclass(frozen=True)
class CapacityRead:
    """One read of the source and what follows from it.

    Fields:
        clusters: capacity per cluster, as `okebot capacity` computes it.
        findings: every finding per cluster id (capacity, validation, CNI), as `okebot diagnose` finds them.
        pending: nodes waiting for a CNI update per cluster id (None = not read).
        samples: the history samples of this read, at `read_at` (whole seconds, UTC).
        read_at: when the figures were read: a snapshot's capture time (`captured`), else the time asked for.
        captured: `read_at` is the capture time a snapshot (the demo too) states, not the time of this read.
        source: the reader's description.
        refs: the clusters read, as access rules see them (name, OCID, compartment).
        covers: which clusters the digest of this read covers, for "gone" (see `Coverage`).
    """

    clusters: list[ClusterCapacity]
    findings: dict[str, list[Finding]]
    pending: dict[str, int | None]
    samples: list[Sample]
    read_at: datetime
    source: str
    refs: list[ClusterRef]
    captured: bool = False
    covers: Coverage = field(default_factory=Coverage)


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
    work: WorkService | None = None,
) -> CapacityRead:
    """Read the source once and assess the clusters covered (see `covered_clusters`; with no policy, every
    cluster named or all), in `work` when given.

    The read is stamped at `at` (truncated to the whole second, as the store keeps samples), except a snapshot's:
    its figures are those of its capture, so they are stamped with the capture time it states (`capture_time`),
    and recording the same snapshot twice stores each sample once (the store keeps one per series and second).
    A live source, or a snapshot that states no capture time with its zone, is stamped at `at`."""
    tenancy = await reader.read(fresh=fresh)
    captured = capture_time(tenancy)
    when = (captured or at).astimezone(UTC).replace(microsecond=0)
    chosen = covered_clusters(tenancy, policy=policy or AccessPolicy(), channel=channel if policy else None,
                              clusters=clusters, compartments=compartments)
    read = await offload(work, assess, tenancy, chosen, when, reader.description)
    covers = coverage(tenancy, chosen, policy=policy, channel=channel, clusters=clusters, compartments=compartments)
    return replace(read, captured=captured is not None, covers=covers)


def capture_time(tenancy: Tenancy) -> datetime | None:
    """When a snapshot (file or demo) was captured, as its `capturedAt` says; None for a live tenancy (its
    `captured_at` is when it was read, cache included) and for a snapshot with no capture time, or one that is
    not an ISO 8601 time with a zone (a naive time is ambiguous)."""
    if tenancy.source_kind != "snapshot" or not tenancy.captured_at:
        return None
    try:
        instant = datetime.fromisoformat(tenancy.captured_at)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None and instant.utcoffset() is not None else None


def coverage(
    tenancy: Tenancy, chosen: Sequence[Cluster], *, policy: AccessPolicy | None, channel: str | None,
    clusters: Sequence[str] = (), compartments: Sequence[str] = (),
) -> Coverage:
    """What a digest of `chosen` (the clusters `covered_clusters` chose from `tenancy` for these arguments)
    covers; see `Coverage`."""
    picked = {c.id for c in chosen}
    binding = policy.binding(channel) if policy is not None and channel is not None else None
    return Coverage(
        left_out=frozenset(c.id.casefold() for c in tenancy.clusters if c.id not in picked),
        named=frozenset(c.casefold() for c in clusters) if clusters and not compartments else None,
        channel_names=frozenset(c.casefold() for c in binding.clusters)
        if binding is not None and not binding.compartments else None,
        sees_unlisted=not (policy is not None and channel is not None and binding is None
                           and policy.unbound_channels == "none"),
    )
