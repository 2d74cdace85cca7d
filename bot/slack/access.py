"""Who may ask what, here: the one access check (`require`), the policy in force, and narrowing an answer to
the clusters a channel may see. The rules themselves are engine.access; this module only feeds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.queries import Query
from bot.questions import question_of
from bot.slack.deps import Deps
from engine.access import AccessPolicy, Action, ClusterRef, decide, visible_clusters, with_overrides
from engine.errors import AccessDeniedError, ClusterNotFoundError
from engine.model import Tenancy
from engine.words import sentence

R = TypeVar("R", bound=BaseModel)

_REMEDIES = {
    "role": "ask an okebot admin for the role",
    "channel": "ask in a channel bound to that cluster, or ask an okebot admin to bind this channel to it",
}


def action_for(query: Query[Any]) -> Action:
    """The access action a query needs, from the registry."""
    return question_of(query).action(query)


def named_cluster(query: Query[Any]) -> str | None:
    """The one cluster a query is about, when it names one (read from the registry's read scope)."""
    scope = question_of(query).reads(query)
    if scope is None or scope.clusters is None or len(scope.clusters) != 1:
        return None
    return scope.clusters[0]


async def current_policy(deps: Deps) -> AccessPolicy:
    """The configured policy with the bindings and grants stored at runtime laid over it."""
    return with_overrides(
        deps.policy, bindings=await deps.store.list_bindings(), grants=await deps.store.list_role_grants()
    )


def cluster_ref(tenancy: Tenancy | None, name: str) -> ClusterRef:
    """The access view of the cluster `name` names in this read; an unknown name still goes through the
    channel check by its name, so a bound channel cannot probe for other clusters."""
    found = tenancy.find_cluster(name) if tenancy is not None else None
    return ClusterRef.of(found) if found is not None else ClusterRef(id=name, name=name)


async def require(
    deps: Deps, policy: AccessPolicy, *, user: str, channel: str, action: Action, cluster: ClusterRef | None = None
) -> None:
    """The one access check: AccessDeniedError, saying why and what to do, unless `user` may do `action`
    (about `cluster`) in `channel`."""
    groups = await deps.groups.groups_of(user)
    decision = decide(policy, user=user, groups=groups, channel=channel, action=action, cluster=cluster)
    if not decision.allowed:
        remedy = _REMEDIES[decision.refused_for or "role"]
        raise AccessDeniedError(sentence(f"Not allowed: {decision.reason}"), remedy=remedy)


def visible_names(policy: AccessPolicy, channel: str, tenancy: Tenancy) -> list[str]:
    """The names of the clusters in this read that `channel` may see."""
    refs = [ClusterRef.of(c) for c in tenancy.clusters]
    return [c.name for c in visible_clusters(policy, channel, clusters=refs)]


def not_found_here(error: ClusterNotFoundError, *, policy: AccessPolicy, channel: str,
                   tenancy: Tenancy | None) -> ClusterNotFoundError:
    """`error` listing only the clusters `channel` may see (none listed without a read): a reply never names
    the others."""
    return error.among(visible_names(policy, channel, tenancy) if tenancy is not None else None)


def only_visible(report: R, *, policy: AccessPolicy, channel: str, tenancy: Tenancy) -> R:
    """A multi-cluster report narrowed to the clusters the channel may see, judged on the same read."""
    clusters = getattr(report, "clusters", None)
    if not isinstance(clusters, Sequence):
        return report
    refs = [ClusterRef.of(c) for c in tenancy.clusters]
    ids = {c.id for c in visible_clusters(policy, channel, clusters=refs)}
    return report.model_copy(update={"clusters": [c for c in clusters if getattr(c, "id", None) in ids]})
