"""The one plan writer: a Plan out as plain data or YAML, as a person would write it (`okebot plan export`).

The inverse of adapters/planfile.py: what `dump_plan_yaml` writes, `load_plan_text` reads back into the same
Plan. Keys are camelCase in the documented order (docs/plan-format.md); defaults are left out.
"""

from __future__ import annotations

from typing import Any

import yaml

from engine.plan import Plan


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data, as a person would write it: camelCase keys in the documented order, fields not
    stated or left at their default out (regional: true, stateless: false, vnicProfiles: []; an empty routes
    or securityRules list stays, as it says "there are none"), whole numbers without ".0" (ocpus: 2) and a
    single port as a number (ports: 6443)."""
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    tidy: dict[str, Any] = _tidy(data)
    return {"apiVersion": plan.api_version, **{k: v for k, v in tidy.items() if k != "apiVersion"}}


_MEANINGFUL_EMPTY = frozenset({"routes", "securityRules"})


def _tidy(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _tidy(v, k) for k, v in value.items() if not (v == [] and k not in _MEANINGFUL_EMPTY)}
    if isinstance(value, list):
        return [_tidy(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if key == "ports" and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def dump_plan_yaml(plan: Plan) -> str:
    """The plan as YAML (see `plan_data`)."""
    return yaml.safe_dump(plan_data(plan), sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=110)
