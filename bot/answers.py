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
from engine.catalogue import explain, rules_report
from engine.ports import TenancyReader
from engine.usecases.capacity import assess_capacity
from engine.usecases.clusters import list_clusters
from engine.usecases.cni import cni_status
from engine.usecases.diagnose import diagnose
from engine.usecases.validate import validate_plan
from engine.usecases.whatif import WhatIfChange, whatif


async def answer(query: AnyQuery, *, reader: TenancyReader) -> BaseModel:
    """Run a query against the source and return its report."""
    match query:
        case ClustersQuery():
            return list_clusters(await reader.read(), source=reader.description)
        case CapacityQuery(cluster=cluster, pool=pool, fresh=fresh):
            tenancy = await reader.read(clusters=[cluster] if cluster else None, fresh=fresh)
            return assess_capacity(tenancy, cluster=cluster, pool=pool)
        case DiagnoseQuery(cluster=cluster, fresh=fresh):
            return diagnose(await reader.read(clusters=[cluster], fresh=fresh), cluster=cluster)
        case CniQuery(cluster=cluster, fresh=fresh):
            tenancy = await reader.read(clusters=[cluster] if cluster else None, fresh=fresh)
            return cni_status(tenancy, cluster=cluster)
        case WhatIfQuery():
            change = WhatIfChange(
                pool=query.pool,
                size=query.size,
                shape=query.shape,
                ocpus=query.ocpus,
                max_pods=query.max_pods,
                add_pool=query.add_pool,
            )
            tenancy = await reader.read(clusters=[query.cluster], fresh=query.fresh)
            return whatif(tenancy, cluster=query.cluster, change=change)
        case ValidateQuery():
            plan = load_plan_text(query.plan_text, source=query.source_name)
            live = None
            if query.against is not None:
                live = await reader.read(clusters=[query.against], fresh=query.fresh)
            return validate_plan(plan, plan_name=query.source_name, against=live, against_ref=query.against)
        case ExplainQuery(code=code):
            return explain(code)
        case RulesQuery():
            return rules_report()
    raise TypeError(f"unknown query {type(query).__name__}")
