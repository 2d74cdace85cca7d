"""A plan's consistency across fields, which a single field cannot check: names unique, references resolvable."""

from __future__ import annotations

from collections.abc import Sequence

from engine.model import SubnetRole
from engine.plan.model import Plan, PlanNodePool
from engine.plan.problems import FieldPath, Problem, did_you_mean, format_path


def check_plan(plan: Plan) -> list[Problem]:
    """Problems that make a parsed plan unusable as a plan (not network findings: those are rules)."""
    return [
        *_duplicates("subnets", [s.name for s in plan.subnets], "subnet"),
        *_duplicates("nodePools", [p.name for p in plan.node_pools], "node pool"),
        *_duplicates("shapes", [s.name for s in plan.shapes], "shape"),
        *_one_api_endpoint(plan),
        *_pool_subnets(plan),
        *_peers(plan),
    ]


def _duplicates(key: str, names: Sequence[str], what: str) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for i, name in enumerate(names):
        if name in first:
            earlier = format_path((key, first[name], "name"))
            problems.append(Problem((key, i, "name"), f"duplicate {what} name {name!r} (also {earlier})"))
        first.setdefault(name, i)
    return problems


def _one_api_endpoint(plan: Plan) -> list[Problem]:
    endpoints = [i for i, s in enumerate(plan.subnets) if SubnetRole.API_ENDPOINT in s.roles]
    first = format_path(("subnets", endpoints[0])) if endpoints else ""
    message = f"a cluster has one Kubernetes API endpoint subnet; {first} already has role api-endpoint"
    return [Problem(("subnets", i, "roles"), message) for i in endpoints[1:]]


def _pool_subnets(plan: Plan) -> list[Problem]:
    roles = {s.name: s.roles for s in plan.subnets}
    problems = []
    for i, pool in enumerate(plan.node_pools):
        for path, name, role in _references(i, pool):
            if name not in roles:
                hint = did_you_mean(name, roles)
                problems.append(Problem(path, f"names subnet {name!r}, which the plan does not have{hint}"))
            elif role not in roles[name]:
                message = f"subnet {name!r} does not have role {role}; add {role} to its roles"
                problems.append(Problem(path, message))
    return problems


def _references(i: int, pool: PlanNodePool) -> list[tuple[FieldPath, str, SubnetRole]]:
    found: list[tuple[FieldPath, str, SubnetRole]] = []
    for one, many, names, role in (
        ("workerSubnet", "workerSubnets", pool.worker_subnets, SubnetRole.WORKERS),
        ("podSubnet", "podSubnets", pool.pod_subnets, SubnetRole.PODS),
    ):
        single = pool.worker_subnet if role is SubnetRole.WORKERS else pool.pod_subnet
        if single is not None:
            found.append((("nodePools", i, one), single, role))
        for k, name in enumerate(names or ()):
            found.append((("nodePools", i, many, k), name, role))
    return found


def _peers(plan: Plan) -> list[Problem]:
    names = {s.name for s in plan.subnets}
    roles = {role for s in plan.subnets for role in s.roles}
    problems = []
    for i, subnet in enumerate(plan.subnets):
        for k, rule in enumerate(subnet.security_rules or ()):
            kind, colon, ref = rule.peer.partition(":")
            path: FieldPath = ("subnets", i, "securityRules", k, "peer")
            if not colon:
                continue  # a CIDR or all-services (the model checks those); "role" alone names no role
            if kind == "role" and SubnetRole(ref) not in roles:
                problems.append(Problem(path, f"no subnet in the plan has role {ref}"))
            elif kind == "subnet" and ref not in names:
                hint = did_you_mean(ref, names)
                problems.append(Problem(path, f"names subnet {ref!r}, which the plan does not have{hint}"))
    return problems
