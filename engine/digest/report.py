"""The capacity digest report and the snapshot a posted digest leaves for the next one.

The report's JSON (camelCase) is a public contract. Its core, which never changes name or meaning:

    {"generatedAt", "source", "since",
     "clusters": [{"id", "name", "worst",
                   "subnets": [{"name", "utilization", "delta", "daysToFull",
                                "forecast": {"samples", "days", "method"}}],
                   "podsCidr": {"cidr", "nodeSlots", "nodeSlotsUsed", "delta", "daysToFull"} | null,
                   "newFindings", "resolvedFindings", "pendingCniNodes"}],
     "history": {"samples", "firstAt", "lastAt"}}

Fields may be added, never renamed or dropped. Units: utilization is a fraction 0–1 (as in `okebot capacity`);
a subnet's `delta` is the change of that fraction since the previous digest (+0.0157 = 1.57 points fuller, worse);
the pods CIDR's `delta` is the change in node slots used (+1 = one more node, worse); `daysToFull` is in days.
`null` means unknown or not applicable (no previous digest, not read), never zero.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from engine.digest.alerts import Level, Thresholds
from engine.digest.forecast import Forecast
from engine.digest.history import SeriesKind
from engine.findings import Finding
from engine.reports import PoolHeadroom, Report

Change = Literal["worse", "better", "same"]


class DigestSubnet(Report):
    """One pod or worker subnet of a cluster in the digest.

    Fields (beyond the contract's name, utilization, delta, daysToFull, forecast):
        id: subnet OCID; role: its main role ("pods" or "workers"); usable_ips; taken_ips: max(used, reserved);
        change: "worse" | "better" | "same" from `delta` (None without a previous figure);
        status: the threshold level ("ok" | "warning" | "error"), None when the fill was not read;
        headroom: more nodes per pool, as `okebot capacity` computes it;
        at_least: the IPs in use were not read, so `taken_ips`, `utilization` and `headroom` count the
        reservations alone: the subnet is at least that full, with at most that much room.
    """

    id: str
    name: str
    role: str
    utilization: float | None
    delta: float | None
    change: Change | None
    days_to_full: float | None
    forecast: Forecast
    status: Level | None
    usable_ips: int
    taken_ips: int | None
    headroom: list[PoolHeadroom]
    at_least: bool = False


class DigestPodsCidr(Report):
    """A flannel cluster's pods CIDR: /25 node slots, one per node. `delta` is in node slots."""

    cidr: str
    node_slots: int
    node_slots_used: int | None
    delta: int | None
    change: Change | None
    days_to_full: float | None
    utilization: float | None
    status: Level | None
    forecast: Forecast


class DigestWorst(Report):
    """The cluster's most pressing series: what orders the clusters, worst first."""

    kind: SeriesKind
    name: str
    utilization: float | None
    days_to_full: float | None
    status: Level | None


class DigestCluster(Report):
    """One cluster in the digest.

    new_findings / resolved_findings compare findings by (code, subject) with the previous digest's (on the first
    digest, or when the previous one had none read, every current finding is new and none is resolved); both are
    None when this run has no findings for the cluster (not read). pending_cni_nodes is None when the CNI state was
    not read. cni and nodes are as `okebot capacity` reports them.
    """

    id: str
    name: str
    worst: DigestWorst | None
    subnets: list[DigestSubnet]
    pods_cidr: DigestPodsCidr | None
    new_findings: list[Finding] | None
    resolved_findings: list[Finding] | None
    pending_cni_nodes: int | None
    cni: str
    nodes: int | None


class HistoryBasis(Report):
    """The history the digest rests on: samples counted (this read's included), first and last instant."""

    samples: int
    first_at: datetime | None
    last_at: datetime | None
    series: int
    window_days: float


class SeriesFigure(Report):
    """A series' figures in a snapshot: enough to compute the next digest's deltas."""

    kind: SeriesKind
    key: str
    name: str
    usable: int | None
    taken: int | None
    utilization: float | None


class ClusterSnapshot(Report):
    """What a digest remembers of one cluster. `findings` None = never read (nothing to compare with)."""

    id: str
    name: str
    series: list[SeriesFigure]
    findings: list[Finding] | None
    pending_cni_nodes: int | None


class DigestSnapshot(Report):
    """What to remember of a posted digest so the next one can say what changed; serialises to JSON.

    `DigestSnapshot.model_validate(data)` reads back `snapshot.model_dump(mode="json", by_alias=True)`.
    """

    format: Literal["okebot.digest-snapshot/v1"] = "okebot.digest-snapshot/v1"
    generated_at: datetime
    source: str
    clusters: list[ClusterSnapshot]


class DigestReport(Report):
    """A scheduled capacity digest: per cluster, worst first, the pod network's fill, change and forecast.

    Fields beyond the contract (see the module docstring):
        read_at: when the figures were read from the source (freshness; A8.5).
        unchanged: nothing changed since the previous digest (same figures, findings, pending CNI nodes and
            clusters); renderers then print a one-line heartbeat. False for the first digest.
        missed / missed_total: occurrences not posted since the previous digest (newest 20): those no replica
            ran in time and those that failed.
        failed / failed_total: those of them that ran and failed (Slack refused the post, the read failed), so
            missed_total - failed_total were missed while no replica ran them (newest 20).
        gone_clusters: names of clusters in the previous digest that this one covers but did not read; never a
            cluster the digest leaves out on purpose (its clusters, compartments or channel binding).
        thresholds, forecast_days: the marks the statuses and ordering used.
        snapshot: what the runner stores for the next digest; not part of the JSON.
    """

    generated_at: datetime
    source: str
    since: datetime | None
    read_at: datetime
    unchanged: bool
    clusters: list[DigestCluster]
    history: HistoryBasis
    missed: list[datetime] = Field(default_factory=list)
    missed_total: int = 0
    failed: list[datetime] = Field(default_factory=list)
    failed_total: int = 0
    gone_clusters: list[str] = Field(default_factory=list)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    forecast_days: float = 30.0
    snapshot: DigestSnapshot | None = Field(default=None, exclude=True)
