"""A plan's consistency across fields, which a single field cannot check: names unique, references resolvable.

The checks run on what could be read, so a plan with mistakes in some fields still hears about the others in the
same run: a field that failed its own check is unknown here, and nothing is concluded from an unknown (a pool
naming a subnet is not "naming a missing subnet" while some subnet's name could not be read).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from engine.model import SubnetRole
from engine.plan.model import (
    Plan,
    PlanNodePool,
    PlanSecurityRule,
    PlanShape,
    PlanSubnet,
    either_problem,
    roles_problem,
    size_problem,
)
from engine.plan.problems import FieldPath, Problem, did_you_mean, format_path

Reference = tuple[FieldPath, str, SubnetRole]
"""A pool's reference to a subnet: where it is written, the subnet's name, and the role it needs there."""


@dataclass(frozen=True)
class SubnetFacts:
    """What the checks need of a subnet; None where the field could not be read."""

    name: str | None
    roles: tuple[SubnetRole, ...] | None
    peers: tuple[tuple[int, str], ...]  # (rule index, peer) of each security rule whose peer was read


@dataclass(frozen=True)
class PoolFacts:
    """What the checks need of a node pool; None where the field could not be read."""

    name: str | None
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class PlanFacts:
    """What the checks need of a plan. `subnets` is None when the list itself could not be read."""

    subnets: tuple[SubnetFacts, ...] | None
    pools: tuple[PoolFacts, ...]
    shapes: tuple[str | None, ...]


def check_plan(plan: Plan) -> list[Problem]:
    """Problems that make a parsed plan unusable as a plan (not network findings: those are rules)."""
    return check_facts(facts_of(plan))


def check_read(data: Mapping[str, Any]) -> list[Problem]:
    """The same checks on plan data that did not validate as a whole, on the fields that read; with the checks
    of several fields of one subnet or pool (cidr or cidrs, roles once, maxSize and size), which the model makes
    only when all the item's fields are valid. Problems the model reported as well are the caller's to merge."""
    facts = facts_read(data)
    return [*_item_problems(data), *check_facts(facts)]


def check_facts(facts: PlanFacts) -> list[Problem]:
    """Every consistency problem the facts show, concluding nothing from what is unknown."""
    subnets = facts.subnets
    return [
        *_duplicates("subnets", [s.name for s in subnets or ()], "subnet"),
        *_duplicates("nodePools", [p.name for p in facts.pools], "node pool"),
        *_duplicates("shapes", list(facts.shapes), "shape"),
        *_one_api_endpoint(subnets or ()),
        *(_pool_subnets(subnets, facts.pools) if subnets is not None else []),
        *(_peers(subnets) if subnets is not None else []),
    ]


def facts_of(plan: Plan) -> PlanFacts:
    """The facts of a valid plan: every field known."""
    subnets = tuple(
        SubnetFacts(s.name, s.roles, tuple((k, rule.peer) for k, rule in enumerate(s.security_rules or ())))
        for s in plan.subnets
    )
    pools = tuple(PoolFacts(p.name, tuple(_references(i, p))) for i, p in enumerate(plan.node_pools))
    return PlanFacts(subnets, pools, tuple(s.name for s in plan.shapes))


def _references(i: int, pool: PlanNodePool) -> list[Reference]:
    found: list[Reference] = []
    for one, many, single, names, role in (
        ("workerSubnet", "workerSubnets", pool.worker_subnet, pool.worker_subnets, SubnetRole.WORKERS),
        ("podSubnet", "podSubnets", pool.pod_subnet, pool.pod_subnets, SubnetRole.PODS),
    ):
        if single is not None:
            found.append((("nodePools", i, one), single, role))
        for k, name in enumerate(names or ()):
            found.append((("nodePools", i, many, k), name, role))
    return found


class _Unread:
    """A field that could not be read (its own problem says why)."""


UNREAD = _Unread()


def facts_read(data: Mapping[str, Any]) -> PlanFacts:
    """The facts of plan data that may be invalid: each field validated on its own, unknown when it fails."""
    raw_subnets = data.get("subnets")
    subnets: tuple[SubnetFacts, ...] | None = None
    if _read(Plan, "subnets", raw_subnets, deep=False) is not UNREAD:
        subnets = tuple(_subnet_facts(item) for item in raw_subnets or ())
    pools = tuple(_pool_facts(i, item) for i, item in enumerate(_items(data, "nodePools")))
    shapes = tuple(_known(_field(PlanShape, "name", item)) for item in _items(data, "shapes"))
    return PlanFacts(subnets, pools, shapes)


def _subnet_facts(item: object) -> SubnetFacts:
    if not isinstance(item, dict):
        return SubnetFacts(None, None, ())
    roles = _field(PlanSubnet, "roles", item)
    peers = []
    rules = item.get("securityRules")
    for k, rule in enumerate(rules if isinstance(rules, list) else ()):
        peer = _field(PlanSecurityRule, "peer", rule)
        if isinstance(peer, str):
            peers.append((k, peer))
    return SubnetFacts(_known(_field(PlanSubnet, "name", item)), roles if isinstance(roles, tuple) else None,
                       tuple(peers))


def _pool_facts(i: int, item: object) -> PoolFacts:
    found: list[Reference] = []
    for one, many, role in (("workerSubnet", "workerSubnets", SubnetRole.WORKERS),
                            ("podSubnet", "podSubnets", SubnetRole.PODS)):
        single = _field(PlanNodePool, one, item)
        if isinstance(single, str):
            found.append((("nodePools", i, one), single, role))
        names = _field(PlanNodePool, many, item)
        for k, name in enumerate(names if isinstance(names, tuple) else ()):
            found.append((("nodePools", i, many, k), name, role))
    return PoolFacts(_known(_field(PlanNodePool, "name", item)), tuple(found))


def _item_problems(data: Mapping[str, Any]) -> list[Problem]:
    """The checks of several fields of one subnet or pool, on the fields that read."""
    problems = []
    for i, item in enumerate(_items(data, "subnets")):
        if not isinstance(item, dict):
            continue
        roles = _field(PlanSubnet, "roles", item)
        for where, problem in ((("subnets", i), either_problem(item, "cidr", "cidrs")),
                               (("subnets", i, "roles"), roles_problem(roles) if isinstance(roles, tuple) else None)):
            if problem is not None:
                problems.append(Problem(where, problem))
    for i, item in enumerate(_items(data, "nodePools")):
        if not isinstance(item, dict):
            continue
        size, max_size = _field(PlanNodePool, "size", item), _field(PlanNodePool, "maxSize", item)
        pool = ("nodePools", i)
        for where, problem in ((pool, either_problem(item, "workerSubnet", "workerSubnets")),
                               (pool, either_problem(item, "podSubnet", "podSubnets", required=False)),
                               ((*pool, "maxSize"),
                                size_problem(size, max_size) if _both_numbers(size, max_size) else None)):
            if problem is not None:
                problems.append(Problem(where, problem))
    return problems


def _both_numbers(*values: object) -> bool:
    return all(isinstance(value, int) or value is None for value in values)


def _items(data: Mapping[str, Any], key: str) -> list[object]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _known(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _field(model: type[BaseModel], key: str, item: object) -> Any:
    """The field `key` (camelCase) of the raw mapping `item`, validated as the model validates it; its default
    when absent, UNREAD when the item is not a mapping, the field required or its value invalid."""
    if not isinstance(item, dict):
        return UNREAD
    if key not in item:
        field = _fields(model)[key]
        return UNREAD if field.is_required() else field.get_default(call_default_factory=True)
    return _read(model, key, item[key], deep=True)


def _read(model: type[BaseModel], key: str, value: object, *, deep: bool) -> Any:
    """`value` validated as the field `key` of `model`; with deep False only a list's length is checked."""
    try:
        return _adapter(model, key, deep).validate_python(value)
    except ValidationError:
        return UNREAD


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {field.alias or name: field for name, field in model.model_fields.items()}


@functools.cache
def _adapter(model: type[BaseModel], key: str, deep: bool) -> TypeAdapter[Any]:
    field = _fields(model)[key]
    annotation = field.annotation if deep else list[Any]
    constrained: Any = Annotated[(annotation, *field.metadata)] if field.metadata else annotation
    return TypeAdapter(constrained)


def _duplicates(key: str, names: Sequence[str | None], what: str) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for i, name in enumerate(names):
        if name is None:
            continue
        if name in first:
            earlier = format_path((key, first[name], "name"))
            problems.append(Problem((key, i, "name"), f"duplicate {what} name {name!r} (also {earlier})"))
        first.setdefault(name, i)
    return problems


def _one_api_endpoint(subnets: Sequence[SubnetFacts]) -> list[Problem]:
    endpoints = [i for i, s in enumerate(subnets) if s.roles is not None and SubnetRole.API_ENDPOINT in s.roles]
    first = format_path(("subnets", endpoints[0])) if endpoints else ""
    message = f"a cluster has one Kubernetes API endpoint subnet; {first} already has role api-endpoint"
    return [Problem(("subnets", i, "roles"), message) for i in endpoints[1:]]


def _pool_subnets(subnets: Sequence[SubnetFacts], pools: Sequence[PoolFacts]) -> list[Problem]:
    names_known = all(s.name is not None for s in subnets)
    roles = {s.name: s.roles for s in subnets if s.name is not None}
    problems = []
    for pool in pools:
        for path, name, role in pool.references:
            if name not in roles:
                if names_known:
                    hint = did_you_mean(name, roles)
                    problems.append(Problem(path, f"names subnet {name!r}, which the plan does not have{hint}"))
                continue
            known = roles[name]
            if known is not None and role not in known:
                message = f"subnet {name!r} does not have role {role}; add {role} to its roles"
                problems.append(Problem(path, message))
    return problems


def _peers(subnets: Sequence[SubnetFacts]) -> list[Problem]:
    names = {s.name for s in subnets if s.name is not None}
    names_known = all(s.name is not None for s in subnets)
    roles = {role for s in subnets for role in s.roles or ()}
    roles_known = all(s.roles is not None for s in subnets)
    problems = []
    for i, subnet in enumerate(subnets):
        for k, peer in subnet.peers:
            kind, colon, ref = peer.partition(":")
            path: FieldPath = ("subnets", i, "securityRules", k, "peer")
            if not colon:
                continue  # a CIDR or all-services (the model checks those); "role" alone names no role
            if kind == "role" and roles_known and SubnetRole(ref) not in roles:
                problems.append(Problem(path, f"no subnet in the plan has role {ref}"))
            elif kind == "subnet" and names_known and ref not in names:
                hint = did_you_mean(ref, names)
                problems.append(Problem(path, f"names subnet {ref!r}, which the plan does not have{hint}"))
    return problems
