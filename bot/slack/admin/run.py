"""Run an admin subcommand: authorize it (engine.access.decide), act on the state store, and say what changed.

A stored binding or grant replaces the configured one with the same key (engine.access.with_overrides); the
config file itself is never changed from Slack, so answers say when the file's entry still applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.access import require
from bot.slack.admin import messages as render
from bot.slack.admin.commands import (
    AdminCommand,
    Bind,
    Grant,
    ListBindings,
    Revoke,
    ShowAudit,
    Subject,
    Unbind,
    action_of,
)
from bot.slack.admin.digest_commands import DigestAdd, DigestChange, DigestList, DigestPreview
from bot.slack.admin.digests import run_digest_command
from bot.slack.deps import Deps
from bot.slack.pipeline import Asker
from bot.slack.render.messages import Message
from engine.access import (
    AccessPolicy,
    ChannelBinding,
    Role,
    RoleGrant,
    channel_key,
    subject_key,
    with_overrides,
)
from engine.errors import AccessDeniedError, ClusterNotFoundError, InputError
from engine.model import Cluster, Tenancy

MAX_KNOWN_SHOWN = 20


async def run_admin(
    command: AdminCommand, *, deps: Deps, policy: AccessPolicy, asker: Asker, client: AsyncWebClient
) -> Message:
    """Authorize and run one admin command; the answer says what changed (or why nothing did). `client` is the
    Slack Web API, for what a command must ask Slack (is okebot in the channel a digest is added to?)."""
    await require(deps, policy, user=asker.user, channel=asker.channel, action=action_of(command))
    channel = channel_key(asker.channel)
    match command:
        case ListBindings():
            stored = {channel_key(b.channel) for b in await deps.store.list_bindings()}
            return render.bindings_message(policy, stored=stored)
        case Bind():
            return await _bind(command, deps=deps, policy=policy, channel=channel)
        case Unbind():
            removed = await deps.store.delete_binding(channel)
            return render.unbound_message(channel, removed=removed, policy=deps.policy)
        case Grant(subject=subject, role=role):
            return await _grant(subject, role, deps=deps, policy=policy)
        case Revoke(subject=subject):
            return await _revoke(subject, deps=deps)
        case ShowAudit(limit=limit, user=user, jobs=jobs):
            entries = await deps.store.list_audit(limit=limit, user=user, kind="jobs" if jobs else "people")
            return render.audit_message(entries, limit=limit, user=user, jobs=jobs)
        case DigestPreview() | DigestAdd() | DigestList() | DigestChange():
            return await run_digest_command(command, deps=deps, policy=policy, asker=asker, client=client)


async def _bind(command: Bind, *, deps: Deps, policy: AccessPolicy, channel: str) -> Message:
    tenancy = await deps.reader.read()
    clusters = tuple(dict.fromkeys(_canonical(_find(ref, tenancy), ref) for ref in command.clusters))
    default = _default(command, tenancy, clusters=clusters) if command.default is not None else None
    try:
        binding = ChannelBinding(
            channel=channel, clusters=clusters, compartments=command.compartments, default_cluster=default
        )
    except ValidationError as exc:
        raise InputError(exc.errors()[0]["msg"].removeprefix("Value error, "), where="bind") from exc
    previous = policy.binding(channel)
    await deps.store.put_binding(binding)
    empty = [c for c in command.compartments if not any(k.compartment_id == c for k in tenancy.clusters)]
    return render.bound_message(binding, previous=previous, empty_compartments=empty)


def _find(ref: str, tenancy: Tenancy) -> Cluster:
    found = tenancy.find_cluster(ref) or next((c for c in tenancy.clusters if c.id.casefold() == ref.casefold()), None)
    if found is None:
        raise ClusterNotFoundError(ref, (c.name for c in tenancy.clusters))
    return found


def _canonical(cluster: Cluster, ref: str) -> str:
    # An OCID survives a rename, so it stays an OCID; a name is stored as OCI spells it.
    return cluster.id if ref.casefold() == cluster.id.casefold() else cluster.name


def _default(command: Bind, tenancy: Tenancy, *, clusters: tuple[str, ...]) -> str:
    ref = command.default or ""
    cluster = _find(ref, tenancy)
    for bound in clusters:
        if bound in (cluster.id, cluster.name):
            return bound
    if cluster.compartment_id is not None and cluster.compartment_id in command.compartments:
        return cluster.name
    raise InputError(f"{ref!r} is not among the clusters and compartments bound here", where="default")


def _known(clusters: Iterable[Cluster]) -> str:
    names = sorted(c.name for c in clusters)
    more = len(names) - MAX_KNOWN_SHOWN
    shown = ", ".join(names[:MAX_KNOWN_SHOWN]) or "none"
    return shown + (f" and {more} more" if more > 0 else "")


async def _grant(subject: Subject, role: Role, *, deps: Deps, policy: AccessPolicy) -> Message:
    handle = subject.id if subject.kind == "group" and subject.id.startswith("@") else None
    if handle is not None:
        subject = await _group_by_handle(handle, deps=deps)
    grant = RoleGrant(kind=subject.kind, subject=subject.id, role=role)
    before = _held(policy, subject)
    _keep_an_admin(policy, with_overrides(policy, bindings=(), grants=[grant]), subject=subject)
    await deps.store.put_role_grant(grant)
    return render.granted_message(subject, role=role, before=before, handle=handle)


async def _group_by_handle(handle: str, *, deps: Deps) -> Subject:
    """Store a group by its id: a handle is free text, and whoever later creates a group with it would inherit
    the role."""
    group_id = await deps.groups.group_id(handle)
    if group_id is None:
        raise InputError(
            f"no Slack user group has the handle {handle}", where="grant",
            remedy="check the handle in Slack (People > User groups), or give the group ID (S…)",
        )
    return Subject("group", group_id)


async def _revoke(subject: Subject, *, deps: Deps) -> Message:
    stored = await deps.store.list_role_grants()
    key = subject_key(subject.kind, subject.id)
    removed = next((g for g in stored if g.kind == subject.kind and subject_key(g.kind, g.subject) == key), None)
    handle = subject.id if removed is None and subject.kind == "group" and subject.id.startswith("@") else None
    # Grants made by handle are stored by the group's id.
    if handle is not None and (group_id := await deps.groups.group_id(handle)) is not None:
        return await _revoke(Subject("group", group_id), deps=deps)
    configured = _held(deps.policy, subject)
    if removed is not None:
        kept = [g for g in stored if g is not removed]
        before = with_overrides(deps.policy, bindings=(), grants=stored)
        _keep_an_admin(before, with_overrides(deps.policy, bindings=(), grants=kept), subject=subject)
        await deps.store.delete_role_grant(subject.kind, subject.id)
    return render.revoked_message(subject, removed=removed, configured=configured)


def _held(policy: AccessPolicy, subject: Subject) -> RoleGrant | None:
    key = subject_key(subject.kind, subject.id)
    return next((g for g in policy.grants if g.kind == subject.kind and subject_key(g.kind, g.subject) == key), None)


def _keep_an_admin(before: AccessPolicy, after: AccessPolicy, *, subject: Subject) -> None:
    """Refuse a change that would leave nobody able to change access from Slack again."""
    if _has_admin(before) and not _has_admin(after):
        raise AccessDeniedError(
            f"Not done: this would take the admin role from {subject.shown}, the only user or group that has "
            "it, and leave okebot with no admin.",
            remedy="grant admin to another user or group first",
        )


def _has_admin(policy: AccessPolicy) -> bool:
    return policy.default_role is Role.ADMIN or any(g.role is Role.ADMIN for g in policy.grants)
