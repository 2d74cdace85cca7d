"""The registry: every question okebot answers, named once.

Each entry names its query type, the engine use case that answers it, the access action it needs, its usage
line, one summary, and its arguments with their spelling on each surface. The Slack parser
(`bot.slack.parse`), the CLI's argparse (`bot.cli.commands`), authorization (`bot.slack.access`) and
`bot.answers.answer` are derived from this table; both renderers are checked against it at import time
(`bot.answers.check_renderers`), so a question missing from any of them fails at start-up, never silently.

Adding a question: a query in `bot.queries`, its use case in `engine/usecases/`, one entry here, its text and
Block Kit renderers, and tests. CONTRIBUTING.md walks through it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from adapters.planfile import load_located_plan, read_plan_path
from bot.queries import (
    CapacityQuery,
    ClustersQuery,
    CniQuery,
    DiagnoseQuery,
    ExplainQuery,
    Query,
    RulesQuery,
    ValidateQuery,
    WhatIfQuery,
    describe_problem,
)
from engine.access import Action
from engine.catalogue import explain, rules_report
from engine.errors import InputError
from engine.findings import Finding, Location, Severity, cidr_location_key, field_location_key, sort_findings
from engine.model import Tenancy
from engine.reports import (
    CapacityReport,
    ClusterListReport,
    CniReport,
    CodeExplanation,
    DiagnoseReport,
    RulesReport,
    SourceInfo,
    ValidationReport,
    WhatIfReport,
)
from engine.usecases.capacity import assess_capacity
from engine.usecases.clusters import list_clusters
from engine.usecases.cni import cni_status
from engine.usecases.diagnose import diagnose
from engine.usecases.validate import validate_plan
from engine.usecases.whatif import WhatIfChange, whatif

Q = TypeVar("Q", bound=Query[Any])
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Read:
    """What a question reads from the source: these clusters (names or OCIDs), or every cluster (None)."""

    clusters: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Argument:
    """One argument of a question: the query field it fills, and how each surface spells it.

    `slack`: "positional" (in order), "option" (`key=value`, key = field with dashes) or both.
    `cli`: "positional", "option" (`--key VALUE`) or "flag" (`--key`, a yes/no field; in Slack `key=yes`).
    `missing` is what Slack says when a required positional is left out; `from_channel` lets a channel bound
    to one cluster supply it.
    """

    field: str
    help: str
    slack: Literal["positional", "option", "both"]
    cli: Literal["positional", "option", "flag"]
    metavar: str = "NAME"
    missing: str | None = None
    from_channel: bool = False

    @property
    def key(self) -> str:
        """The spelling of the field on both surfaces: `max_pods` is `max-pods=` and `--max-pods`."""
        return self.field.replace("_", "-")


@dataclass(frozen=True)
class CliInput:
    """A CLI-only input that is read into query fields (a plan file path becomes the parsed plan)."""

    name: str
    metavar: str
    help: str
    read: Callable[[str], dict[str, object]]


@dataclass(frozen=True)
class Question(Generic[Q, R]):
    """One question: how it is asked, who may ask it, what it reads, and the use case that answers it.

    `answer(query, tenancy, source)` is pure and synchronous: `tenancy` is the one read of the source
    (None when `reads` says the question reads nothing) and `source` describes where it came from.
    `failed(report)` says whether the CLI exits 1 (error findings); `exit_status(report)`, when given, is the
    CLI's exit code where 0 and 1 do not say enough (what-if: 5 for a verdict of unknown). An `offline`
    question never reads the source (the CLI then takes no --source).
    """

    name: str
    query: type[Q]
    report: type[R]
    summary: str
    slack_usage: str
    arguments: tuple[Argument, ...]
    action: Callable[[Q], Action]
    reads: Callable[[Q], Read | None]
    answer: Callable[[Q, Tenancy | None, str], R]
    failed: Callable[[R], bool]
    slack_summary: str | None = None
    offline: bool = False
    cli_inputs: tuple[CliInput, ...] = ()
    slack_opens_modal: bool = False
    aliases: tuple[str, ...] = ()
    exit_status: Callable[[R], int] | None = None
    epilog: str | None = None


def _tenancy(tenancy: Tenancy | None) -> Tenancy:
    if tenancy is None:
        raise TypeError("a question that reads the source was answered without a read")
    return tenancy


def _has_error(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def _never(_: BaseModel) -> bool:
    return False


def _one_or_all(cluster: str | None) -> Read:
    return Read(clusters=(cluster,) if cluster else None)


def _whatif(query: WhatIfQuery, tenancy: Tenancy | None, source: str) -> WhatIfReport:
    try:
        change = WhatIfChange(
            pool=query.pool, size=query.size, shape=query.shape, ocpus=query.ocpus, max_pods=query.max_pods,
            add_pool=query.add_pool,
        )
    except ValidationError as exc:  # the engine's bounds, said as the query's would be
        field, problem = describe_problem(exc, WhatIfChange)
        raise InputError(problem, where=field.replace("_", "-")) from None
    return whatif(_tenancy(tenancy), cluster=query.cluster, change=change, full=query.full)


# `okebot whatif` exit codes: what the verdict says, so that CI can tell "does not fit" from "cannot tell".
WHATIF_EXIT = {"fits": 0, "does not fit": 1, "unknown": 5}
WHATIF_EPILOG = (
    "Exit codes: 0 the change fits, 1 it does not fit (a limit its pools count against is exceeded, or it brings "
    "an error), 5 unknown (a figure the verdict needs was not read, e.g. an unknown shape), 2 bad input, "
    "3 the source could not be read, 4 a bug in okebot. Errors the cluster already has and the change does not "
    "touch do not make it fail; the answer says how many there are."
)


def _whatif_failed(report: WhatIfReport) -> bool:
    return report.verdict != "fits"


def _read_plan_file(path: str) -> dict[str, object]:
    # Bytes from stdin, decoded strictly by the one plan reader: a text stream would hide undecodable bytes.
    text, name = read_plan_path(path, stdin=getattr(sys.stdin, "buffer", None))
    located = load_located_plan(text, source=name)
    return {"plan": located.plan, "plan_name": name, "locations": located.locations}


def located(findings: list[Finding], *, file: str, locations: dict[str, tuple[int, str]]) -> list[Finding]:
    """Findings with where their subject is written in the plan file, when the reader said: a finding about one
    CIDR block (`details["cidr"]`) on that block's line, one about one field (`details["field"]`, a path such as
    "cluster.podsCidr") on that field's line, any other (or one whose field the plan does not write) on its
    subject's."""
    placed = []
    for found in findings:
        block, field = found.details.get("cidr"), found.details.get("field")
        where = locations.get(cidr_location_key(found.subject, block)) if isinstance(block, str) else None
        where = where or (locations.get(field_location_key(field)) if isinstance(field, str) else None)
        where = where or locations.get(found.subject)
        placed.append(found if where is None else found.model_copy(
            update={"location": Location(file=file, line=where[0], path=where[1])}))
    return list(sort_findings(placed))  # placed: now in line order within each severity


def _validate(query: ValidateQuery, tenancy: Tenancy | None, source: str) -> ValidationReport:
    live = _tenancy(tenancy) if query.against is not None else None
    report = validate_plan(query.plan, plan_name=query.plan_name, against=live, against_ref=query.against)
    if query.locations:
        report = report.model_copy(update={"findings": located(report.findings, file=query.plan_name,
                                                               locations=query.locations)})
    if live is not None:
        return report  # `answer` says which live source it was compared with
    return report.model_copy(update={"read_from": SourceInfo(description=f"plan {query.plan_name}", kind="plan")})


_CLUSTER_OPTION = Argument("cluster", "cluster name or OCID (default: every cluster)", "positional", "option",
                           from_channel=True)
_CLUSTER_NEEDED = "cluster name or OCID"
_WHATIF_OPTIONS = (
    Argument("size", "new node count", "option", "option", metavar="N"),
    Argument("shape", "new shape, e.g. VM.Standard.E5.Flex", "option", "option", metavar="SHAPE"),
    Argument("ocpus", "new OCPUs per node (flex shapes)", "option", "option", metavar="N"),
    Argument("max_pods", "new maxPodsPerNode", "option", "option", metavar="N"),
    Argument("add_pool", "add a new pool of this name (give its size too)", "option", "option", metavar="NAME"),
    Argument("full", "show the capacity before and after in full (default: only what changed)", "option", "flag",
             metavar="yes"),
)

QUESTIONS: tuple[Question[Any, Any], ...] = (
    Question(
        name="clusters",
        query=ClustersQuery,
        report=ClusterListReport,
        summary="every cluster, with its worst finding",
        slack_usage="clusters",
        arguments=(),
        action=lambda q: Action.CLUSTERS,
        reads=lambda q: Read(),
        answer=lambda q, tenancy, source: list_clusters(_tenancy(tenancy), source=source),
        failed=lambda r: any(c.worst is not None and c.worst.severity is Severity.ERROR for c in r.clusters),
    ),
    Question(
        name="capacity",
        query=CapacityQuery,
        report=CapacityReport,
        summary="pod-network capacity per cluster, node pool and subnet",
        slack_usage="capacity [cluster] [pool]",
        arguments=(
            _CLUSTER_OPTION,
            Argument("pool", "narrow the node pools shown to this one", "positional", "option"),
        ),
        action=lambda q: Action.CAPACITY,
        reads=lambda q: _one_or_all(q.cluster),
        answer=lambda q, tenancy, source: assess_capacity(_tenancy(tenancy), cluster=q.cluster, pool=q.pool),
        failed=lambda r: any(_has_error(c.findings) for c in r.clusters),
    ),
    Question(
        name="diagnose",
        query=DiagnoseQuery,
        report=DiagnoseReport,
        summary="every check on one live cluster, worst first",
        slack_usage="diagnose <cluster>",
        arguments=(
            Argument("cluster", _CLUSTER_NEEDED, "positional", "positional", missing="name the cluster to diagnose",
                     from_channel=True),
        ),
        action=lambda q: Action.DIAGNOSE,
        reads=lambda q: Read(clusters=(q.cluster,)),
        answer=lambda q, tenancy, source: diagnose(_tenancy(tenancy), cluster=q.cluster),
        failed=lambda r: r.counts.error > 0,
    ),
    Question(
        name="cni",
        query=CniQuery,
        report=CniReport,
        summary="CNI add-on version and nodes waiting for a CNI update",
        slack_usage="cni [cluster]",
        arguments=(_CLUSTER_OPTION,),
        action=lambda q: Action.CNI,
        reads=lambda q: _one_or_all(q.cluster),
        answer=lambda q, tenancy, source: cni_status(_tenancy(tenancy), cluster=q.cluster),
        failed=_never,
    ),
    Question(
        name="whatif",
        query=WhatIfQuery,
        report=WhatIfReport,
        summary="change a node pool of a live cluster and compare capacity before and after",
        slack_usage=(
            "whatif <cluster> [pool] [size=N] [shape=S] [ocpus=N] [max-pods=N] [add-pool=NAME] [full=yes]"
        ),
        arguments=(
            Argument("cluster", _CLUSTER_NEEDED, "positional", "positional", missing="name the cluster to change",
                     from_channel=True),
            Argument("pool", "the node pool to change (or to model --add-pool on)", "both", "option"),
            *_WHATIF_OPTIONS,
        ),
        action=lambda q: Action.WHAT_IF,
        reads=lambda q: Read(clusters=(q.cluster,)),
        answer=_whatif,
        failed=_whatif_failed,
        aliases=("what-if",),
        exit_status=lambda r: WHATIF_EXIT[r.verdict],
        epilog=WHATIF_EPILOG,
    ),
    Question(
        name="validate",
        query=ValidateQuery,
        report=ValidationReport,
        summary="validate a network plan file (YAML or JSON)",
        slack_summary="open a form to paste a network plan (YAML or JSON) and check it",
        slack_usage="validate [cluster]",
        arguments=(
            Argument("against", "compare with this live cluster and flag what OKE cannot change", "positional",
                     "option", metavar="CLUSTER", from_channel=True),
        ),
        # An offline plan check reads nothing live; checking against a cluster does.
        action=lambda q: Action.VALIDATE_LIVE if q.against is not None else Action.EXPLAIN,
        reads=lambda q: Read(clusters=(q.against,)) if q.against is not None else None,
        answer=_validate,
        failed=lambda r: not r.valid,
        cli_inputs=(CliInput("plan", "PLAN", "the plan file, or - to read standard input", _read_plan_file),),
        slack_opens_modal=True,
    ),
    Question(
        name="explain",
        query=ExplainQuery,
        report=CodeExplanation,
        summary="what a finding code means, why, and what to do",
        slack_usage="explain <CODE>",
        arguments=(
            Argument("code", "a finding code, e.g. POD_SUBNET_TOO_SMALL", "positional", "positional",
                     metavar="CODE", missing="name exactly one finding code, such as PODS_CIDR_OVERLAP"),
        ),
        action=lambda q: Action.EXPLAIN,
        reads=lambda q: None,
        answer=lambda q, tenancy, source: explain(q.code),
        failed=_never,
        offline=True,
    ),
    Question(
        name="rules",
        query=RulesQuery,
        report=RulesReport,
        summary="every finding code okebot knows",
        slack_usage="rules [CODE]",
        arguments=(
            Argument("code", "show only this code", "positional", "positional", metavar="CODE"),
        ),
        action=lambda q: Action.EXPLAIN,
        reads=lambda q: None,
        answer=lambda q, tenancy, source: rules_report(q.code),
        failed=_never,
        offline=True,
    ),
)

BY_NAME: Mapping[str, Question[Any, Any]] = MappingProxyType(
    {name: q for q in QUESTIONS for name in (q.name, *q.aliases)}
)
BY_QUERY: Mapping[type[Query[Any]], Question[Any, Any]] = MappingProxyType({q.query: q for q in QUESTIONS})


def question_of(query: Query[R]) -> Question[Query[R], R]:
    """The registry entry of a query's type; LookupError when a query type is not registered (a bug)."""
    found = BY_QUERY.get(type(query))
    if found is None:
        raise LookupError(f"{type(query).__name__} is not in the question registry (bot/questions.py)")
    return found


def _check() -> None:
    names = [name for q in QUESTIONS for name in (q.name, *q.aliases)]
    if len(names) != len(set(names)):
        raise RuntimeError("two questions share a name in bot/questions.py")
    for q in QUESTIONS:
        fields = set(q.query.model_fields)
        for argument in q.arguments:
            if argument.field not in fields:
                raise RuntimeError(f"question {q.name}: argument {argument.field} is not a field of {q.query.__name__}")


_check()
