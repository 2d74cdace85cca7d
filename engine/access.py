"""Who may do what, and which clusters a channel may talk about: a pure policy, decided without I/O.

Roles rise viewer < operator < admin. A user's role is the highest of their own grant, their groups' grants
and the policy's default role. A channel bound to clusters and/or compartments sees only those; an unbound
channel sees everything or nothing, as the policy says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Literal, Protocol, TypeVar

from pydantic import Field, model_validator

from engine.model import Cluster, Frozen

# A compartment is named by a compartment OCID, or the tenancy's OCID for the root compartment (OCI's
# identifier format: docs.oracle.com/iaas/Content/General/Concepts/identifiers.htm).
COMPARTMENT_PREFIXES = ("ocid1.compartment.", "ocid1.tenancy.")


def is_compartment_ocid(text: str) -> bool:
    """Whether `text` names a compartment (or the tenancy, the root compartment) by its OCID."""
    return text.strip().lower().startswith(COMPARTMENT_PREFIXES)


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in viewer < operator < admin."""
        return _RANKS[self]


_RANKS = {Role.VIEWER: 1, Role.OPERATOR: 2, Role.ADMIN: 3}


class Action(StrEnum):
    CAPACITY = "capacity"
    CNI = "cni"
    DIAGNOSE = "diagnose"
    CLUSTERS = "clusters"
    EXPLAIN = "explain"
    WHAT_IF = "what-if"
    VALIDATE_LIVE = "validate"
    VIEW_AUDIT = "audit"
    CHANGE_BINDINGS = "bindings"
    CHANGE_CONFIG = "config"
    DIGEST_PREVIEW = "digest-preview"
    CHANGE_DIGESTS = "digests"


REQUIRED_ROLE: Mapping[Action, Role] = {
    Action.CAPACITY: Role.VIEWER,
    Action.CNI: Role.VIEWER,
    Action.DIAGNOSE: Role.VIEWER,
    Action.CLUSTERS: Role.VIEWER,
    Action.EXPLAIN: Role.VIEWER,
    # Both read a live cluster and model changes to it: more than looking, less than reconfiguring the bot.
    Action.WHAT_IF: Role.OPERATOR,
    Action.VALIDATE_LIVE: Role.OPERATOR,
    # The audit log names people and what they asked; only those who run the bot read it.
    Action.VIEW_AUDIT: Role.ADMIN,
    Action.CHANGE_BINDINGS: Role.ADMIN,
    Action.CHANGE_CONFIG: Role.ADMIN,
    # A preview is a capacity answer in digest form; scheduling posts into a channel changes what the bot does.
    Action.DIGEST_PREVIEW: Role.VIEWER,
    Action.CHANGE_DIGESTS: Role.ADMIN,
}

GrantKind = Literal["user", "group"]
UnboundChannels = Literal["all", "none"]


class ClusterRef(Frozen):
    """Just enough of a cluster to decide access: its OCID, name and compartment."""

    id: str
    name: str
    compartment_id: str | None = None

    @classmethod
    def of(cls, cluster: Cluster) -> ClusterRef:
        """The reference of an engine cluster."""
        return cls(id=cluster.id, name=cluster.name, compartment_id=cluster.compartment_id)


class ChannelBinding(Frozen):
    """A channel bound to clusters (names or OCIDs) and/or compartments (OCIDs), with an optional default."""

    channel: str = Field(min_length=1)
    clusters: tuple[str, ...] = ()
    compartments: tuple[str, ...] = ()
    default_cluster: str | None = None

    @model_validator(mode="after")
    def _binds_something(self) -> ChannelBinding:
        if not self.clusters and not self.compartments:
            raise ValueError("a channel binding needs at least one cluster or compartment")
        default = self.default_cluster
        if default is not None and not self.compartments and _fold(default) not in _folded(self.clusters):
            raise ValueError(f"default cluster {default} is not one of the bound clusters")
        return self


class RoleGrant(Frozen):
    """A role given to one Slack user (by id) or to a user group (by id or handle)."""

    kind: GrantKind
    subject: str = Field(min_length=1)
    role: Role


class AccessPolicy(Frozen):
    """The whole policy. `default_role` None means unlisted users may do nothing."""

    default_role: Role | None = Role.VIEWER
    unbound_channels: UnboundChannels = "all"
    bindings: tuple[ChannelBinding, ...] = ()
    grants: tuple[RoleGrant, ...] = ()

    @model_validator(mode="after")
    def _keys_are_unique(self) -> AccessPolicy:
        channels = [channel_key(b.channel) for b in self.bindings]
        if len(set(channels)) != len(channels):
            raise ValueError("a channel is bound more than once")
        subjects = [_grant_key(g.kind, g.subject) for g in self.grants]
        if len(set(subjects)) != len(subjects):
            raise ValueError("a user or group is granted a role more than once")
        return self

    def binding(self, channel: str) -> ChannelBinding | None:
        """The binding of this channel, if it has one."""
        key = channel_key(channel)
        return next((b for b in self.bindings if channel_key(b.channel) == key), None)

    def role_of(self, user: str, groups: Iterable[str] = ()) -> Role | None:
        """The highest role the user holds directly, through a group, or by default."""
        held = {_grant_key("user", user)} | {_grant_key("group", g) for g in groups}
        roles = [g.role for g in self.grants if _grant_key(g.kind, g.subject) in held]
        if self.default_role is not None:
            roles.append(self.default_role)
        return max(roles, key=lambda role: role.rank, default=None)


class Decision(Frozen):
    """Whether an action is allowed, and a reason a person can act on; `refused_for` says which rule refused:
    the asker's role, or the channel's binding."""

    allowed: bool
    reason: str
    role: Role | None = None
    refused_for: Literal["role", "channel"] | None = None


class _ClusterLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def compartment_id(self) -> str | None: ...


C = TypeVar("C", bound=_ClusterLike)


def decide(
    policy: AccessPolicy,
    *,
    user: str,
    groups: Sequence[str],
    channel: str,
    action: Action,
    cluster: ClusterRef | None,
) -> Decision:
    """Decide whether `user`, asking in `channel`, may run `action` (about `cluster`, when there is one)."""
    role = policy.role_of(user, groups)
    required = REQUIRED_ROLE[action]
    if role is None or role.rank < required.rank:
        return Decision(allowed=False, reason=_role_refusal(action, required, role), role=role, refused_for="role")
    if cluster is not None and not channel_sees(policy, channel, cluster):
        return Decision(
            allowed=False, reason=_channel_refusal(policy, channel, cluster), role=role, refused_for="channel"
        )
    about = f" on {cluster.name}" if cluster is not None else ""
    reason = f"{role} may run {action}{about} in #{channel_key(channel)}"
    return Decision(allowed=True, reason=reason, role=role)


def channel_sees(policy: AccessPolicy, channel: str, cluster: _ClusterLike) -> bool:
    """Whether a channel may see this cluster at all."""
    binding = policy.binding(channel)
    if binding is None:
        return policy.unbound_channels == "all"
    return _binding_covers(binding, cluster)


def visible_clusters(policy: AccessPolicy, channel: str, *, clusters: Iterable[C]) -> list[C]:
    """The clusters, in their given order, that this channel may see."""
    return [cluster for cluster in clusters if channel_sees(policy, channel, cluster)]


def default_cluster(policy: AccessPolicy, channel: str) -> str | None:
    """The cluster (name or OCID, as bound) a channel answers about when none is named."""
    binding = policy.binding(channel)
    if binding is None:
        return None
    if binding.default_cluster is not None:
        return binding.default_cluster
    if len(binding.clusters) == 1 and not binding.compartments:
        return binding.clusters[0]
    return None


def with_overrides(
    policy: AccessPolicy, *, bindings: Iterable[ChannelBinding], grants: Iterable[RoleGrant]
) -> AccessPolicy:
    """The policy with stored bindings and grants replacing the configured ones they share a key with."""
    merged_bindings = {channel_key(b.channel): b for b in policy.bindings}
    merged_bindings.update({channel_key(b.channel): b for b in bindings})
    merged_grants = {_grant_key(g.kind, g.subject): g for g in policy.grants}
    merged_grants.update({_grant_key(g.kind, g.subject): g for g in grants})
    return policy.model_copy(
        update={"bindings": tuple(merged_bindings.values()), "grants": tuple(merged_grants.values())}
    )


def _binding_covers(binding: ChannelBinding, cluster: _ClusterLike) -> bool:
    named = _folded(binding.clusters)
    if cluster.id.casefold() in named or _fold(cluster.name) in named:
        return True
    return cluster.compartment_id is not None and cluster.compartment_id in binding.compartments


def _role_refusal(action: Action, required: Role, role: Role | None) -> str:
    held = f"you have {role}" if role is not None else "you have no role here (unlisted users get none)"
    return f"{action} needs the {required} role; {held}"


def _channel_refusal(policy: AccessPolicy, channel: str, cluster: ClusterRef) -> str:
    shown = f"#{channel_key(channel)}"
    binding = policy.binding(channel)
    if binding is None:
        return (
            f"channel {shown} is not bound to any cluster, and unbound channels see none; "
            "ask an admin to bind it"
        )
    scope = []
    if binding.clusters:
        scope.append("clusters " + ", ".join(binding.clusters))
    if binding.compartments:
        scope.append("compartments " + ", ".join(binding.compartments))
    return f"channel {shown} is bound to {' and '.join(scope)}; {cluster.name} is not among them"


def _fold(text: str) -> str:
    return text.casefold()


def _folded(names: Iterable[str]) -> set[str]:
    return {_fold(name) for name in names}


def channel_key(channel: str) -> str:
    """The form a channel is compared and stored in: "#C123" and "C123" are the same channel."""
    return channel.removeprefix("#")


# Slack names a channel by its ID in every request: C… (public), G… (private, older), D… (a direct message).
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
CHANNEL_ID_HELP = ("use the channel's ID, not its name: in Slack, open the channel, click its name at the top, "
                   "and copy the Channel ID at the bottom of the About tab (it looks like C0123ABCD)")


def is_channel_id(channel: str) -> bool:
    """Whether `channel` (with or without "#") has the shape of a Slack channel ID (C0123ABCD, G…, D…), rather
    than of a channel name ("general", "#payments"), which Slack never sends in a request."""
    return _CHANNEL_ID.fullmatch(channel_key(channel.strip())) is not None


def subject_key(kind: GrantKind, subject: str) -> str:
    """The form a grant's subject is compared and stored in."""
    # Group handles are written with or without "@" and Slack lowercases them; user ids stay exact.
    if kind == "group":
        return _fold(subject.removeprefix("@"))
    return subject


def _grant_key(kind: GrantKind, subject: str) -> tuple[str, str]:
    return kind, subject_key(kind, subject)
