"""Reports: the typed answers the engine gives. Their JSON (camelCase) is okebot's public contract.

A value that was not read is None (JSON null), never 0.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from engine.codes import Code
from engine.findings import Finding, FindingCounts, Severity
from engine.model import Unreadable


class Report(BaseModel):
    """Base for reports: frozen, camelCase on the wire."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


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
    instance or VNIC holds them; `utilization` and `headroom` count them as taken."""

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


class ClusterCapacity(Report):
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


class CapacityReport(Report):
    clusters: list[ClusterCapacity]
    unreadable: list[Unreadable] = []


class ValidationReport(Report):
    """A plan's verdict. `assumptions` are the capacity assumptions the verdict rests on, each once (the same
    sentences `capacity` states)."""

    plan: str
    valid: bool
    findings: list[Finding]
    counts: FindingCounts
    unreadable: list[Unreadable] = []
    assumptions: list[str] = []


class AddonStatus(Report):
    name: str
    version: str | None
    current_installed_version: str | None
    managed_by_oracle: bool
    newest_available_version: str | None = None


class PendingNode(Report):
    node: str | None
    pod: str
    reason: str
    action: str


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
    clusters: list[ClusterCniStatus]
    unreadable: list[Unreadable] = []


class DiagnoseReport(Report):
    """Every check on one cluster, worst first: the on-call view."""

    cluster: ClusterCapacity
    findings: list[Finding]
    counts: FindingCounts
    cni: ClusterCniStatus
    unreadable: list[Unreadable] = []


class WhatIfReport(Report):
    """A live cluster, changed, validated, with capacity before and after."""

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
    clusters: list[ClusterSummary]
    source: str
    unreadable: list[Unreadable] = []


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
