"""Answers of the admin subcommands. Pure; every id, name and argument is escaped (or shown as code)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from bot.slack.admin.commands import Subject
from bot.slack.escape import code, escape
from bot.slack.render.blocks import sections
from bot.slack.render.kit import Block, context, fit, header, section
from bot.slack.render.messages import Message, fallback_text
from engine.access import AccessPolicy, ChannelBinding, Role, RoleGrant, channel_key, default_cluster
from engine.audit import AuditEntry

MAX_BINDINGS_SHOWN = 200
MAX_AUDIT_CHARS = 9_000  # of line text, under the ~11k a whole message may carry (render.kit)
MAX_ARGUMENTS_SHOWN = 80
OUTCOME_ICON = {"ok": ":white_check_mark:", "refused": ":no_entry:", "error": ":red_circle:",
                "bad-input": ":warning:"}


def _message(blocks: Sequence[Block]) -> Message:
    fitted, left_out = fit(blocks)
    return Message(text=fallback_text(fitted), blocks=fitted, left_out=left_out)


def _codes(values: Sequence[str]) -> str:
    return ", ".join(code(v) for v in values)


def describe_binding(binding: ChannelBinding) -> str:
    """What a binding covers, as escaped mrkdwn."""
    parts = []
    if binding.clusters:
        parts.append("clusters " + _codes(binding.clusters))
    if binding.compartments:
        parts.append("compartments " + _codes(binding.compartments))
    if binding.default_cluster is not None:
        parts.append("default " + code(binding.default_cluster))
    return "; ".join(parts)


def _channel(channel: str) -> str:
    return code("#" + channel_key(channel))


def _unbound_rule(policy: AccessPolicy) -> str:
    sees = "every cluster" if policy.unbound_channels == "all" else "no cluster"
    return f"a channel with no binding sees {sees} (unbound_channels: {policy.unbound_channels})"


def bindings_message(policy: AccessPolicy, *, stored: set[str]) -> Message:
    """`/oke bindings`: every binding in force, saying which are stored and which come from the config file."""
    bindings = sorted(policy.bindings, key=lambda b: channel_key(b.channel))
    lines = [
        f"{_channel(b.channel)}  {describe_binding(b)}  "
        f"_({'stored' if channel_key(b.channel) in stored else 'config file'})_"
        for b in bindings
    ]
    body = sections(lines, limit=MAX_BINDINGS_SHOWN, noun="more bindings") if lines else [
        section("No channel is bound.")
    ]
    note = f"Stored bindings replace the config file's for the same channel; {escape(_unbound_rule(policy))}."
    return _message([header(f"Channel bindings ({len(bindings)})"), *body, context(note)])


def bound_message(
    binding: ChannelBinding, *, previous: ChannelBinding | None, empty_compartments: Sequence[str]
) -> Message:
    """`/oke bind`: the binding this channel has now, and what it replaced."""
    lines = [f":link: {_channel(binding.channel)} is now bound to {describe_binding(binding)}."]
    default = default_cluster(AccessPolicy(bindings=(binding,)), binding.channel)
    if default is not None:
        lines.append(f"Commands here that name no cluster answer about {code(default)}.")
    if previous is not None:
        lines.append(f"It replaces: {describe_binding(previous)}.")
    if empty_compartments:
        lines.append(f":warning: No cluster is in compartment {_codes(empty_compartments)} now.")
    return _message([section("\n".join(lines))])


def unbound_message(channel: str, *, removed: bool, policy: AccessPolicy) -> Message:
    """`/oke unbind`: whether a stored binding went, and what applies to the channel now."""
    configured = policy.binding(channel)
    shown = _channel(channel)
    first = f":link: Removed the stored binding of {shown}." if removed else f"{shown} has no stored binding to remove."
    if configured is not None:
        rest = (
            f"The config file's binding still applies: {describe_binding(configured)}. "
            "Only okebot.yaml changes it; `/oke bind` here replaces it with a stored one."
        )
    else:
        rest = f"{shown} is unbound: {escape(_unbound_rule(policy))}."
    return _message([section(f"{first}\n{rest}")])


def _role_of(grant: RoleGrant | None) -> str:
    return f"*{grant.role}*" if grant is not None else "no grant of its own"


def granted_message(
    subject: Subject, *, role: Role, before: RoleGrant | None, handle: str | None = None
) -> Message:
    """`/oke grant`: who has which role now, and what they had (`handle`: the @handle the admin typed)."""
    lines = [f":key: {escape(subject.kind)} {code(subject.id)} now has the *{role}* role (was: {_role_of(before)})."]
    if handle is not None:
        lines.append(
            f"This applies to the members of the Slack user group {code(handle)}, stored by its ID "
            f"{code(subject.id)} so that a group later given that handle does not inherit the role."
        )
    return _message([section("\n".join(lines))])


def revoked_message(subject: Subject, *, removed: RoleGrant | None, configured: RoleGrant | None) -> Message:
    """`/oke revoke`: whether a stored grant went, and whether the config file still grants a role."""
    shown = f"{escape(subject.kind)} {code(subject.id)}"
    if removed is not None:
        lines = [f":key: Revoked the stored *{removed.role}* grant of {shown}."]
    else:
        lines = [f"{shown} has no stored grant to revoke."]
    if configured is not None:
        lines.append(f"The config file still grants them *{configured.role}*; only okebot.yaml changes that.")
    return _message([section("\n".join(lines))])


def audit_line(entry: AuditEntry) -> str:
    """One audit entry: when, who, where, what, outcome, duration and error id."""
    what = f"{entry.command} {entry.arguments}".strip()
    if len(what) > MAX_ARGUMENTS_SHOWN:
        what = what[: MAX_ARGUMENTS_SHOWN - 1] + "…"
    when = entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    line = (
        f"{code(when)} {code(entry.user)} in {_channel(entry.channel)} "
        f"{code(what)} {OUTCOME_ICON.get(entry.outcome, '')} {escape(entry.outcome)} · {entry.duration_ms} ms"
    )
    if entry.error_id:
        line += f" · error id {code(entry.error_id)}"
    return line


def audit_message(entries: Sequence[AuditEntry], *, limit: int, user: str | None, jobs: bool = False) -> Message:
    """`/oke audit`: people's newest entries first (`jobs`: scheduled jobs'), as many as fit in one message."""
    whose = f" by {code(user)}" if user else ""
    lines: list[str] = []
    used = 0
    for entry in entries:
        line = audit_line(entry)
        if used + len(line) > MAX_AUDIT_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    noun = "entry" if len(entries) == 1 else "entries"
    what = "Audit log of scheduled jobs" if jobs else "Audit log"
    blocks: list[Block] = [header(f"{what}: the {len(entries)} most recent {noun} (asked for {limit})")]
    blocks += sections(lines, limit=len(lines)) if lines else [section(f"No audit entries{whose}.")]
    notes = [f"Newest first{whose}; times in UTC.",
             "Scheduled jobs only (digests, samples, alerts); `/oke audit` lists people's commands." if jobs else
             "People's commands only; `/oke audit jobs` lists scheduled jobs (digests, samples, alerts)."]
    if len(lines) < len(entries):
        again = "/oke audit jobs 20" if jobs else "/oke audit 20"
        notes.append(f"{len(entries) - len(lines)} older entries did not fit: ask for fewer, as in `{again}`.")
    blocks.append(context(" ".join(notes)))
    return _message(blocks)
