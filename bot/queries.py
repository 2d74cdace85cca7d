"""The questions okebot answers, as typed queries shared by the CLI and Slack; each names its report type.

Bounds on every argument (sizes, lengths, ranges) are declared here, once; both surfaces validate through
these models and turn a `ValidationError` into a message naming the argument (`describe_problem`).
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import ErrorDetails

from engine.plan import Plan
from engine.reports import (
    CapacityReport,
    ClusterListReport,
    CniReport,
    CodeExplanation,
    DiagnoseReport,
    RulesReport,
    ValidationReport,
    WhatIfReport,
)

R = TypeVar("R", bound=BaseModel)

MAX_NAME = 255  # OCI display names and OCIDs are far shorter; anything longer is not a name
MAX_NODES = 10_000
MAX_OCPUS = 512
NO_CHANGE = "say what to change: size, shape, ocpus, max-pods or add-pool"


class Query(BaseModel, Generic[R]):
    """Base for queries: frozen, strict about unknown fields; `R` is the report that answers it."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ClustersQuery(Query[ClusterListReport]):
    """List the clusters with their worst finding."""

    fresh: bool = False


class CapacityQuery(Query[CapacityReport]):
    """Pod-network capacity of one cluster (or all), optionally narrowed to one node pool."""

    cluster: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    pool: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    fresh: bool = False


class DiagnoseQuery(Query[DiagnoseReport]):
    """Every check on one live cluster, worst first."""

    cluster: str = Field(min_length=1, max_length=MAX_NAME)
    fresh: bool = False


class CniQuery(Query[CniReport]):
    """CNI add-on version and the nodes waiting for a CNI update."""

    cluster: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    fresh: bool = False


# A node pool's name as asked for: surrounding spaces are a slip of the keyboard, an empty name is no name.
PoolName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)]


class WhatIfQuery(Query[WhatIfReport]):
    """Change a live cluster's node pool (or add one), validate, and compare capacity."""

    cluster: str = Field(min_length=1, max_length=MAX_NAME)
    pool: PoolName | None = None
    size: int | None = Field(default=None, ge=0, le=MAX_NODES)
    shape: PoolName | None = None  # a shape's name: stripped, not empty, as a pool's
    # Every OCI flex shape starts at 1 OCPU (a plan's ocpus too); fixed shapes take none (the engine says so).
    ocpus: float | None = Field(default=None, ge=1, le=MAX_OCPUS, allow_inf_nan=False)
    max_pods: int | None = Field(default=None, ge=1, le=MAX_NODES)
    add_pool: PoolName | None = None
    full: bool = False
    fresh: bool = False

    @model_validator(mode="after")
    def _changes_something(self) -> WhatIfQuery:
        if self.add_pool is None and all(v is None for v in (self.size, self.shape, self.ocpus, self.max_pods)):
            raise ValueError(NO_CHANGE)
        return self


class ValidateQuery(Query[ValidationReport]):
    """Validate a plan (parsed once, where it was read), optionally against a live cluster."""

    plan: Plan
    plan_name: str = Field(min_length=1, max_length=4096)
    # Where each finding subject starts in the plan's file: (line, field path), from the plan reader.
    locations: dict[str, tuple[int, str]] = Field(default_factory=dict)
    against: str | None = Field(default=None, max_length=MAX_NAME)
    fresh: bool = False


class ExplainQuery(Query[CodeExplanation]):
    """What a finding code means and why."""

    code: str = Field(min_length=1, max_length=100)


class RulesQuery(Query[RulesReport]):
    """The catalogue of every finding code, or of one."""

    code: str | None = Field(default=None, max_length=100)


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


def describe_problem(error: ValidationError, model: type[BaseModel] | None = None) -> tuple[str, str]:
    """The first problem of a query's ValidationError as (field, sentence), in words, never pydantic's raw text.

    `field` is the query field (snake_case), or "query" for a problem of the whole query; with the query's
    `model`, a bound names the field's whole range ("expected 1 to 10000, got 0").
    """
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "query"
    bounds = _range_of(model, field) if model is not None else None
    if bounds is not None and first["type"] in _BOUND_ERRORS:
        return field, f"expected {bounds}, got {_shown(first.get('input'))}"
    return field, problem_sentence(first)


_BOUND_ERRORS = frozenset({"greater_than_equal", "greater_than", "less_than_equal", "less_than"})


def _range_of(model: type[BaseModel], field: str) -> str | None:
    info = model.model_fields.get(field)
    if info is None:
        return None
    low = next((m for m in info.metadata if hasattr(m, "ge") or hasattr(m, "gt")), None)
    high = next((m for m in info.metadata if hasattr(m, "le") or hasattr(m, "lt")), None)
    if low is None or high is None:
        return None
    top = _number(getattr(high, "le", getattr(high, "lt", None)))
    if hasattr(low, "ge"):
        return f"{_number(low.ge)} to {top}"
    return f"more than {_number(low.gt)} and at most {top}"


def _number(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _shown(given: object) -> str:
    if isinstance(given, str):
        # A number typed on a command line arrives as text; show it as typed, without quotes.
        try:
            float(given)
        except ValueError:
            return repr(given)
        return given
    return str(given)


def problem_sentence(error: ErrorDetails) -> str:
    """One pydantic error in words: what was expected and what was given."""
    kind = error["type"]
    given = error.get("input")
    context = error.get("ctx") or {}
    shown = _shown(given)
    if kind == "int_parsing" or kind == "int_from_float":
        return f"expected a whole number, got {shown}"
    if kind == "float_parsing":
        return f"expected a number, got {shown}"
    if kind in _BOUND_ERRORS:
        word = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most",
                "less_than": "less than"}[kind]
        return f"expected {word} {_number(next(iter(context.values()), '?'))}, got {shown}"
    if kind == "finite_number":
        return f"expected a finite number, got {shown}"
    if kind == "string_too_long":
        length = len(given) if isinstance(given, str) else "?"
        return f"is {length} characters long; at most {context.get('max_length')}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not an option of this question"
    return str(error["msg"]).removeprefix("Value error, ").rstrip(".")
