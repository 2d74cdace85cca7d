"""Turn loaded plan data (from YAML or JSON) into a Plan, or one PlanError naming every problem."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from engine.plan.consistency import check_plan
from engine.plan.model import API_VERSION, Plan
from engine.plan.problems import FieldPath, LineIndex, Problem, describe, did_you_mean, plan_error
from engine.words import noun

MAX_DEPTH = 32
MAX_VALUES = 200_000


def parse_plan(data: object, *, source: str, lines: LineIndex | None = None) -> Plan:
    """Validate loaded plan data; `lines` maps field paths to file lines for the messages."""
    index: LineIndex = lines or {}
    if data is None:
        problem = Problem((), f"the plan is empty; a plan starts with apiVersion: {API_VERSION}")
        raise plan_error([problem], source=source, lines=index)
    if not isinstance(data, dict):
        problem = Problem((), f"expected a mapping of keys to values at the top level, got {describe(data)}")
        raise plan_error([problem], source=source, lines=index)
    problems = _version_problems(data) or _structure_problems(data)
    if not problems:
        try:
            plan = Plan.model_validate(data, by_alias=True, by_name=False)
        except ValidationError as exc:
            problems = [_problem(error) for error in exc.errors(include_url=False)]
        else:
            problems = check_plan(plan)
    if problems:
        raise plan_error(problems, source=source, lines=index)
    return plan


def _version_problems(data: Mapping[Any, Any]) -> list[Problem]:
    # A file without the right apiVersion is most likely not a plan at all: its other errors are noise.
    version = data.get("apiVersion")
    if version == API_VERSION:
        return []
    if version is None:
        return [Problem((), f"apiVersion is missing; is this a plan file? Add apiVersion: {API_VERSION}")]
    return [Problem(("apiVersion",), f"expected {API_VERSION}, got {describe(version)}")]


def _structure_problems(data: object) -> list[Problem]:
    """Keys that are not text, nesting too deep, or too many values; walked once per shared object."""
    seen: set[int] = set()
    stack: list[tuple[object, FieldPath]] = [(data, ())]
    count = 0
    while stack:
        value, path = stack.pop()
        if not isinstance(value, dict | list) or id(value) in seen:
            continue
        seen.add(id(value))
        count += len(value)
        if len(path) > MAX_DEPTH:
            return [Problem(path[:MAX_DEPTH], f"nested more than {MAX_DEPTH} levels deep")]
        if count > MAX_VALUES:
            return [Problem((), f"more than {MAX_VALUES} values; a plan is far smaller")]
        if isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
            continue
        for key, item in value.items():
            if not isinstance(key, str):
                return [Problem(path, f"key {describe(key)} is not text; keys are names such as cluster")]
            stack.append((item, (*path, key)))
    return []


def problem_of(error: ErrorDetails) -> Problem:
    """One pydantic error about a plan in plan words ("must be at least 1, got 0.5"), at its field path."""
    return _problem(error)


def _problem(error: ErrorDetails) -> Problem:
    path: FieldPath = tuple(error["loc"])
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "extra_forbidden":
        return Problem(path, _unknown_key(path))
    if kind == "missing":
        return Problem(path, "is required but missing")
    message = _MESSAGES.get(kind)
    if message is not None:
        items = {f"{bound}_items": noun(int(ctx.get(f"{bound}_length", 0)), "item") for bound in ("min", "max")}
        return Problem(path, message.format(got=describe(value), **items, **ctx))
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        hint = did_you_mean(value, re.findall(r"'([^']*)'", expected)) if isinstance(value, str) else ""
        return Problem(path, f"expected {expected}, got {describe(value)}{hint}")
    if kind == "value_error":
        return Problem(path, str(ctx.get("error", error["msg"])))
    return Problem(path, f"{error['msg']}, got {describe(value)}")


_MESSAGES = {
    "string_type": "expected text, got {got}",
    "int_type": "expected a whole number, got {got}",
    "float_type": "expected a number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "finite_number": "expected a finite number, got {got}",
    "greater_than_equal": "must be at least {ge}, got {got}",
    "greater_than": "must be more than {gt}, got {got}",
    "less_than_equal": "must be at most {le}, got {got}",
    "less_than": "must be less than {lt}, got {got}",
    "model_type": "expected a mapping of keys to values, got {got}",
    "model_attributes_type": "expected a mapping of keys to values, got {got}",
    "dict_type": "expected a mapping of keys to values, got {got}",
    "tuple_type": "expected a list, got {got}",
    "list_type": "expected a list, got {got}",
    "too_short": "needs at least {min_length} {min_items}, got {actual_length}",
    "too_long": "allows at most {max_length} {max_items}, got {actual_length}",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long (at most {max_length} characters)",
}


def _unknown_key(path: FieldPath) -> str:
    key = str(path[-1])
    allowed = _aliases(_model_at(path[:-1]))
    hint = did_you_mean(key, allowed)
    return f"unknown key{hint}; allowed keys: {', '.join(allowed)}"


def _aliases(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_at(path: FieldPath) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Plan
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        model = _model_in(field.annotation) if field is not None else None
    return model


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
