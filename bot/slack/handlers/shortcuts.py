"""The message shortcut "Validate plan": check the YAML/JSON code block of a message."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.planfile import MAX_PLAN_BYTES, check_plan_size, load_located_plan, read_plan_bytes
from bot.queries import ValidateQuery
from bot.slack.deps import deps_of
from bot.slack.escape import unescape
from bot.slack.handlers.common import asker_for, responder
from bot.slack.observe import arrived_at
from bot.slack.parse import Ask
from bot.slack.pipeline import answer_ask, audited
from engine.errors import InputError

_CODE_BLOCK = re.compile(r"```(?:[A-Za-z]+\n)?(.*?)```", re.DOTALL)
SHORTCUT_SOURCE = "plan from a Slack message"
ORIGIN = "shortcut:validate"
PLAN_FILE_SUFFIXES = (".yaml", ".yml", ".json")
DOWNLOAD_TIMEOUT_SECONDS = 20
SLACK_FILE_HOST_SUFFIXES = (".slack.com", ".slack-gov.com", ".slack-edge.com")


def plan_in(message_text: str) -> str | None:
    """The first fenced code block of a message (Slack sends it entity-escaped), or None."""
    match = _CODE_BLOCK.search(message_text)
    if match is None:
        return None
    text = unescape(match.group(1)).strip("\n")
    return text if text.strip() else None


async def handle_validate_shortcut(
    ack: AsyncAck, shortcut: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Validate the plan in the message the shortcut was used on (code block or plan file), privately."""
    await ack()
    deps = deps_of(context)
    asker = asker_for(shortcut, send=responder(respond), client=client)
    message = shortcut.get("message") or {}
    query: ValidateQuery | None = None
    async with audited(deps, user=asker.user, channel=asker.channel, command=ORIGIN, arguments="",
                       send=asker.send) as audit:
        pasted = plan_in(str(message.get("text") or ""))
        name = SHORTCUT_SOURCE
        if pasted is not None:
            text: str | None = pasted
        else:
            file = plan_file_of(message)
            name = str(file.get("name")) if file is not None else SHORTCUT_SOURCE
            text = await _plan_file(message, token=str(client.token or ""), api_url=str(client.base_url or ""))
        if text is None:
            raise InputError(
                "That message has no code block or plan file to check.",
                remedy="put the plan (YAML or JSON) between ``` fences or attach it as a .yaml/.json file, "
                "or use `/oke validate`",
            )
        # A plan file may be megabytes of YAML: parsed in a worker, never on the event loop.
        located = await deps.work.run(load_located_plan, text, source=name)
        query = ValidateQuery(plan=located.plan, plan_name=name, locations=located.locations)
        audit.hand_off()
    if audit.handed_off and query is not None:
        await answer_ask(Ask(query, None), deps=deps, asker=asker, origin=ORIGIN,
                         arrived=arrived_at(context))  # audits and counts itself


def plan_file_of(message: dict[str, Any]) -> dict[str, Any] | None:
    """The first file of a message whose name says it is a YAML or JSON plan."""
    for file in message.get("files") or []:
        if isinstance(file, dict) and str(file.get("name") or "").lower().endswith(PLAN_FILE_SUFFIXES):
            return file
    return None


def trusted_file_host(url: str, *, api_url: str) -> bool:
    """Whether the bot token may be sent to this URL: Slack's own file hosts (or the configured API's host,
    for GovSlack and the tests' fake), over the API's scheme. A remote file's URL can point anywhere."""
    target, api = urlsplit(url), urlsplit(api_url)
    host = (target.hostname or "").lower()
    if target.scheme != "https" and not (target.scheme == api.scheme and host == (api.hostname or "").lower()):
        return False
    return host == (api.hostname or "").lower() or host.endswith(SLACK_FILE_HOST_SUFFIXES)


async def _plan_file(message: dict[str, Any], *, token: str, api_url: str) -> str | None:
    """Download the message's plan file with the bot token (Slack's private file URLs need it)."""
    file = plan_file_of(message)
    if file is None:
        return None
    return await fetch_plan_file(file, token=token, api_url=api_url)


async def fetch_plan_file(
    file: dict[str, Any], *, token: str, api_url: str,
    remedy: str = "check okebot has the files:read scope and is in the channel, or paste the plan instead",
) -> str:
    """The text of a plan file stored in Slack (a Slack file object: name, size, url_private[_download]),
    downloaded with the bot token from Slack's own hosts only, at most MAX_PLAN_BYTES, strict UTF-8.

    Raises:
        PlanError: larger than the cap (said before a byte is downloaded when the size is known), not UTF-8.
        InputError: no link, not stored in Slack, the download failed or took longer than
            DOWNLOAD_TIMEOUT_SECONDS (callers with less time wrap it in `asyncio.timeout`).
    """
    name = str(file.get("name"))
    url = file.get("url_private_download") or file.get("url_private")
    size = file.get("size")
    if isinstance(size, int):
        check_plan_size(size, source=name)  # refused before downloading a byte
    if not url:
        raise InputError(f"cannot read the plan file {name}: Slack gave no link to it", where=name,
                         remedy="paste the plan between ``` fences, or use `/oke validate`")
    if file.get("is_external") or not trusted_file_host(str(url), api_url=api_url):
        # Never hand the bot token to a host that is not Slack's: a remote file's URL can be anyone's.
        raise InputError(f"the plan file {name} is not stored in Slack", where=name,
                         remedy="upload the file to Slack, or paste the plan between ``` fences")
    limit = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=limit) as session, session.get(
            str(url), headers={"Authorization": f"Bearer {token}"}, allow_redirects=False
        ) as response:
            status = response.status
            data = await _read_at_most(response.content, MAX_PLAN_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise InputError(f"cannot download the plan file {name}", where=name, remedy=remedy) from exc
    if status != 200:
        raise InputError(f"cannot read the plan file {name} (HTTP {status})", where=name, remedy=remedy)
    return read_plan_bytes(data, source=name)


async def _read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The body up to EOF, or its first `limit` bytes: one read() returns only what is buffered."""
    data = bytearray()
    async for chunk in stream.iter_chunked(64 * 1024):
        data += chunk
        if len(data) >= limit:
            break
    return bytes(data[:limit])
