"""Turn loaded plan data (from YAML or JSON) into a Plan, or one PlanError naming every problem."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from engine.plan.consistency import check_plan, check_read
from engine.plan.model import API_VERSION, Plan
from engine.plan.problems import (
    FieldPath,
    LineIndex,
    Problem,
    describe,
    did_you_mean,
    format_path,
    plan_error,
)
from engine.words import noun

MAX_DEPTH = 32
MAX_VALUES = 200_000


def parse_plan(data: object, *, source: str, lines: LineIndex | None = None,
               found: Sequence[Problem] = ()) -> Plan:
    """Validate loaded plan data; `lines` maps field paths to file lines for the messages.

    `found` holds problems the loader met that did not stop it (a key given twice: the last is kept); they are
    reported with every problem of the plan itself, all at once.
    """
    index: LineIndex = lines or {}
    if data is None:
        problem = Problem((), f"the plan is empty; a plan starts with apiVersion: {API_VERSION}")
        raise plan_error([*found, problem], source=source, lines=index)
    if not isinstance(data, dict):
        problem = Problem((), f"expected a mapping of keys to values at the top level, got {describe(data)}")
        raise plan_error([*found, problem], source=source, lines=index)
    problems = _version_problems(data) or _structure_problems(data)
    if not problems:
        try:
            plan = Plan.model_validate(data, by_alias=True, by_name=False)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            problems = [_problem(error) for error in errors if not _short_of_bad_items(error)]
            problems += _hidden_too_long(errors, data)
            # The checks across fields still run on the fields that read: one run reports every problem.
            problems = list(dict.fromkeys([*problems, *check_read(data)]))
        else:
            problems = check_plan(plan)
    if found or problems:
        raise plan_error([*found, *problems], source=source, lines=index)
    return plan


def _short_of_bad_items(error: ErrorDetails) -> bool:
    """A too_short error that only counts the items left after the bad ones were dropped: the list as written is
    long enough, and each bad item has its own error (pydantic checks a tuple's length after its items)."""
    if error["type"] != "too_short":
        return False
    value, ctx = error.get("input"), error.get("ctx", {})
    return isinstance(value, list | tuple) and len(value) >= int(ctx.get("min_length", 0))


def _hidden_too_long(errors: Sequence[ErrorDetails], data: Mapping[str, Any]) -> list[Problem]:
    """Lists with too many items that pydantic did not call too long: it counts only the valid items."""
    reported = {tuple(e["loc"]) for e in errors if e["type"] == "too_long"}
    lists = {tuple(e["loc"][:k]) for e in errors for k, part in enumerate(e["loc"]) if isinstance(part, int)}
    problems = []
    for path in sorted(lists - reported, key=format_path):
        value = _value_at(data, path)
        most = _max_length(path)
        if isinstance(value, list) and most is not None and len(value) > most:
            items = noun(most, "item")
            problems.append(Problem(path, f"allows at most {most} {items}, got {len(value)}"))
    return problems


def _value_at(data: object, path: FieldPath) -> object:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _max_length(path: FieldPath) -> int | None:
    """The most items the list field at `path` allows, when the model says."""
    if not path or not isinstance(path[-1], str):
        return None
    model = _model_at(path[:-1])
    field = next((f for n, f in model.model_fields.items() if (f.alias or n) == path[-1]), None) if model else None
    lengths = [getattr(m, "max_length", None) for m in (field.metadata if field is not None else [])]
    return next((length for length in lengths if isinstance(length, int)), None)


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
        if isinstance(value, list | tuple) and "actual_length" in ctx:
            ctx = {**ctx, "actual_length": len(value)}  # as written, not what was left after bad items
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
