"""Plan files: the model, its parser, its JSON Schema, and conversion to and from the engine model.

One import point for callers; the parts live in `engine.plan_*` modules, each about one concept.
"""

from __future__ import annotations

from typing import Any

from engine.plan.convert import ALL_SERVICES_LABEL, PlanConversion, plan_id, plan_to_tenancy
from engine.plan.export import tenancy_to_plan
from engine.plan.model import (
    API_VERSION,
    Plan,
    PlanCluster,
    PlanFlexVnics,
    PlanImage,
    PlanNodePool,
    PlanRoute,
    PlanSecurityRule,
    PlanShape,
    PlanSubnet,
    PlanVcn,
    PlanVnicProfile,
)
from engine.plan.parse import parse_plan
from engine.plan.problems import FieldPath, LineIndex, format_path

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def plan_json_schema() -> dict[str, Any]:
    """The plan file's JSON Schema (camelCase keys), for editors and `okebot plan schema`."""
    schema = Plan.model_json_schema(by_alias=True)
    return {**schema, "$schema": SCHEMA_DIALECT, "title": f"okebot plan ({API_VERSION})"}


__all__ = [
    "ALL_SERVICES_LABEL",
    "API_VERSION",
    "FieldPath",
    "LineIndex",
    "Plan",
    "PlanCluster",
    "PlanConversion",
    "PlanFlexVnics",
    "PlanImage",
    "PlanNodePool",
    "PlanRoute",
    "PlanSecurityRule",
    "PlanShape",
    "PlanSubnet",
    "PlanVcn",
    "PlanVnicProfile",
    "format_path",
    "parse_plan",
    "plan_id",
    "plan_json_schema",
    "plan_to_tenancy",
    "tenancy_to_plan",
]
