"""The message shortcut "Validate plan": check the YAML/JSON code block of a message."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from bot.queries import ValidateQuery
from bot.slack.deps import deps_of
from bot.slack.escape import unescape
from bot.slack.flow import answer_ask
from bot.slack.handlers.common import asker_for, responder
from bot.slack.parse import Ask
from bot.slack.render.messages import error_message
from engine.errors import InputError

_CODE_BLOCK = re.compile(r"```(?:[A-Za-z]+\n)?(.*?)```", re.DOTALL)
SHORTCUT_SOURCE = "plan from a Slack message"
PLAN_FILE_SUFFIXES = (".yaml", ".yml", ".json")
MAX_PLAN_FILE_BYTES = 1_000_000
DOWNLOAD_TIMEOUT_SECONDS = 20


def plan_in(message_text: str) -> str | None:
    """The first fenced code block of a message (Slack sends it entity-escaped), or None."""
    match = _CODE_BLOCK.search(message_text)
    if match is None:
        return None
    text = unescape(match.group(1)).strip("\n")
    return text if text.strip() else None


async def handle_validate_shortcut(
    ack: Any, shortcut: dict[str, Any], respond: Any, client: Any, context: dict[str, Any]
) -> None:
    """Validate the plan in the message the shortcut was used on (code block or plan file), privately."""
    await ack()
    deps = deps_of(context)
    asker = asker_for(shortcut, send=responder(respond), client=client)
    message = shortcut.get("message") or {}
    try:
        plan = plan_in(str(message.get("text") or "")) or await _plan_file(message, token=str(client.token or ""))
    except InputError as error:
        await asker.send(error_message(error.message, remedy=error.remedy))
        return
    if plan is None:
        await asker.send(
            error_message(
                "That message has no code block or plan file to check.",
                remedy="put the plan (YAML or JSON) between ``` fences or attach it as a .yaml/.json file, "
                "or use `/oke validate`",
            )
        )
        return
    query = ValidateQuery(plan_text=plan, source_name=SHORTCUT_SOURCE)
    await answer_ask(Ask(query, None), deps=deps, asker=asker, origin="shortcut:validate")


def plan_file_of(message: dict[str, Any]) -> dict[str, Any] | None:
    """The first file of a message whose name says it is a YAML or JSON plan."""
    for file in message.get("files") or []:
        if isinstance(file, dict) and str(file.get("name") or "").lower().endswith(PLAN_FILE_SUFFIXES):
            return file
    return None


async def _plan_file(message: dict[str, Any], *, token: str) -> str | None:
    """Download the message's plan file with the bot token (Slack's private file URLs need it)."""
    file = plan_file_of(message)
    if file is None:
        return None
    name = str(file.get("name"))
    url = file.get("url_private_download") or file.get("url_private")
    size = file.get("size")
    if not url or (isinstance(size, int) and size > MAX_PLAN_FILE_BYTES):
        raise InputError(f"cannot read the plan file {name}: missing or larger than 1 MB", where=name,
                         remedy="paste the plan between ``` fences, or use `/oke validate`")
    remedy = "check okebot has the files:read scope and is in the channel, or paste the plan instead"
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(
            str(url), headers={"Authorization": f"Bearer {token}"}
        ) as response:
            data = await response.content.read(MAX_PLAN_FILE_BYTES + 1)
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise InputError(f"cannot download the plan file {name}", where=name, remedy=remedy) from exc
    if status != 200 or len(data) > MAX_PLAN_FILE_BYTES:
        raise InputError(f"cannot read the plan file {name} (HTTP {status})", where=name, remedy=remedy)
    return data.decode("utf-8", errors="replace")
