"""Answer a query: the one place where the CLI and Slack meet the use cases."""

from __future__ import annotations

from pydantic import BaseModel

from adapters.planfile import load_plan_text
from bot.queries import (
    AnyQuery,
    CapacityQuery,
    ClustersQuery,
    CniQuery,
    DiagnoseQuery,
    ExplainQuery,
    RulesQuery,
    ValidateQuery,
    WhatIfQuery,
)
from engine import usecases
from engine.catalogue import CATALOGUE, explain
from engine.plan import plan_to_tenancy
from engine.ports import TenancyReader
from engine.reports import Report
from engine.usecases.whatif import WhatIfChange


class RulesReport(Report):
    """The catalogue of finding codes."""

    rules: list[dict[str, object]]


def _rules_report() -> RulesReport:
    return RulesReport(rules=[info.model_dump(mode="json", by_alias=True) for info in CATALOGUE.values()])


async def _validate(query: ValidateQuery, reader: TenancyReader) -> Report:
    plan = load_plan_text(query.plan_text, source=query.source_name)
    conversion = plan_to_tenancy(plan)
    against = None
    planned, planned_cluster = conversion.tenancy, conversion.cluster
    if query.against is not None:
        live = await reader.read(clusters=[query.against], fresh=query.fresh)
        live_cluster = usecases.require_cluster(live, query.against)
        against = (live, live_cluster)
        # A CIDR the plan leaves out keeps the live one; OKE's defaults apply only to a cluster not yet created.
        unstated = {"pods_cidr", "services_cidr"} - plan.cluster.model_fields_set
        planned, planned_cluster = usecases.keep_live_values(planned, planned_cluster, live_cluster, unstated)
    return usecases.validate_planned(
        planned,
        planned_cluster,
        plan_name=query.source_name,
        parse_findings=tuple(conversion.findings),
        against=against,
    )


async def answer(query: AnyQuery, *, reader: TenancyReader) -> BaseModel:
    """Run a query against the source and return its report."""
    match query:
        case ClustersQuery():
            return await usecases.clusters_overview(reader)
        case CapacityQuery(cluster=cluster, pool=pool, fresh=fresh):
            return await usecases.capacity(reader, cluster=cluster, pool=pool, fresh=fresh)
        case DiagnoseQuery(cluster=cluster, fresh=fresh):
            return await usecases.diagnose(reader, cluster=cluster, fresh=fresh)
        case CniQuery(cluster=cluster, fresh=fresh):
            return await usecases.cni_status(reader, cluster=cluster, fresh=fresh)
        case WhatIfQuery():
            change = WhatIfChange(
                pool=query.pool,
                size=query.size,
                shape=query.shape,
                ocpus=query.ocpus,
                max_pods=query.max_pods,
                add_pool=query.add_pool,
            )
            return await usecases.whatif(reader, cluster=query.cluster, change=change, fresh=query.fresh)
        case ValidateQuery():
            return await _validate(query, reader)
        case ExplainQuery(code=code):
            return explain(code)
        case RulesQuery():
            return _rules_report()
    raise TypeError(f"unknown query {type(query).__name__}")
