"""Answer a query: the one place where the CLI and Slack meet the use cases, through the registry.

`answer` is pure and synchronous (a tenancy read once in, a report out), so callers may run it off the event
loop; `ask` reads the source once and answers, for callers without a read of their own (the CLI).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from bot.queries import Query
from bot.questions import QUESTIONS, Read, question_of
from bot.render.text import renderables
from bot.slack.render.blocks import render_blocks
from engine.model import Tenancy
from engine.ports import TenancyReader
from engine.reports import SourceInfo

R = TypeVar("R", bound=BaseModel)


def reads(query: Query[Any]) -> Read | None:
    """What the query needs read from the source; None when it reads nothing."""
    return question_of(query).reads(query)


def answer(query: Query[R], tenancy: Tenancy | None, *, source: str) -> R:
    """The report answering `query` from one read of the source (None for questions that read nothing).

    `source` is the reader's description; a report that reads the source says where its data came from and
    how old it is (`read_from`, JSON `readFrom`), from that description and the read itself.

    Raises whatever the use case raises: InputError, NotFoundError (ClusterNotFoundError), ...
    """
    question = question_of(query)
    report = question.answer(query, tenancy, source)
    if not isinstance(report, question.report):
        raise TypeError(f"{question.name} answered with {type(report).__name__}, not {question.report.__name__}")
    if tenancy is not None and "read_from" in type(report).model_fields and getattr(report, "read_from", None) is None:
        report = report.model_copy(update={"read_from": source_info(source, tenancy)})
    return report


def source_info(description: str, tenancy: Tenancy) -> SourceInfo:
    """Where a read came from: a snapshot's capture time, or when a live tenancy was read and whether the
    answer came from the reader's cache."""
    live = tenancy.source_kind == "live"
    return SourceInfo(
        description=description,
        kind=tenancy.source_kind,
        captured_at=None if live else tenancy.captured_at,
        read_at=tenancy.captured_at if live else None,
        cached=tenancy.cached if live else None,
    )


async def read_for(query: Query[Any], reader: TenancyReader) -> Tenancy | None:
    """The one read a query needs, or None when it reads nothing."""
    scope = reads(query)
    if scope is None:
        return None
    fresh = bool(getattr(query, "fresh", False))
    return await reader.read(clusters=list(scope.clusters) if scope.clusters is not None else None, fresh=fresh)


async def ask(query: Query[R], reader: TenancyReader) -> R:
    """Read what the query needs once, then answer it."""
    return answer(query, await read_for(query, reader), source=reader.description)


def check_renderers() -> None:
    """Every question's report has a text and a Block Kit renderer; RuntimeError naming the first that lacks one."""
    for question in QUESTIONS:
        for name, dispatch in (("text", renderables), ("Block Kit", render_blocks)):
            if dispatch.dispatch(question.report) is dispatch.dispatch(object):
                raise RuntimeError(f"question {question.name}: no {name} renderer for {question.report.__name__}")


check_renderers()
