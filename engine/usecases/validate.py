"""Validate a cluster's network: every rule family in engine.rules plus the capacity rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from engine.capacity import rules as capacity_rules
from engine.findings import Finding, Severity, count_findings, sort_findings
from engine.model import Cluster, Tenancy
from engine.reports import ValidationReport
from engine.rules import RULES
from engine.shapes import ShapeCatalogue


def validate_cluster(
    tenancy: Tenancy,
    cluster: Cluster,
    *,
    at: Literal["current", "planned"] = "planned",
    shapes: ShapeCatalogue | None = None,
) -> tuple[Finding, ...]:
    """Every finding for a cluster's network, deduplicated, worst first."""
    catalogue = ShapeCatalogue(tenancy.shapes) if shapes is None else shapes
    found: list[Finding] = [f for rule in RULES for f in rule(tenancy, cluster)]
    found += capacity_rules.capacity_findings(tenancy, cluster, shapes=catalogue, at=at)
    return sort_findings(_unique(found))


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str]] = set()
    unique: list[Finding] = []
    for finding in findings:
        key = (finding.code, finding.subject, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def validation_report(plan_name: str, findings: Iterable[Finding]) -> ValidationReport:
    """A plan's validation answer: valid when no finding is an error."""
    ordered = sort_findings(findings)
    return ValidationReport(
        plan=plan_name,
        valid=not any(f.severity is Severity.ERROR for f in ordered),
        findings=list(ordered),
        counts=count_findings(ordered),
    )
