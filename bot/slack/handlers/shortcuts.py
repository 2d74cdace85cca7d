"""The message shortcut "Validate plan": check the YAML/JSON code block of a message."""

from __future__ import annotations

import re
from typing import Any

from bot.queries import ValidateQuery
from bot.slack.deps import deps_of
from bot.slack.escape import unescape
from bot.slack.flow import answer_ask
from bot.slack.handlers.common import asker_for, responder
from bot.slack.parse import Ask
from bot.slack.render.messages import error_message

_CODE_BLOCK = re.compile(r"```(?:[A-Za-z]+\n)?(.*?)```", re.DOTALL)
SHORTCUT_SOURCE = "plan from a Slack message"


def plan_in(message_text: str) -> str | None:
    """The first fenced code block of a message (Slack sends it entity-escaped), or None."""
    match = _CODE_BLOCK.search(message_text)
    if match is None:
        return None
    text = unescape(match.group(1)).strip("\n")
    return text if text.strip() else None


async def handle_validate_shortcut(
    ack: Any, shortcut: dict[str, Any], respond: Any, context: dict[str, Any]
) -> None:
    """Validate the plan in the message the shortcut was used on, answering privately."""
    await ack()
    deps = deps_of(context)
    asker = asker_for(shortcut, send=responder(respond))
    plan = plan_in(str((shortcut.get("message") or {}).get("text") or ""))
    if plan is None:
        await asker.send(
            error_message(
                "That message has no code block to check.",
                remedy="put the plan (YAML or JSON) between ``` fences, or use `/oke validate`",
            )
        )
        return
    query = ValidateQuery(plan_text=plan, source_name=SHORTCUT_SOURCE)
    await answer_ask(Ask(query, None), deps=deps, asker=asker, origin="shortcut:validate")
