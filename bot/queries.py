"""The questions okebot answers, shared by the CLI and Slack: both parse their own syntax into these."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Query(BaseModel):
    """Base for queries: frozen, strict."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ClustersQuery(Query):
    """List the clusters with their worst finding."""


class CapacityQuery(Query):
    """Pod-network capacity of one cluster (or all), optionally narrowed to one node pool."""

    cluster: str | None = None
    pool: str | None = None
    fresh: bool = False


class DiagnoseQuery(Query):
    """Every check on one live cluster, worst first."""

    cluster: str
    fresh: bool = False


class CniQuery(Query):
    """CNI add-on version and the nodes waiting for a CNI update."""

    cluster: str | None = None
    fresh: bool = False


class WhatIfQuery(Query):
    """Change a live cluster's node pool (or add one), validate, and compare capacity."""

    cluster: str
    pool: str | None = None
    size: int | None = Field(default=None, ge=0, le=10_000)
    shape: str | None = None
    ocpus: float | None = Field(default=None, gt=0, le=512)
    max_pods: int | None = Field(default=None, ge=1, le=10_000)
    add_pool: str | None = None
    fresh: bool = False


class ValidateQuery(Query):
    """Validate a plan file's text, optionally against a live cluster."""

    plan_text: str
    source_name: str
    against: str | None = None
    fresh: bool = False


class ExplainQuery(Query):
    """What a finding code means and why."""

    code: str


class RulesQuery(Query):
    """The catalogue of every finding code."""


AnyQuery = (
    ClustersQuery
    | CapacityQuery
    | DiagnoseQuery
    | CniQuery
    | WhatIfQuery
    | ValidateQuery
    | ExplainQuery
    | RulesQuery
)
