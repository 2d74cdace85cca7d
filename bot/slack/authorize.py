"""Who may ask what, here: the query → access action mapping, the decision, and filtering answers to the
clusters the channel may see. The rules themselves are engine.access; this module only feeds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel

from bot.queries import (
    CapacityQuery,
    ClustersQuery,
    CniQuery,
    DiagnoseQuery,
    Query,
    ValidateQuery,
    WhatIfQuery,
)
from bot.slack.deps import Deps
from engine.access import AccessPolicy, Action, ClusterRef, decide, visible_clusters, with_overrides
from engine.errors import AccessDeniedError

R = TypeVar("R", bound=BaseModel)


def action_for(query: Query) -> Action:
    """The access action a query needs."""
    match query:
        case ClustersQuery():
            return Action.CLUSTERS
        case CapacityQuery():
            return Action.CAPACITY
        case DiagnoseQuery():
            return Action.DIAGNOSE
        case CniQuery():
            return Action.CNI
        case WhatIfQuery():
            return Action.WHAT_IF
        case ValidateQuery(against=against):
            # An offline plan check reads nothing live; checking against a cluster does.
            return Action.VALIDATE_LIVE if against is not None else Action.EXPLAIN
    return Action.EXPLAIN


def named_cluster(query: Query) -> str | None:
    """The cluster a query is about, when it names one."""
    if isinstance(query, ValidateQuery):
        return query.against
    cluster = getattr(query, "cluster", None)
    return cluster if isinstance(cluster, str) else None


async def current_policy(deps: Deps) -> AccessPolicy:
    """The configured policy with the bindings and grants stored at runtime laid over it."""
    return with_overrides(
        deps.policy, bindings=await deps.store.list_bindings(), grants=await deps.store.list_role_grants()
    )


async def authorize(query: Query, *, deps: Deps, policy: AccessPolicy, user: str, channel: str) -> None:
    """Raise AccessDeniedError, saying why, unless this user may ask this here."""
    name = named_cluster(query)
    ref = None
    if name is not None:
        tenancy = await deps.reader.read(clusters=[name])
        found = tenancy.find_cluster(name)
        # An unknown name still goes through the channel check, so a bound channel cannot probe for others.
        ref = ClusterRef.of(found) if found is not None else ClusterRef(id=name, name=name)
    groups = await deps.groups.groups_of(user)
    decision = decide(policy, user=user, groups=groups, channel=channel, action=action_for(query), cluster=ref)
    if not decision.allowed:
        raise AccessDeniedError(
            f"Not allowed: {decision.reason}.",
            remedy="ask an okebot admin for the role, or ask in a channel bound to it",
        )


async def visible_ids(deps: Deps, *, policy: AccessPolicy, channel: str) -> set[str]:
    """Ids of the clusters this channel may see."""
    tenancy = await deps.reader.read()
    refs = [ClusterRef.of(c) for c in tenancy.clusters]
    return {c.id for c in visible_clusters(policy, channel, clusters=refs)}


def only_visible(report: R, ids: set[str]) -> R:
    """A multi-cluster report narrowed to the clusters the channel may see."""
    clusters = getattr(report, "clusters", None)
    if not isinstance(clusters, Sequence):
        return report
    return report.model_copy(update={"clusters": [c for c in clusters if getattr(c, "id", None) in ids]})
