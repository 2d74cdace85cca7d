"""Block Kit primitives with Slack's limits built in, so no renderer can produce a block Slack rejects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.escape import plain
from engine.words import noun

Block = dict[str, Any]

MAX_BLOCKS = 50  # per message (100 for modals and the Home tab)
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
# Slack rejects messages well under 50 x 3000 chars (msg_blocks_too_long at about 13k): keep a margin.
MAX_MESSAGE_CHARS = 11_000

SEVERITY_ICON = {"error": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}


def header(text: str) -> Block:
    """A header block (plain text, cut to 150 chars)."""
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text, limit=MAX_HEADER_TEXT)}}


def section(mrkdwn: str) -> Block:
    """A section of already-escaped mrkdwn, cut to 3000 chars; verbatim so nothing auto-links."""
    text = mrkdwn if len(mrkdwn) <= MAX_SECTION_TEXT else mrkdwn[: MAX_SECTION_TEXT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def context(*mrkdwn: str) -> Block:
    """A context block of up to 10 escaped mrkdwn elements."""
    elements = [{"type": "mrkdwn", "text": t[:MAX_SECTION_TEXT], "verbatim": True} for t in mrkdwn]
    return {"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    """A button; a value over Slack's 2000-char limit is a bug in the caller, so it raises."""
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value is {len(value)} chars; Slack allows {MAX_BUTTON_VALUE}")
    label = {"type": "plain_text", "text": plain(text, limit=MAX_BUTTON_TEXT)}
    element: Block = {"type": "button", "text": label, "action_id": action_id, "value": value}
    if style is not None:
        element["style"] = style
    return element


def actions(elements: Sequence[Block], *, block_id: str | None = None) -> Block:
    """An actions block; action_ids must be unique within it, so repeated buttons get a numbered suffix."""
    seen: dict[str, int] = {}
    unique = []
    for element in elements[:MAX_ACTION_ELEMENTS]:
        action_id = element["action_id"]
        count = seen.get(action_id, 0)
        seen[action_id] = count + 1
        unique.append(element if count == 0 else {**element, "action_id": f"{action_id}:{count}"})
    block: Block = {"type": "actions", "elements": unique}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def block_chars(block: Block) -> int:
    """Characters of text a block carries, the measure behind msg_blocks_too_long."""
    return len(str(block))


def fit(
    blocks: Sequence[Block],
    *,
    max_blocks: int = MAX_BLOCKS,
    reserve: int = 0,
    max_chars: int = MAX_MESSAGE_CHARS,
) -> tuple[list[Block], int]:
    """Keep as many whole blocks as fit (leaving `reserve` slots); return them and how many were left out."""
    limit = max_blocks - reserve
    if len(blocks) <= limit and sum(block_chars(b) for b in blocks) <= max_chars:
        return list(blocks), 0
    kept: list[Block] = []
    used = 0
    for block in blocks:
        size = block_chars(block)
        if len(kept) >= limit - 1 or used + size > max_chars:
            break
        kept.append(block)
        used += size
    left_out = len(blocks) - len(kept)
    kept.append(context(f"_…and {left_out} more {noun(left_out, 'block')} not shown._"))
    return kept, left_out
