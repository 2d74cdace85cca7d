"""Build a capacity digest from capacity reports, findings, CNI state, history and the previous digest. Pure.

What the digest says and why (facts, digests-and-deploy A8.4–5): fill in operator units with the change since the
last digest (better/worse), a forecast only where history supports one, new and resolved findings, nodes waiting
for a CNI update, when the data was read, which scheduled runs were missed, and a one-line heartbeat when nothing
changed, so that silence never means "broken".

Choices:
- Subnets shown are those the cluster's pods or nodes take IPs from (roles pods or workers); flannel clusters also
  show their pods CIDR. API endpoint and load-balancer subnets are left out (their usage is not read).
- Clusters are ordered worst first by their most pressing series: threshold level (error, warning, ok, unknown;
  a forecast under `forecast_days` counts as at least warning), then fewest days to full, then highest
  utilization, then name.
- This read's samples join the history for the forecast unless the history already has a sample of that series at
  `read_at` (the runner may have stored them first).
- A cluster of the previous digest that this read did not return is "gone" only when the digest covers it
  (`covers`): a digest limited to some clusters (by name, compartment or a channel's binding) never calls the
  clusters it leaves out gone, and the clusters it leaves out play no part in `unchanged` either.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from math import inf
from operator import attrgetter

from engine.digest.alerts import LEVELS, Level, Thresholds, level_for
from engine.digest.forecast import DEFAULT_WINDOW_DAYS, Forecast, forecast_sorted, occupancy
from engine.digest.history import SAMPLED_ROLES, Sample, SeriesKey, samples_from_capacity, utc
from engine.digest.report import (
    Change,
    ClusterSnapshot,
    DigestCluster,
    DigestPodsCidr,
    DigestReport,
    DigestSnapshot,
    DigestSubnet,
    DigestWorst,
    HistoryBasis,
    SeriesFigure,
)
from engine.errors import InputError
from engine.findings import Finding, sort_findings
from engine.reports import ClusterCapacity

_AT = attrgetter("at")
Pressure = tuple[int, float, float]


def build_digest(
    *,
    clusters: Sequence[ClusterCapacity],
    findings: Mapping[str, Sequence[Finding]],
    pending_cni_nodes: Mapping[str, int | None],
    history: Iterable[Sample],
    previous: DigestSnapshot | None,
    source: str,
    read_at: datetime,
    now: datetime,
    thresholds: Thresholds | None = None,
    forecast_days: float = 30.0,
    window_days: float = DEFAULT_WINDOW_DAYS,
    missed: Sequence[datetime] = (),
    missed_total: int | None = None,
    failed: Sequence[datetime] = (),
    failed_total: int | None = None,
    covers: Callable[[str, str], bool] | None = None,
) -> DigestReport:
    """The digest of these clusters at `now`; `report.snapshot` is what to store for the next one.

    Args:
        clusters: capacity of each cluster, as `okebot capacity` computes it, read at `read_at`.
        findings: every finding per cluster id (capacity, validation, CNI); a cluster missing here has its
            findings unknown (new/resolved null, the previous digest's findings kept for the next comparison).
        pending_cni_nodes: nodes waiting for a CNI update per cluster id; missing or None = not read.
        history: stored samples of any series (other series are ignored), in any order.
        previous: the snapshot of the last posted digest of this schedule, or None for the first.
        source: where the figures came from ("demo", "oci", "snapshot FILE").
        read_at, now: when the figures were read and when the digest is made (aware).
        thresholds, forecast_days, window_days: the marks (default 80 %/95 %), the forecast alert horizon
            (30 days) and the trend window (14 days).
        missed, missed_total: occurrences not posted (missed by `plan_run`, or failed); total defaults to
            len(missed).
        failed, failed_total: those of them that ran and failed; total defaults to len(failed).
        covers: whether the digest covers a cluster (id, name) of `previous` that is not among `clusters`; only
            those it covers are named gone. None: it covers every cluster (a digest of the whole tenancy).

    InputError for naive instants, forecast_days ≤ 0 or window_days < 1.
    """
    when, read = utc(now, where="now"), utc(read_at, where="read_at")
    if forecast_days <= 0:
        raise InputError(f"forecast_days must be positive, got {forecast_days}", where="forecast_days")
    if window_days < 1:
        raise InputError(f"window_days must be at least 1, got {window_days}", where="window_days")
    marks = thresholds or Thresholds()
    current = {s.series: s for s in samples_from_capacity(clusters, read) if s.kind != "nodePool"}
    groups, basis = _group(history, current, window_days)
    forecasts = {key: forecast_sorted(group, now=when, window_days=window_days) for key, group in groups.items()}
    prior = {c.id: c for c in previous.clusters} if previous is not None else {}
    built: list[tuple[Pressure, str, DigestCluster]] = []
    snaps: list[ClusterSnapshot] = []
    for cluster in clusters:
        entry, pressure = _cluster(cluster, forecasts, current, prior.get(cluster.id), findings, pending_cni_nodes,
                                   marks, forecast_days)
        built.append((pressure, cluster.name, entry))
        snaps.append(_snapshot(cluster, current, findings, pending_cni_nodes, prior.get(cluster.id)))
    built.sort(key=lambda item: (item[0], item[1]))
    snapshot = DigestSnapshot(generated_at=when, source=source, clusters=snaps)
    read_ids = {c.id for c in clusters}
    gone = [c.name for c in (previous.clusters if previous is not None else [])
            if c.id not in read_ids and (covers is None or covers(c.id, c.name))]
    return DigestReport(
        generated_at=when,
        source=source,
        since=previous.generated_at if previous is not None else None,
        read_at=read,
        unchanged=previous is not None and not gone and _same(snapshot, previous, read_ids),
        clusters=[entry for _, _, entry in built],
        history=basis,
        missed=[utc(m, where="missed") for m in missed],
        missed_total=len(missed) if missed_total is None else missed_total,
        failed=[utc(f, where="failed") for f in failed],
        failed_total=len(failed) if failed_total is None else failed_total,
        gone_clusters=gone,
        thresholds=marks,
        forecast_days=forecast_days,
        snapshot=snapshot,
    )


def _group(
    history: Iterable[Sample], current: Mapping[SeriesKey, Sample], window_days: float
) -> tuple[dict[SeriesKey, list[Sample]], HistoryBasis]:
    """History samples of the series the digest shows, each with this read's sample, sorted by time."""
    groups: dict[SeriesKey, list[Sample]] = {key: [] for key in current}
    count = 0
    first: datetime | None = None
    last: datetime | None = None
    get = groups.get
    for sample in history:
        count += 1
        at = sample.at
        if first is None or at < first:
            first = at
        if last is None or at > last:
            last = at
        group = get((sample.cluster_id, sample.kind, sample.key))
        if group is not None:
            group.append(sample)
    for key, sample in current.items():
        group = groups[key]
        group.sort(key=_AT)
        index = bisect_left(group, sample.at, key=_AT)
        if index < len(group) and group[index].at == sample.at:
            continue
        insort(group, sample, key=_AT)
        count += 1
        first = sample.at if first is None or sample.at < first else first
        last = sample.at if last is None or sample.at > last else last
    used = sum(1 for group in groups.values() if group)
    return groups, HistoryBasis(samples=count, first_at=first, last_at=last, series=used, window_days=window_days)


def _change(delta: float | None) -> Change | None:
    if delta is None:
        return None
    return "worse" if delta > 0 else "better" if delta < 0 else "same"


def pressure(status: Level | None, utilization: float | None, days: float | None, forecast_days: float) -> Pressure:
    """A sort key, most pressing first: level (a forecast under `forecast_days` counts as at least a warning; unknown
    sorts after ok), then fewest days to full, then highest utilization."""
    rank = LEVELS.index(status) if status is not None else -1
    if days is not None and days < forecast_days:
        rank = max(rank, LEVELS.index("warning"))
    return (-rank, days if days is not None else inf, -(utilization or 0.0))


def _cluster(
    cluster: ClusterCapacity,
    forecasts: Mapping[SeriesKey, Forecast],
    current: Mapping[SeriesKey, Sample],
    prior: ClusterSnapshot | None,
    findings: Mapping[str, Sequence[Finding]],
    pending: Mapping[str, int | None],
    marks: Thresholds,
    forecast_days: float,
) -> tuple[DigestCluster, Pressure]:
    before = {(f.kind, f.key): f for f in prior.series} if prior is not None else {}
    ranked: list[tuple[Pressure, DigestWorst]] = []
    subnets = []
    for subnet in cluster.subnets:
        if SAMPLED_ROLES.isdisjoint(subnet.roles):
            continue
        key = (cluster.id, "subnet", subnet.id)
        forecast = forecasts[key]
        old = before.get(("subnet", subnet.id))
        delta = (round(subnet.utilization - old.utilization, 4)
                 if old is not None and old.utilization is not None and subnet.utilization is not None else None)
        status = level_for(subnet.utilization, marks)
        taken = occupancy(current[key])
        subnets.append(DigestSubnet(
            id=subnet.id, name=subnet.name, role=subnet.role, utilization=subnet.utilization, delta=delta,
            change=_change(delta), days_to_full=forecast.days_to_full, forecast=forecast, status=status,
            usable_ips=subnet.usable_ips, taken_ips=taken, headroom=subnet.headroom,
            at_least=subnet.used_ips is None and taken is not None,
        ))
        ranked.append((pressure(status, subnet.utilization, forecast.days_to_full, forecast_days),
                       DigestWorst(kind="subnet", name=subnet.name, utilization=subnet.utilization,
                                   days_to_full=forecast.days_to_full, status=status)))
    pods_cidr = None
    if cluster.pods_cidr is not None:
        cidr = cluster.pods_cidr
        forecast = forecasts[(cluster.id, "podsCidr", cidr.cidr)]
        old = before.get(("podsCidr", cidr.cidr))
        used = cidr.node_slots_used
        slots_delta = used - old.taken if old is not None and old.taken is not None and used is not None else None
        fill = round(used / cidr.node_slots, 4) if used is not None and cidr.node_slots else None
        status = level_for(fill, marks)
        pods_cidr = DigestPodsCidr(
            cidr=cidr.cidr, node_slots=cidr.node_slots, node_slots_used=used, delta=slots_delta,
            change=_change(slots_delta), days_to_full=forecast.days_to_full, utilization=fill, status=status,
            forecast=forecast,
        )
        ranked.append((pressure(status, fill, forecast.days_to_full, forecast_days),
                       DigestWorst(kind="podsCidr", name=cidr.cidr, utilization=fill,
                                   days_to_full=forecast.days_to_full, status=status)))
    new, resolved = _finding_changes(findings.get(cluster.id), prior)
    worst = min(ranked, key=lambda item: item[0]) if ranked else None
    entry = DigestCluster(
        id=cluster.id, name=cluster.name, worst=worst[1] if worst else None, subnets=subnets, pods_cidr=pods_cidr,
        new_findings=new, resolved_findings=resolved, pending_cni_nodes=pending.get(cluster.id), cni=cluster.cni,
        nodes=cluster.nodes,
    )
    return entry, worst[0] if worst else (2, inf, 0.0)


def _finding_changes(
    current: Sequence[Finding] | None, prior: ClusterSnapshot | None
) -> tuple[list[Finding] | None, list[Finding] | None]:
    if current is None:
        return None, None
    before = prior.findings if prior is not None and prior.findings is not None else []
    now_keys = {(f.code, f.subject) for f in current}
    old_keys = {(f.code, f.subject) for f in before}
    new = [f for f in current if (f.code, f.subject) not in old_keys]
    resolved = [f for f in before if (f.code, f.subject) not in now_keys]
    return list(sort_findings(new)), list(sort_findings(resolved))


def _snapshot(
    cluster: ClusterCapacity,
    current: Mapping[SeriesKey, Sample],
    findings: Mapping[str, Sequence[Finding]],
    pending: Mapping[str, int | None],
    prior: ClusterSnapshot | None,
) -> ClusterSnapshot:
    series = [
        SeriesFigure(kind=s.kind, key=s.key, name=s.name, usable=s.usable, taken=occupancy(s),
                     utilization=_fill(s))
        for s in current.values()
        if s.cluster_id == cluster.id
    ]
    known = findings.get(cluster.id)
    kept = list(sort_findings(known)) if known is not None else (prior.findings if prior is not None else None)
    return ClusterSnapshot(id=cluster.id, name=cluster.name, series=series, findings=kept,
                           pending_cni_nodes=pending.get(cluster.id))


def _fill(sample: Sample) -> float | None:
    taken = occupancy(sample)
    return round(taken / sample.usable, 4) if taken is not None and sample.usable else None


def _same(now: DigestSnapshot, before: DigestSnapshot, read_ids: set[str]) -> bool:
    """Same clusters with the same figures, findings (by code and subject) and pending CNI nodes; clusters of
    `before` neither read now (`read_ids`) nor gone are left out of the comparison (the digest does not cover
    them)."""

    def shape(snapshot: DigestSnapshot) -> dict[str, object]:
        return {
            c.id: (
                sorted((f.kind, f.key, f.usable, f.taken) for f in c.series),
                None if c.findings is None else sorted((f.code, f.subject) for f in c.findings),
                c.pending_cni_nodes,
            )
            for c in snapshot.clusters
            if c.id in read_ids
        }

    return shape(now) == shape(before)
