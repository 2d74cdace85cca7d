"""Findings: what a check says about a cluster, a plan or a subnet.

A finding's `code` is a public contract: scripts, tests and Slack buttons key on it. Each code is listed
once in `engine.catalogue` with its default severity, what it means and why it matters; findings are made
there, by `engine.catalogue.finding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from engine.codes import Code
from engine.model import Frozen

Detail = str | int | float | bool | None


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the worst severity; sorts findings worst first."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class PoolFigures(Frozen):
    """One node pool's share of a capacity finding's figure (JSON keys camelCase).

    `role` is "workers" (1 IP per node in its worker subnet), "pods" (pod-subnet IPs pre-allocated per node)
    or "podsCidr" (one flannel /25 node slot per node, `ips_per_node` 128 addresses). `max_pods_per_node` and
    `pod_vnics` are set for "pods" only; `vnic_profiles` is the number of attachable VNIC profiles for pools
    that use them (their `ipCount` sum is `ips_per_node - pod_vnics`). `nodes` counts at the size the check
    uses; any figure not known is None, and so is `ips` then.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    cluster: str
    node_pool: str
    role: str
    nodes: int | None
    max_pods_per_node: int | None = None
    pod_vnics: int | None = None
    vnic_profiles: int | None = None
    ips_per_node: int | None
    ips: int | None


class Location(Frozen):
    """Where in a plan file a finding's subject is written: the file, its line and its field path
    ("subnets[2]")."""

    file: str
    line: int
    path: str


def cidr_location_key(subject: str, cidr: str) -> str:
    """Where a plan file writes one CIDR block of a subject, as a key beside the subject's own: a finding about
    that block (its `details["cidr"]`, e.g. "10.0.128.0/17" of "vcn:prod-vcn") is placed on the block's line,
    the field path "vcn.cidrs[1]", rather than on its subject's."""
    return f"{subject} {cidr}"


def field_location_key(path: str) -> str:
    """Where a plan file writes one field, by its plan field path ("cluster.podsCidr"): a finding about that field
    (its `details["field"]`) is placed on the field's line rather than on its subject's. A finding about one CIDR
    block of a VCN or subnet names the block instead (`cidr_location_key`), as blocks a plan writes but that are
    not valid shift the index."""
    return f"field {path}"


class Finding(Frozen):
    """One thing a check found.

    `subject` names what it is about, in a stable form such as "subnet:pods-a", "nodePool:np1" or
    "cluster:prod"; `details` carries the figures behind the message for scripts and renderers (flat
    scalars); a finding about one field of its subject names it in `details["field"]` as a plan field path
    ("cluster.podsCidr"), or, about one CIDR block, the block in `details["cidr"]`. `breakdown` carries, for
    capacity findings (POD_SUBNET_TOO_SMALL, WORKER_SUBNET_TOO_SMALL, PODS_CIDR_TOO_SMALL), each node pool's
    share of the figure; it is empty for every other finding. `location` says where a plan file writes the
    subject, or the field or block it is about (None for a live cluster).
    """

    code: Code
    severity: Severity
    message: str
    remedy: str
    subject: str
    details: dict[str, Detail] = Field(default_factory=dict)
    breakdown: tuple[PoolFigures, ...] = ()
    location: Location | None = None


class FindingCounts(Frozen):
    error: int = 0
    warning: int = 0
    info: int = 0


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Worst first; then, in a plan file, in the order of the lines they are about (those with no line last);
    then by code and subject, so output is stable."""
    return tuple(sorted(findings, key=lambda f: (f.severity.rank, f.location.line if f.location else _NO_LINE,
                                                 f.code, f.subject)))


_NO_LINE = 1 << 62


def count_findings(findings: Sequence[Finding]) -> FindingCounts:
    """Count findings per severity."""
    return FindingCounts(
        error=sum(1 for f in findings if f.severity is Severity.ERROR),
        warning=sum(1 for f in findings if f.severity is Severity.WARNING),
        info=sum(1 for f in findings if f.severity is Severity.INFO),
    )


def worst(findings: Sequence[Finding]) -> Finding | None:
    """The most severe finding, or None when there are none."""
    ordered = sort_findings(findings)
    return ordered[0] if ordered else None


def merge_findings(*groups: Iterable[Finding]) -> tuple[Finding, ...]:
    """The one merge of finding lists: repeats of the same code, subject and message dropped; worst first."""
    seen: set[tuple[str, str, str]] = set()
    merged: list[Finding] = []
    for group in groups:
        for finding in group:
            key = (finding.code, finding.subject, finding.message)
            if key not in seen:
                seen.add(key)
                merged.append(finding)
    return sort_findings(merged)
