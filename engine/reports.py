"""Reports: the typed answers the engine gives. Their JSON (camelCase) is okebot's public contract.

A value that was not read is None (JSON null), never 0.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from engine.codes import Code
from engine.findings import Finding, FindingCounts, Severity
from engine.model import SourceKind, Unreadable


class Report(BaseModel):
    """Base for reports: frozen, camelCase on the wire."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


class SourceInfo(Report):
    """Where an answer's data came from and how old it is (JSON `readFrom`).

    `description` names the source ("snapshot demo-tenancy.json (us-ashburn-1, captured ...)", "OCI
    us-ashburn-1 (tenancy root)", "plan checkout.yaml"); `kind` is "snapshot" (the demo is one), "live" or
    "plan". `captured_at` is when a snapshot was recorded; `read_at` when a live tenancy was read (ISO 8601 UTC,
    None when not known); `cached` is True when a live answer came from okebot's short cache (`--fresh` reads
    again), None for sources without one.
    """

    description: str
    kind: SourceKind | None = None
    captured_at: str | None = None
    read_at: str | None = None
    cached: bool | None = None


class PoolRoom(Report):
    """How many more nodes of one pool fit (JSON `nodePools[].headroom`): the least over every limit its nodes
    count against — worker subnet(s), pod subnet(s), flannel pods-CIDR slots — each judged by the capacity rules
    exactly as a what-if of that size would be. `more_nodes` is None when a limit cannot be judged;
    `limited_by` names the limit that binds ("pods CIDR", "pod subnet NAME", "worker subnet NAME"), or the one
    that could not be judged. `at_most` is set when the only thing unknown is a subnet's IPs in use (not read):
    judged on the reservations alone the pool could grow by `at_most` (`limited_by` then names the limit that
    binds there), so it can grow by at most that many.
    """

    more_nodes: int | None
    limited_by: str | None
    at_most: int | None = None


class PodsCidrCapacity(Report):
    """Flannel only: how many /25 node slots the pods CIDR has, and how many are taken."""

    cidr: str
    node_slots: int
    node_slots_used: int | None
    pods_capacity: int


class NodePoolCapacity(Report):
    id: str
    name: str
    type: str
    shape: str | None
    nodes: int | None
    size: int | None
    max_size: int | None
    vnics_per_node: int | None
    max_pods_per_node: int | None
    limited_by: str | None
    pods_capacity: int | None
    pod_subnet_ips_per_node: int | None
    headroom: PoolRoom | None = None


class PoolHeadroom(Report):
    """How many more nodes of one pool still fit in a subnet."""

    cluster: str
    node_pool: str
    ips_per_node: int
    more_nodes: int | None


class IpHolder(Report):
    """What holds IPs of a subnet that no known node pool's node holds: an instance, or a VNIC no attachment
    names (`kind` "instance" or "vnic"), and how many IPs."""

    holder: str
    kind: Literal["instance", "vnic"]
    ips: int


class SubnetCapacity(Report):
    """One subnet's room. `unattributed_ips` are IPs in use that no known node pool's nodes hold (None when not
    knowable; see `engine.capacity.attribution`), named in `unattributed_holders` when the source says which
    instance or VNIC holds them; `utilization` and `headroom` count them as taken. `utilization_at_least` is
    True when `utilization` is a lower bound: pools hold IPs here but the IPs in use, or what a pool reserves
    (its shape unknown), were not read."""

    id: str
    name: str
    role: str
    roles: list[str]
    cidrs: list[str]
    usable_ips: int
    used_ips: int | None
    reserved_ips: int | None
    utilization: float | None
    headroom: list[PoolHeadroom]
    shared_with: list[str]
    unattributed_ips: int | None = None
    unattributed_holders: list[IpHolder] = []
    utilization_at_least: bool = False


class ClusterCapacity(Report):
    """One cluster's capacity. `pods_capacity` is the pods its nodes can run in all: the pools' figures added
    up, and on flannel at most the pods CIDR's node slots × 110 (a node past the slots gets no pod range);
    None when a pool's figure is unknown. `other_findings` counts the cluster's findings that are not about
    capacity (security rules, routes, ...), set by `capacity` so that "no capacity findings" is not read as
    "no findings"; None where the answer does not look (diagnose lists them all)."""

    id: str
    name: str
    cni: str
    kubernetes_version: str | None
    nodes: int | None
    pods_cidr: PodsCidrCapacity | None
    node_pools: list[NodePoolCapacity]
    subnets: list[SubnetCapacity]
    findings: list[Finding]
    assumptions: list[str]
    pods_capacity: int | None = None
    other_findings: FindingCounts | None = None


class CapacityReport(Report):
    """Capacity of one cluster or all. `assumptions` are every cluster's, each once (the answer's footer)."""

    clusters: list[ClusterCapacity]
    unreadable: list[Unreadable] = []
    assumptions: list[str] = []
    read_from: SourceInfo | None = None


class ValidationReport(Report):
    """A plan's verdict. `assumptions` are the capacity assumptions the verdict rests on, each once (the same
    sentences `capacity` states)."""

    plan: str
    valid: bool
    findings: list[Finding]
    counts: FindingCounts
    unreadable: list[Unreadable] = []
    assumptions: list[str] = []
    read_from: SourceInfo | None = None


class AddonStatus(Report):
    name: str
    version: str | None
    current_installed_version: str | None
    managed_by_oracle: bool
    newest_available_version: str | None = None


class PendingNode(Report):
    """A node waiting for a CNI update. `node_pool` is the node pool it belongs to (None when no pool lists it)."""

    node: str | None
    pod: str
    reason: str
    action: str
    node_pool: str | None = None


class CniLogError(Report):
    """One distinct error line of a CNI pod's log tail (timestamp and klog header removed), and its count."""

    line: str
    count: int


class CniPodErrors(Report):
    """A CNI pod with trouble: not Ready (`ready` False), restarted (`restarts` > 0), or error lines in its log.

    `ready` and `restarts` are None when the pod's status was not read.
    """

    node: str | None
    pod: str
    ready: bool | None
    restarts: int | None
    errors: list[CniLogError]


class ClusterCniStatus(Report):
    """A cluster's CNI: its add-on, the nodes waiting for an update, and CNI pods in trouble (`pod_errors`,
    JSON `podErrors`)."""

    id: str
    name: str
    cni: str
    addon: AddonStatus | None
    pending_update: bool | None
    pending_nodes: list[PendingNode]
    action: str
    notes: list[str] = []
    pod_errors: list[CniPodErrors] = []


class CniReport(Report):
    """CNI status of one cluster or all. `assumptions` are those its advice rests on (the replacement batch
    size rests on the capacity assumptions), each once."""

    clusters: list[ClusterCniStatus]
    unreadable: list[Unreadable] = []
    assumptions: list[str] = []
    read_from: SourceInfo | None = None


class DiagnoseReport(Report):
    """Every check on one cluster, worst first: the on-call view. `assumptions` are the cluster's, once."""

    cluster: ClusterCapacity
    findings: list[Finding]
    counts: FindingCounts
    cni: ClusterCniStatus
    unreadable: list[Unreadable] = []
    assumptions: list[str] = []
    read_from: SourceInfo | None = None


class PoolChange(Report):
    """One change a what-if makes, for scripts (JSON `changeDetails`): the node pool, the field ("size",
    "shape", "ocpus", "maxPodsPerNode"; "nodePool" for a pool added, `after` its template), and its value
    before (None: unknown or unset, or the pool did not exist) and after."""

    node_pool: str
    field: str
    before: str | int | float | None
    after: str | int | float | None


class ChangedFinding(Report):
    """A finding found before and after a change, at another severity: `was` is its severity before."""

    finding: Finding
    was: Severity


class WhatIfReport(Report):
    """A live cluster, changed, validated, with capacity before and after.

    Findings are matched by code and subject: `new_findings` are found only after the change,
    `resolved_findings` only before it (and not because they could no longer be checked),
    `worse_findings`/`better_findings` at a higher/lower severity after (each with the severity it `was`), and
    `unchecked_findings` (as they were before) can no longer be checked because a figure they rest on became
    unknown. `verdict` is "does not fit" when a limit the changed pools count against is exceeded or the
    change brings an error; "unknown" when such a limit cannot be judged; else "fits" (`valid` says whether
    the changed cluster has no error at all, whatever the change). `unknown_limits` says, in words, each limit
    that made the verdict unknown ("pod subnet NAME: IPs in use not read"); `unread_limits` names every limit
    the changed pools count against whose IPs in use were not read (a change that asks no more of them than
    before can still fit). `full` asks renderers for both
    capacity reports in full; it is not part of the JSON.
    """

    cluster: str
    changes: list[str]
    before: ClusterCapacity
    after: ClusterCapacity
    findings: list[Finding]
    new_findings: list[Finding]
    resolved_findings: list[Finding]
    valid: bool
    verdict: Literal["fits", "does not fit", "unknown"] = "fits"
    unreadable: list[Unreadable] = []
    worse_findings: list[ChangedFinding] = []
    better_findings: list[ChangedFinding] = []
    unchecked_findings: list[Finding] = []
    assumptions: list[str] = []
    read_from: SourceInfo | None = None
    change_details: list[PoolChange] = []
    unknown_limits: list[str] = []
    unread_limits: list[str] = []
    full: bool = Field(default=False, exclude=True)


class ClusterSummary(Report):
    id: str
    name: str
    cni: str
    kubernetes_version: str | None
    nodes: int | None
    node_pools: int
    worst: Finding | None
    counts: FindingCounts


class ClusterListReport(Report):
    """Every cluster with its worst finding. `source` is the source's description (kept for scripts; `readFrom`
    says the same with its kind and age)."""

    clusters: list[ClusterSummary]
    source: str
    unreadable: list[Unreadable] = []
    read_from: SourceInfo | None = None


class CodeExplanation(Report):
    """What one finding code means, why it matters, its source and its fix (in generic words)."""

    code: Code
    severity: Severity
    title: str
    meaning: str
    why: str
    source: str
    remedy: str
    severity_note: str | None = None


class RulesReport(Report):
    """The catalogue of every finding code."""

    rules: list[CodeExplanation]
