"""Network-plan validation rules, one module per rule family. Each rule is a pure function
`(tenancy, cluster) -> list[Finding]`; `RULES` lists them in the order `engine.usecases.validate` runs them."""

from __future__ import annotations

from collections.abc import Callable

from engine.findings import Finding
from engine.model import Cluster, Tenancy
from engine.rules.cidr_overlap import (
    cluster_cidr_overlap_findings,
    overlapping_pairs,
    subnet_outside_vcn_findings,
    subnet_overlap_findings,
)
from engine.rules.immutability import compare_against
from engine.rules.node_pools import cni_compat_findings
from engine.rules.routes import route_findings
from engine.rules.security import security_findings
from engine.rules.subnets import (
    endpoint_subnet_findings,
    missing_subnet_findings,
    pod_subnet_findings,
    worker_subnet_findings,
)
from engine.rules.versions import image_findings, image_release_date, parse_version, version_findings

Rule = Callable[[Tenancy, Cluster], list[Finding]]

RULES: tuple[Rule, ...] = (
    subnet_outside_vcn_findings,
    subnet_overlap_findings,
    cluster_cidr_overlap_findings,
    missing_subnet_findings,
    endpoint_subnet_findings,
    worker_subnet_findings,
    pod_subnet_findings,
    cni_compat_findings,
    version_findings,
    image_findings,
    route_findings,
    security_findings,
)

__all__ = [
    "RULES",
    "Rule",
    "compare_against",
    "image_release_date",
    "overlapping_pairs",
    "parse_version",
]
