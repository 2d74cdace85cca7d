"""The CPU-bound part of an answer, run in a worker (bot.work): engine, access narrowing, rendering.

Everything here is pure and synchronous: a query and one read of the tenancy in, a finished message out.
Only the message (and the full text of a too-long one) travels back to the event loop, never the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from bot.answers import answer
from bot.queries import ClustersQuery, Query
from bot.questions import question_of
from bot.render.text import render_text
from bot.slack.access import named_cluster, not_found_here, only_visible
from bot.slack.parse import Ask
from bot.slack.render.blocks import render_blocks, render_node_pools
from bot.slack.render.messages import Message, answer_message, home_view
from engine.access import AccessPolicy
from engine.errors import ClusterNotFoundError
from engine.model import Tenancy
from engine.reports import CapacityReport

View = Literal["answer", "node-pools"]

# Modules a worker process imports before its first answer (bot.work preload).
WORKER_MODULES = ("bot.slack.answer_job", "adapters.snapshot.reader", "adapters.snapshot.packed", "adapters.planfile")


@dataclass(frozen=True)
class AnswerJob:
    """One question to answer: the query, where its read came from, who may see what, and how to render.

    `channel` and `policy` narrow a multi-cluster answer to what the channel may see; `full_text` asks for
    the text rendering too when the message has to be cut (to attach it as a file).
    """

    query: Query[Any]
    source: str
    policy: AccessPolicy
    channel: str
    command: str | None
    view: View = "answer"
    shareable: bool = True
    full_text: bool = False


@dataclass(frozen=True)
class Composed:
    """A finished answer: the message, the whole text when the message was cut (and asked for), whether the
    answer holds error findings, and the CLI's exit status for it (1 for error findings; whatif's 5 for an
    unknown verdict)."""

    message: Message
    full_text: str | None
    failed: bool
    exit_status: int = 0


def render_answer(report: BaseModel, *, ask: Ask, view: View, shareable: bool) -> Message:
    """The message for a report: the answer itself, or the node-pool drill-down of a capacity answer."""
    if view == "node-pools" and isinstance(report, CapacityReport):
        body = [block for cluster in report.clusters for block in render_node_pools(cluster)]
    else:
        body = render_blocks(report)
    return answer_message(body, command=ask.command, shareable=shareable)


def compose_answer(job: AnswerJob, tenancy: Tenancy | None) -> Composed:
    """Answer, narrow to the channel's clusters (judged on the same read), render.

    Raises what the use case raises (InputError, NotFoundError, ...).
    """
    question = question_of(job.query)
    try:
        report = answer(job.query, tenancy, source=job.source)
    except ClusterNotFoundError as error:
        raise not_found_here(error, policy=job.policy, channel=job.channel, tenancy=tenancy) from None
    if named_cluster(job.query) is None and tenancy is not None:
        report = only_visible(report, policy=job.policy, channel=job.channel, tenancy=tenancy)
    message = render_answer(report, ask=Ask(job.query, job.command), view=job.view, shareable=job.shareable)
    full = render_text(report) if message.left_out and job.full_text else None
    failed = bool(question.failed(report))
    status = question.exit_status(report) if question.exit_status is not None else int(failed)
    return Composed(message=message, full_text=full, failed=failed, exit_status=status)


def compose_home(policy: AccessPolicy, channel: str, tenancy: Tenancy | None, source: str) -> Mapping[str, Any]:
    """The App Home view: every cluster the Home tab may see, each with its worst finding."""
    query = ClustersQuery()
    report = answer(query, tenancy, source=source)
    if tenancy is not None:
        report = only_visible(report, policy=policy, channel=channel, tenancy=tenancy)
    return home_view(report.clusters, source=report.source)
