"""Run `/oke digest …`: preview (anyone, private), and add, list, remove, pause, resume, run (admin).

Digests added here are stored, so every replica runs them; digests from okebot.yaml are listed and may be run or
previewed, but only the file changes them (answers say so). What a digest covers never exceeds the channel's
bindings (engine.access): a named cluster the channel may not see is refused, as any command about it would be.
A digest is added only where okebot can post: `conversations.info` must say okebot is in the channel (when
Slack will not say, for want of channels:read/groups:read, it is added with a warning).
"""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.schedule.cron import parse_schedule
from bot.checks.slack import CHANNEL_SCOPES
from bot.jobs.digests import digest_message, make_digest, snapshot_from_history
from bot.jobs.read import covered_clusters, read_capacity
from bot.jobs.settings import load_job_settings
from bot.render.digest_format import short_when, to_the_second, when
from bot.slack.access import cluster_ref, not_found_here, require
from bot.slack.admin.digest_commands import DigestAdd, DigestChange, DigestCommand, DigestList, DigestPreview
from bot.slack.deps import Deps
from bot.slack.escape import code, escape
from bot.slack.pipeline import Asker
from bot.slack.render.kit import Block, context, fit, header, section
from bot.slack.render.messages import Message, fallback_text
from engine.access import AccessPolicy, Action, channel_key
from engine.digest.alerts import Thresholds
from engine.digest.definition import DigestDefinition, requested_slot
from engine.errors import AccessDeniedError, ClusterNotFoundError, InputError, NotFoundError
from engine.words import sentence

READ_ONLY = "it comes from okebot.yaml, and config digests are read-only from Slack: change it in the file"


async def run_digest_command(
    command: DigestCommand, *, deps: Deps, policy: AccessPolicy, asker: Asker, client: AsyncWebClient
) -> Message:
    """Run one digest command (already authorized for its action) and say what happened; `client` asks Slack
    whether okebot is in the channel a digest is added to."""
    match command:
        case DigestPreview():
            return await _preview(command, deps=deps, policy=policy, asker=asker)
        case DigestAdd():
            return await _add(command, deps=deps, policy=policy, asker=asker, client=client)
        case DigestList():
            return await _list(deps)
        case DigestChange():
            return await _change(command, deps=deps)


def _message(blocks: list[Block]) -> Message:
    fitted, left_out = fit(blocks)
    return Message(text=fallback_text(fitted), blocks=fitted, left_out=left_out)


async def _all(deps: Deps) -> list[DigestDefinition]:
    names = {d.name for d in deps.digests}
    return [*deps.digests, *(d for d in await deps.store.list_digests() if d.name not in names)]


async def _preview(command: DigestPreview, *, deps: Deps, policy: AccessPolicy, asker: Asker) -> Message:
    now = (await deps.store.database_now()).replace(microsecond=0)
    if command.clusters:
        await _check_named(command.clusters, deps=deps, policy=policy, asker=asker)
    read = await read_capacity(deps.reader, at=now, policy=policy, channel=asker.channel, clusters=command.clusters,
                               compartments=command.compartments, work=deps.work)
    window = load_job_settings().okebot_forecast_window_days
    ids = [c.id for c in read.clusters]
    history = await deps.store.read_samples(since=now - timedelta(days=window), cluster_ids=ids)
    previous = snapshot_from_history([s for s in history if s.at < now], now - timedelta(days=1))
    mine = next((d for d in await _all(deps) if channel_key(d.channel) == channel_key(asker.channel)), None)
    report = await make_digest(read, history=history, previous=previous, now=now,
                               thresholds=mine.thresholds if mine else Thresholds(),
                               forecast_days=mine.forecast_days if mine else 30.0, window_days=window,
                               with_findings=False, work=deps.work)
    message = await digest_message(report, work=deps.work)
    note = context("_Preview, only for you: changes since 24 hours ago in the stored history._")
    return Message(text=message.text, blocks=[*message.blocks[:49], note])


async def _check_named(clusters: tuple[str, ...], *, deps: Deps, policy: AccessPolicy, asker: Asker) -> None:
    tenancy = await deps.reader.read(clusters=list(clusters))
    for name in clusters:
        # The channel check first: a channel may not learn which clusters exist beyond those it may see.
        await require(deps, policy, user=asker.user, channel=asker.channel, action=Action.DIGEST_PREVIEW,
                      cluster=cluster_ref(tenancy, name))
        if tenancy.find_cluster(name) is None and not any(c.id.casefold() == name.casefold() for c in tenancy.clusters):
            raise not_found_here(ClusterNotFoundError(name, (c.name for c in tenancy.clusters)), policy=policy,
                                 channel=asker.channel, tenancy=tenancy)


async def _add(command: DigestAdd, *, deps: Deps, policy: AccessPolicy, asker: Asker,
               client: AsyncWebClient) -> Message:
    if command.clusters:
        await _check_named(command.clusters, deps=deps, policy=policy, asker=asker)
    tenancy = await deps.reader.read()
    channel = channel_key(asker.channel)
    covered = covered_clusters(tenancy, policy=policy, channel=channel, clusters=command.clusters,
                               compartments=command.compartments)
    if not covered:
        raise InputError(f"this channel sees no cluster{' among those named' if command.clusters else ''}, so a "
                         "digest here would be empty", where="digest add",
                         remedy="bind the channel with /oke bind, or name clusters it may see")
    existing = {d.name for d in await _all(deps)}
    name = command.name or _free_name(command.clusters[0].lower() if command.clusters else "digest", existing)
    if name in existing:
        raise InputError(f"a digest named {name} exists already", where="name",
                         remedy="choose another name=, or remove that digest first")
    digest = DigestDefinition(name=name, channel=channel, schedule=command.schedule, timezone=command.timezone,
                              clusters=command.clusters, compartments=command.compartments, mode=command.mode,
                              chart=command.chart, origin="slack", created_by=asker.user)
    unchecked = await _check_membership(client, asker.channel, deps=deps)
    await deps.store.put_digest(digest)
    await deps.store.start_schedule(digest.job)
    schedule = parse_schedule(digest.schedule, digest.timezone)
    upcoming = schedule.next_after(await deps.store.database_now())
    scope = ", ".join(code(c.name) for c in covered)
    lines = [
        f":calendar: Digest {code(name)} added: it posts to {code('#' + channel)} "
        f"{escape(sentence(_lower(schedule.describe())))}",
        f"Covers {scope}{' (what this channel is bound to)' if not command.clusters else ''}; "
        f"mode {code(digest.mode)}; chart {'in the thread' if digest.chart else 'off'}.",
        f"Next: {when(upcoming, seconds=to_the_second([upcoming, schedule.next_after(upcoming)]))}. "
        f"`/oke digest run {name}` posts one now.",
    ]
    if unchecked is not None:
        lines.append(unchecked)
    return _message([section("\n".join(lines))])


async def _check_membership(client: AsyncWebClient, channel: str, *, deps: Deps) -> str | None:
    """Refuse a channel okebot cannot post to (InputError with the fix): every run there would fail. None when
    okebot is in it; a warning line for the answer when Slack would not say (no channels:read/groups:read, which
    the manifest does not ask for, or Slack could not be reached)."""
    fix = "type `/invite @okebot` in this channel, then add the digest again"
    try:
        info = await client.conversations_info(channel=channel)
    except SlackApiError as error:
        said = str(error.response.get("error") or f"http_{error.response.status_code}")
        if said == "channel_not_found":  # a private channel (or DM) okebot is not in: it cannot see it
            raise InputError("okebot cannot see this channel (a private channel it is not in), so it could not post "
                             "the digest here", where="digest add", remedy=fix) from None
        why = f"conversations.info said {said}"
        if said == "missing_scope":
            why += f": it needs {CHANNEL_SCOPES}, which the app manifest does not ask for"
    except Exception as error:  # Slack could not be reached: the digest is still worth adding
        deps.logger.warning("could not check that okebot is in channel %s", channel, exc_info=True)
        why = type(error).__name__
    else:
        if (info.get("channel") or {}).get("is_member"):
            return None
        raise InputError("okebot is not in this channel, so every run of the digest would fail (Slack refuses "
                         "with not_in_channel)", where="digest add", remedy=fix)
    return (f":warning: okebot could not check that it is in this channel ({escape(why)}). If it is not, type "
            "`/invite @okebot` here, or every run fails.")


def _lower(words: str) -> str:
    return words[:1].lower() + words[1:]


def _free_name(base: str, taken: set[str]) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in base)[:56].strip("-._") or "digest"
    if stem not in taken:
        return stem
    return next(f"{stem}-{n}" for n in range(2, len(taken) + 3) if f"{stem}-{n}" not in taken)


async def _list(deps: Deps) -> Message:
    digests = await _all(deps)
    lines = []
    for digest in digests:
        often = False
        try:
            schedule = parse_schedule(digest.schedule, digest.timezone)
            described = schedule.describe()
            upcoming = schedule.next_after(await deps.store.database_now())
            often = to_the_second([upcoming, schedule.next_after(upcoming)])
        except InputError as exc:
            described = f"{digest.schedule} (cannot run: {exc.message})"
        where = "okebot.yaml, read-only" if digest.origin == "config" else (
            f"added by <@{digest.created_by}>" if digest.created_by else "stored")
        covers = ", ".join(digest.clusters + digest.compartments) or "the channel's bindings"
        last = await deps.store.last_run(digest.job, states=("posted", "failed", "skipped"))
        ran = f"last {last.state} {short_when(last.scheduled_for, seconds=often)} UTC" if last else "not run yet"
        paused = " · *paused*" if digest.paused else ""
        lines.append(f"{code(digest.name)} → {code('#' + digest.channel)} · {escape(_lower(described))} · covers "
                     f"{escape(covers)} · {digest.mode} · {ran}{paused} _({where})_")
    body = [section("\n".join(lines[i:i + 10])) for i in range(0, len(lines), 10)] or [
        section("No digests yet: `/oke digest add \"0 9 * * MON-FRI\" tz=Europe/Berlin` adds one here.")]
    return _message([header(f"Scheduled digests ({len(digests)})"), *body])


async def _change(command: DigestChange, *, deps: Deps) -> Message:
    name = command.name
    config = next((d for d in deps.digests if d.name == name), None)
    stored = next((d for d in await deps.store.list_digests() if d.name == name), None)
    digest = config or stored
    if digest is None:
        known = ", ".join(d.name for d in await _all(deps)) or "none"
        raise NotFoundError(f"no digest is named {name}; the digests are: {known}")
    if command.verb == "run":
        now = await deps.store.database_now()
        # Queued in the store: the next tick of any replica claims it (once) and posts it.
        await deps.store.queue_run(digest.job, requested_slot(now), scheduled_for=now, channel=digest.channel)
        forced = " (mode on-change: posted even if nothing changed)" if digest.mode == "on-change" else ""
        return _message([section(f":outbox_tray: Digest {code(name)} will be posted to {code('#' + digest.channel)} "
                                 f"within a few seconds{forced}, by whichever okebot replica takes it first.")])
    if config is not None:
        raise AccessDeniedError(f"Not done: digest {name} cannot be changed here; {READ_ONLY}.",
                                remedy="edit the digests: list of okebot.yaml and restart okebot")
    assert stored is not None
    if command.verb == "remove":
        await deps.store.delete_digest(name)
        return _message([section(f":wastebasket: Digest {code(name)} removed; it posts no more.")])
    pause = command.verb == "pause"
    if stored.paused == pause:
        return _message([section(f"Digest {code(name)} is already {'paused' if pause else 'running'}.")])
    await deps.store.put_digest(stored.model_copy(update={"paused": pause}))
    if pause:
        return _message([section(f":double_vertical_bar: Digest {code(name)} paused; `/oke digest resume {name}` "
                                 "starts it again.")])
    await deps.store.start_schedule(stored.job)  # the paused time is neither run nor missed
    return _message([section(f":arrow_forward: Digest {code(name)} resumed from its next occurrence.")])
