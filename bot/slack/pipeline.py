"""The answer pipeline every listener shares: read once → authorize → answer → render → send, and the one
audited tail (an error becomes a friendly answer or an error id, then the audit entry).

Nothing CPU-bound runs here: the engine's answer and its rendering run in `deps.work` (bot.work, a pool of
worker processes under `okebot serve`) through `bot.slack.answer_job`; what stays on the event loop is I/O
(the read's network calls, the store, Slack) and the access checks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.answers import read_for
from bot.questions import question_of
from bot.slack.access import cluster_ref, current_policy, named_cluster, not_found_here, require
from bot.slack.answer_job import AnswerJob, Composed, View, compose_answer, render_answer
from bot.slack.audit import record_audit
from bot.slack.deps import Answered, Deps
from bot.slack.errors import Send, answer_failure
from bot.slack.parse import Ask
from bot.slack.render.kit import context
from bot.slack.render.messages import Message, queued_message, restarted_message
from bot.work import notify_when_queued
from engine.access import AccessPolicy, Action
from engine.audit import Outcome
from engine.errors import ClusterNotFoundError, EngineError

__all__ = ["Asker", "Audit", "Upload", "View", "answer_ask", "audited", "render_answer", "run_query", "yield_to_acks"]

# Bolt returns an ack only when its runner next polls (every 10 ms). Answer work started right after our
# ack competes on the loop with the acks of concurrent requests; giving them this head start keeps a burst
# of 50 commands' acks close to a bare app's (bench/bench_ack.py) for ~20 ms more per answer.
ACK_GRACE_SECONDS = 0.02
# Posts the full answer as a file and returns where it went, for the note under the shortened answer.
Upload = Callable[[str, str], Awaitable[str]]


@dataclass(frozen=True)
class Asker:
    """Who asks, where, and how the answer goes back.

    `notify` sends what only the asker should see and never replaces a message: "working on it", "okebot
    restarted, please ask again". Left out, `send` does (fine where `send` is private and adds a message).
    """

    user: str
    channel: str
    send: Send
    upload: Upload | None = None  # posts the full answer where only its audience sees it
    notify: Send | None = None

    @property
    def private(self) -> Send:
        """The sender for notices only the asker sees."""
        return self.notify or self.send


@dataclass
class Audit:
    """What the audited tail records: the arguments as asked, and how it ended (set by the body, or by a
    failure). `counted_as` is the command's name in okebot_commands_total (a registry or admin name, never
    text typed), or None for what is not a person's command (scheduled jobs)."""

    arguments: str
    outcome: Outcome = "ok"
    error_id: str | None = None
    handed_off: bool = False
    counted_as: str | None = None

    def hand_off(self) -> None:
        """Another audited step (an answer) records and counts this interaction; this tail does neither."""
        self.handed_off = True


@asynccontextmanager
async def audited(
    deps: Deps, *, user: str, channel: str, command: str, arguments: str, send: Send,
    counted_as: str | None = None, arrived: float | None = None,
) -> AsyncIterator[Audit]:
    """The tail of every listener: a failure inside becomes an answer (friendly, or an error id), never
    silence or a raw error; then the command is counted (`counted_as`, with the audit's outcome and the
    seconds since `arrived`, a time.monotonic() instant, default now) and one audit entry records who asked
    what, where, how it ended and how long."""
    started = time.monotonic()
    audit = Audit(arguments=arguments, counted_as=counted_as)
    try:
        yield audit
    except Exception as error:
        audit.outcome, audit.error_id = await answer_failure(error, send=send, logger=deps.logger)
        audit.handed_off = False
        if not audit.arguments and isinstance(error, EngineError):
            audit.arguments = error.message  # nothing was asked in words (a shortcut): record why it failed
    if audit.handed_off:
        return
    if audit.counted_as is not None:
        # Counted before the audit entry is written, so whoever sees the entry sees the count too.
        seconds = time.monotonic() - (arrived if arrived is not None else started)
        deps.metrics.command_answered(audit.counted_as, audit.outcome, seconds)
    await record_audit(deps, user=user, channel=channel, command=command, arguments=audit.arguments,
                       outcome=audit.outcome, error_id=audit.error_id, started=started)


async def yield_to_acks() -> None:
    """Let pending acks go out before the slow part of an answer."""
    await asyncio.sleep(ACK_GRACE_SECONDS)


async def run_query(
    ask: Ask, *, deps: Deps, policy: AccessPolicy, asker: Asker, view: View = "answer", shareable: bool = True
) -> Composed:
    """Read the source once, authorize against that read, then answer, narrow a multi-cluster answer to what
    the channel may see (judged on the same read) and render it, in `deps.work`."""
    query = ask.query
    action = question_of(query).action(query)
    # The role needs no read: refuse early, before any tenancy is read on the asker's behalf.
    await require(deps, policy, user=asker.user, channel=asker.channel, action=action)
    name = named_cluster(query)
    try:
        tenancy = await read_for(query, deps.reader)
    except ClusterNotFoundError as error:
        raise await _not_found(error, deps=deps, policy=policy, asker=asker, action=action, name=name) from None
    if name is not None:
        await require(deps, policy, user=asker.user, channel=asker.channel, action=action,
                      cluster=cluster_ref(tenancy, name))
    job = AnswerJob(query=query, source=deps.reader.description, policy=policy, channel=asker.channel,
                    command=ask.command, view=view, shareable=shareable,
                    full_text=deps.attach is not None or asker.upload is not None)
    return await deps.work.run(compose_answer, job, tenancy)


async def _not_found(error: ClusterNotFoundError, *, deps: Deps, policy: AccessPolicy, asker: Asker, action: Action,
                     name: str | None) -> Exception:
    """What to tell a channel that named no cluster there is: refused when its binding does not cover the name
    (a channel may not probe for clusters), else the error listing only the clusters it may see."""
    if name is not None:
        await require(deps, policy, user=asker.user, channel=asker.channel, action=action,
                      cluster=cluster_ref(None, name))
    try:
        everything = await deps.reader.read()
    except EngineError:
        everything = None  # the listing is a courtesy: without it, the error names no cluster
    return not_found_here(error, policy=policy, channel=asker.channel, tenancy=everything)


async def answer_ask(
    ask: Ask,
    *,
    deps: Deps,
    asker: Asker,
    origin: str,
    view: View = "answer",
    shareable: bool = True,
    fresh: bool = False,
    arrived: float | None = None,
) -> None:
    """Answer one question end to end, audit it and count it (okebot_commands_total under the question's
    registry name, okebot_answer_seconds from `arrived`, the time.monotonic() instant the request reached
    okebot); failures become an answer too, never silence.

    When the question has to wait for others, the asker is told privately how many are ahead; if okebot
    stops before answering (SIGTERM past the drain period), the asker is told to ask again.
    """
    if fresh and "fresh" in type(ask.query).model_fields:
        ask = Ask(ask.query.model_copy(update={"fresh": True}), ask.command)

    async def restarted() -> None:
        await asker.private(restarted_message())

    async def queued(ahead: int) -> None:
        await asker.private(queued_message(ahead))

    deps.inflight.set_abandon(restarted)
    async with audited(deps, user=asker.user, channel=asker.channel, command=origin, arguments=ask.command or "",
                       send=asker.send, counted_as=question_of(ask.query).name, arrived=arrived):
        policy = await current_policy(deps)
        with notify_when_queued(queued):
            composed = await run_query(ask, deps=deps, policy=policy, asker=asker, view=view, shareable=shareable)
        message = composed.message
        if message.left_out:
            message = await _attach_full_text(message, composed.full_text, asker=asker, deps=deps)
        await asker.send(message)
        if deps.answered is not None:
            deps.answered(Answered(question=question_of(ask.query).name, failed=composed.failed,
                                   exit_status=composed.exit_status))


async def _attach_full_text(message: Message, full_text: str | None, *, asker: Asker, deps: Deps) -> Message:
    upload = deps.attach or asker.upload
    if upload is None or full_text is None:
        note = "_Too long for one message: *Share in channel* to attach the full answer as a file._"
    else:
        try:
            where = await upload(full_text, "okebot-answer.txt")
            note = f"_Too long for one message: the full answer is attached as a file {where}._"
        except Exception:  # e.g. not_in_channel, missing_scope: the shortened answer still goes out
            deps.logger.warning("could not attach the full answer for %s in %s", asker.user, asker.channel,
                                exc_info=True)
            note = (
                "_Too long for one message, and the full answer could not be attached: "
                "invite okebot to this channel, or ask `okebot` on the command line._"
            )
    blocks = [*message.blocks, context(note)]
    return Message(text=message.text, blocks=blocks, left_out=message.left_out)

