"""Validate: every rule on one cluster, and a plan file's cluster (optionally against the live one)."""

from __future__ import annotations

from collections.abc import Iterable

from engine.capacity import capacity_assumptions
from engine.check import At, Check
from engine.findings import Finding, Severity, count_findings, merge_findings, sort_findings
from engine.model import Cluster, Tenancy, Unreadable
from engine.plan import Plan, plan_to_tenancy
from engine.reports import ValidationReport
from engine.rules import RULES
from engine.rules.immutability import compare_against
from engine.shapes import ShapeCatalogue
from engine.unreadable import CNI_KINDS, unreadable_for

# What a plan may leave out and then keeps from the live cluster under --against: OKE's defaults apply
# only to a cluster not yet created, and the live cluster's type is known, not a guess.
_KEPT_WHEN_UNSTATED = frozenset({"pods_cidr", "services_cidr", "type"})


def validate_cluster(
    tenancy: Tenancy, cluster: Cluster, *, at: At = "planned", shapes: ShapeCatalogue | None = None,
    baseline: Tenancy | None = None,
) -> tuple[Finding, ...]:
    """Every finding of every rule (`engine.rules.RULES`) for a cluster, deduplicated, worst first; `baseline`
    is the tenancy as read when `tenancy` is a what-if's change of it (see `engine.check.Check`)."""
    check = Check(tenancy, cluster, at=at, catalogue=shapes, baseline=baseline)
    return merge_findings(*(rule(check) for rule in RULES))


def validation_report(plan_name: str, findings: Iterable[Finding], *,
                      assumptions: Iterable[str] = ()) -> ValidationReport:
    """A plan's validation answer: valid when no finding is an error; each assumption stated once."""
    ordered = sort_findings(findings)
    return ValidationReport(
        plan=plan_name,
        valid=not any(f.severity is Severity.ERROR for f in ordered),
        findings=list(ordered),
        counts=count_findings(ordered),
        assumptions=list(dict.fromkeys(assumptions)),
    )


def validate_plan(plan: Plan, *, plan_name: str, against: Tenancy | None = None,
                  against_ref: str | None = None) -> ValidationReport:
    """Validate a parsed plan; with `against` (a read of the live tenancy) and `against_ref` (the cluster in
    it), also flag what OKE cannot change on the live cluster.

    Raises:
        ClusterNotFoundError: `against_ref` names no cluster of `against`.
    """
    conversion = plan_to_tenancy(plan)
    planned, planned_cluster = conversion.tenancy, conversion.cluster
    findings = list(conversion.findings)
    unreadable: tuple[Unreadable, ...] = ()
    if against is not None and against_ref is not None:
        live = against.require_cluster(against_ref)
        unstated = set(_KEPT_WHEN_UNSTATED - plan.cluster.model_fields_set)
        planned, planned_cluster = _keep_live_values(planned, planned_cluster, live, unstated)
        findings += compare_against(live, planned_cluster, live_tenancy=against, planned_tenancy=planned)
        unreadable = tuple(unreadable_for(against, [live], ignore=CNI_KINDS))
    findings += validate_cluster(planned, planned_cluster, at="planned")
    assumptions = capacity_assumptions(planned_cluster, ShapeCatalogue(planned.shapes))
    report = validation_report(plan_name, sort_findings(findings), assumptions=assumptions)
    return report.model_copy(update={"unreadable": list(unreadable)})


def _keep_live_values(
    planned: Tenancy, planned_cluster: Cluster, live: Cluster, fields: set[str]
) -> tuple[Tenancy, Cluster]:
    """The planned cluster with these fields taken from the live one (what the plan did not state)."""
    if not fields:
        return planned, planned_cluster
    changed = planned_cluster.model_copy(update={name: getattr(live, name) for name in fields})
    clusters = tuple(changed if c.id == planned_cluster.id else c for c in planned.clusters)
    return planned.model_copy(update={"clusters": clusters}), changed
