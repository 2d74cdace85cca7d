"""The answer pipeline every listener shares: read once → authorize → answer → render → send, and the one
audited tail (an error becomes a friendly answer or an error id, then the audit entry)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from bot.answers import answer, read_for
from bot.queries import Query
from bot.questions import question_of
from bot.render.text import render_text
from bot.slack.access import cluster_ref, current_policy, named_cluster, only_visible, require
from bot.slack.audit import record_audit
from bot.slack.deps import Deps
from bot.slack.errors import Send, answer_failure
from bot.slack.parse import Ask
from bot.slack.render.blocks import render_blocks, render_node_pools
from bot.slack.render.kit import context
from bot.slack.render.messages import Message, answer_message
from engine.access import AccessPolicy
from engine.audit import Outcome
from engine.errors import EngineError
from engine.reports import CapacityReport

View = Literal["answer", "node-pools"]
# Bolt returns an ack only when its runner next polls (every 10 ms). Answer work started right after our
# ack competes on the loop with the acks of concurrent requests; giving them this head start keeps a burst
# of 50 commands' acks close to a bare app's (bench/bench_ack.py) for ~20 ms more per answer.
ACK_GRACE_SECONDS = 0.02
# Posts the full answer as a file and returns where it went, for the note under the shortened answer.
Upload = Callable[[str, str], Awaitable[str]]


@dataclass(frozen=True)
class Asker:
    """Who asks, where, and how the answer goes back."""

    user: str
    channel: str
    send: Send
    upload: Upload | None = None  # posts the full answer where only its audience sees it


@dataclass
class Audit:
    """What the audited tail records: the arguments as asked, and how it ended (set by the body, or by a
    failure)."""

    arguments: str
    outcome: Outcome = "ok"
    error_id: str | None = None
    handed_off: bool = False

    def hand_off(self) -> None:
        """Another audited step (an answer) records this interaction; this tail records nothing."""
        self.handed_off = True


@asynccontextmanager
async def audited(
    deps: Deps, *, user: str, channel: str, command: str, arguments: str, send: Send
) -> AsyncIterator[Audit]:
    """The tail of every listener: a failure inside becomes an answer (friendly, or an error id), never
    silence or a raw error; then one audit entry records who asked what, where, how it ended and how long."""
    started = time.monotonic()
    audit = Audit(arguments=arguments)
    try:
        yield audit
    except Exception as error:
        audit.outcome, audit.error_id = await answer_failure(error, send=send, logger=deps.logger)
        audit.handed_off = False
        if not audit.arguments and isinstance(error, EngineError):
            audit.arguments = error.message  # nothing was asked in words (a shortcut): record why it failed
    if audit.handed_off:
        return
    await record_audit(deps, user=user, channel=channel, command=command, arguments=audit.arguments,
                       outcome=audit.outcome, error_id=audit.error_id, started=started)


async def yield_to_acks() -> None:
    """Let pending acks go out before the slow part of an answer."""
    await asyncio.sleep(ACK_GRACE_SECONDS)


async def run_query(query: Query[Any], *, deps: Deps, policy: AccessPolicy, asker: Asker) -> BaseModel:
    """Read the source once, authorize against that read, answer, and narrow a multi-cluster answer to what
    the channel may see (judged on the same read)."""
    action = question_of(query).action(query)
    # The role needs no read: refuse early, before any tenancy is read on the asker's behalf.
    await require(deps, policy, user=asker.user, channel=asker.channel, action=action)
    tenancy = await read_for(query, deps.reader)
    name = named_cluster(query)
    if name is not None:
        await require(deps, policy, user=asker.user, channel=asker.channel, action=action,
                      cluster=cluster_ref(tenancy, name))
    report: BaseModel = answer(query, tenancy, source=deps.reader.description)
    if name is None and tenancy is not None:
        report = only_visible(report, policy=policy, channel=asker.channel, tenancy=tenancy)
    return report


def render_answer(report: BaseModel, *, ask: Ask, view: View, shareable: bool) -> Message:
    """The message for a report: the answer itself, or the node-pool drill-down of a capacity answer."""
    if view == "node-pools" and isinstance(report, CapacityReport):
        body = [block for cluster in report.clusters for block in render_node_pools(cluster)]
    else:
        body = render_blocks(report)
    return answer_message(body, command=ask.command, shareable=shareable)


async def answer_ask(
    ask: Ask,
    *,
    deps: Deps,
    asker: Asker,
    origin: str,
    view: View = "answer",
    shareable: bool = True,
    fresh: bool = False,
) -> None:
    """Answer one question end to end and audit it; failures become an answer too, never silence."""
    query = ask.query
    if fresh and "fresh" in type(query).model_fields:
        query = query.model_copy(update={"fresh": True})
    async with audited(deps, user=asker.user, channel=asker.channel, command=origin, arguments=ask.command or "",
                       send=asker.send):
        policy = await current_policy(deps)
        report = await run_query(query, deps=deps, policy=policy, asker=asker)
        message = render_answer(report, ask=ask, view=view, shareable=shareable)
        if message.left_out:
            message = await _attach_full_text(message, report, asker=asker, deps=deps)
        await asker.send(message)


async def _attach_full_text(message: Message, report: BaseModel, *, asker: Asker, deps: Deps) -> Message:
    if asker.upload is None:
        note = "_Too long for one message: *Share in channel* to attach the full answer as a file._"
    else:
        try:
            where = await asker.upload(render_text(report), "okebot-answer.txt")
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
