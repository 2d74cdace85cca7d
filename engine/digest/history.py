"""Capacity history: one `Sample` per series and reading, built from capacity reports, and how long to keep it.

A *series* is one thing whose fill is tracked over time, named by `(cluster_id, kind, key)`:

    kind        key                     usable              used                    reserved
    "subnet"    subnet OCID             usable IPs          private IPs in use      IPs node pools hold
    "podsCidr"  pods CIDR text          /25 node slots      node slots in use       None (flannel reserves none)
    "nodePool"  node pool OCID          None                None                    None    (nodes, max_pods only)

Figures come from `engine.reports.ClusterCapacity` exactly as `okebot capacity` shows them, so a sample and a
capacity answer taken at the same moment agree. `None` always means "not read", never zero.

Pure: no clock, no I/O; `at` and `now` are passed in and must be timezone-aware (they are kept in UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator

from engine.errors import InputError
from engine.model import Frozen
from engine.reports import ClusterCapacity, SubnetCapacity

SeriesKind = Literal["subnet", "podsCidr", "nodePool"]
SeriesKey = tuple[str, str, str]
"""(cluster_id, kind, key): the identity of one series."""

SAMPLED_ROLES = frozenset({"pods", "workers"})
"""Subnets sampled: those a cluster's pods or nodes take IPs from. API endpoint and load-balancer subnets hold
no node-pool IPs and their usage is not read, so they have no history worth keeping."""

KEEP_DAYS = 400
FULL_RESOLUTION_DAYS = 30


def utc(instant: datetime, *, where: str) -> datetime:
    """`instant` in UTC; InputError naming `where` when it has no time zone (a naive time is ambiguous)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InputError(f"{instant.isoformat()} has no time zone; give an aware time such as "
                         f"{instant.isoformat()}+00:00", where=where)
    return instant.astimezone(UTC)


class Sample(Frozen):
    """One reading of one series at one instant (see the module docstring for what each figure means).

    Fields:
        at: when the figures were read; timezone-aware, stored in UTC.
        cluster_id, cluster_name: the cluster the series belongs to.
        kind: "subnet" | "podsCidr" | "nodePool".
        key: subnet OCID, pods CIDR text ("10.244.0.0/16") or node pool OCID; with cluster_id and kind it names
            the series.
        name: what a person calls it (subnet or pool display name, or the CIDR).
        usable: capacity in IPs (subnet) or /25 node slots (pods CIDR); None for node pools.
        used: observed IPs or node slots in use; None when not read.
        reserved: IPs the node pools hold in the subnet; None when unknown or not applicable.
        nodes: nodes of the node pool (nodePool), or nodes counted against the pods CIDR (podsCidr).
        max_pods: the node pool's maxPodsPerNode (nodePool only).

    Raises pydantic.ValidationError naming the field for a naive `at`, an empty id or a negative figure.
    """

    at: datetime
    cluster_id: str = Field(min_length=1)
    cluster_name: str
    kind: SeriesKind
    key: str = Field(min_length=1)
    name: str
    usable: int | None = Field(default=None, ge=0)
    used: int | None = Field(default=None, ge=0)
    reserved: int | None = Field(default=None, ge=0)
    nodes: int | None = Field(default=None, ge=0)
    max_pods: int | None = Field(default=None, ge=0)

    @field_validator("at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("must be timezone-aware (for example 2026-11-26T09:00:00Z)")
        return value.astimezone(UTC)

    @property
    def series(self) -> SeriesKey:
        """(cluster_id, kind, key)."""
        return (self.cluster_id, self.kind, self.key)


def subnet_reserved(subnet: SubnetCapacity) -> int | None:
    """The reserved IPs that count toward a subnet's fill, as capacity counts them.

    Capacity (engine.capacity, `assess_subnet`) counts reserved IPs only when node pools hold IPs in the subnet;
    otherwise it reports `reservedIps: 0` but fills the subnet from observed usage alone, and with usage not read
    its utilization is null. That case is recognisable in the report (`utilization` and `usedIps` both null), and
    the sample records reserved as None there, so that a sample's occupancy always equals capacity's figure.
    """
    if subnet.utilization is None and subnet.used_ips is None:
        return None
    return subnet.reserved_ips


def samples_from_capacity(clusters: Iterable[ClusterCapacity], at: datetime) -> list[Sample]:
    """Samples of every series in these capacity reports, read at `at`.

    Per cluster, in report order: each subnet whose roles include pods or workers (`SAMPLED_ROLES`), the flannel
    pods CIDR when there is one, then each node pool. InputError when `at` is naive.
    """
    when = utc(at, where="at")
    out: list[Sample] = []
    for cluster in clusters:
        ident = {"at": when, "cluster_id": cluster.id, "cluster_name": cluster.name}
        for subnet in cluster.subnets:
            if SAMPLED_ROLES.isdisjoint(subnet.roles):
                continue
            out.append(Sample(**ident, kind="subnet", key=subnet.id, name=subnet.name, usable=subnet.usable_ips,
                              used=subnet.used_ips, reserved=subnet_reserved(subnet)))
        cidr = cluster.pods_cidr
        if cidr is not None:
            out.append(Sample(**ident, kind="podsCidr", key=cidr.cidr, name=cidr.cidr, usable=cidr.node_slots,
                              used=cidr.node_slots_used, nodes=cidr.node_slots_used))
        for pool in cluster.node_pools:
            out.append(Sample(**ident, kind="nodePool", key=pool.id, name=pool.name, nodes=pool.nodes,
                              max_pods=pool.max_pods_per_node))
    return out


# --- retention ------------------------------------------------------------------------------------------------


def _keep_flags(samples: Sequence[Sample], now: datetime, keep_days: int, full_resolution_days: int) -> list[bool]:
    if not 0 <= full_resolution_days <= keep_days:
        raise InputError(f"full_resolution_days ({full_resolution_days}) must be between 0 and keep_days "
                         f"({keep_days})", where="retention")
    when = utc(now, where="now")
    keep_cutoff = when - timedelta(days=keep_days)
    full_cutoff = when - timedelta(days=full_resolution_days)
    # The last instant of each (series, UTC day) among samples young enough to be kept at all.
    last_of_day: dict[tuple[SeriesKey, date], datetime] = {}
    for sample in samples:
        if sample.at >= keep_cutoff:
            slot = (sample.series, sample.at.date())
            seen = last_of_day.get(slot)
            if seen is None or sample.at > seen:
                last_of_day[slot] = sample.at
    return [
        sample.at >= full_cutoff
        or (sample.at >= keep_cutoff and sample.at == last_of_day[(sample.series, sample.at.date())])
        for sample in samples
    ]


def retained(
    samples: Sequence[Sample],
    now: datetime,
    *,
    keep_days: int = KEEP_DAYS,
    full_resolution_days: int = FULL_RESOLUTION_DAYS,
) -> list[Sample]:
    """The samples a store keeps at `now`, in their input order. `to_delete` returns the rest.

    The rule, precise enough for SQL to mirror it (cutoffs are instants, days are UTC calendar days):

        keep_cutoff = now - keep_days days;  full_cutoff = now - full_resolution_days days
        delete a sample when   at < keep_cutoff
                          or   at < full_cutoff AND a sample of the same series (cluster_id, kind, key)
                               exists with a later `at` on the same UTC day

    So the last `full_resolution_days` stay whole; older days keep one sample per series, the day's last (two
    samples at the very same instant are both kept); nothing older than `keep_days` survives. Deleting never
    changes which other samples the rule keeps, so applying it again deletes nothing more, and a sample deleted at
    one `now` would be deleted at any later `now` too. In PostgreSQL:

        DELETE FROM capacity_sample s
         WHERE s.at < :keep_cutoff
            OR (s.at < :full_cutoff AND EXISTS (
                  SELECT 1 FROM capacity_sample t
                   WHERE (t.cluster_id, t.kind, t.key) = (s.cluster_id, s.kind, s.key)
                     AND t.at > s.at
                     AND t.at < date_trunc('day', s.at, 'UTC') + interval '1 day'))

    Defaults: 400 days kept (a year and a month, so a digest can compare with the same day last year), the last
    30 at full resolution (the forecast window is 14 days). CloudWatch keeps coarser points longer in the same
    spirit (facts, digests-and-deploy A1). InputError for a naive `now` or full_resolution_days outside
    [0, keep_days].
    """
    flags = _keep_flags(samples, now, keep_days, full_resolution_days)
    return [sample for sample, keep in zip(samples, flags, strict=True) if keep]


def to_delete(
    samples: Sequence[Sample],
    now: datetime,
    *,
    keep_days: int = KEEP_DAYS,
    full_resolution_days: int = FULL_RESOLUTION_DAYS,
) -> list[Sample]:
    """The samples `retained` drops at `now`, in their input order (the same rule, see `retained`)."""
    flags = _keep_flags(samples, now, keep_days, full_resolution_days)
    return [sample for sample, keep in zip(samples, flags, strict=True) if not keep]
