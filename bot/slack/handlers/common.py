"""Small pieces the handlers share: building an Asker from a payload's respond() and client."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.errors import Send
from bot.slack.pipeline import Asker, Upload
from bot.slack.render.messages import Message

ResponseType = str


def responder(
    respond: AsyncRespond, *, response_type: ResponseType = "ephemeral", replace_original: bool = False
) -> Send:
    """A Send that answers through the payload's response_url."""

    async def send(message: Message) -> None:
        await respond(text=message.text, blocks=message.blocks, response_type=response_type,
                      replace_original=replace_original)

    return send


def uploader(client: AsyncWebClient, *, channel: str) -> Upload:
    """An Upload that posts the full answer as a file in the channel (files.getUploadURLExternal flow)."""

    async def upload(content: str, filename: str) -> str:
        await client.files_upload_v2(
            channel=channel, content=content, filename=filename, title="okebot: full answer"
        )
        return "in this channel"

    return upload


def private_uploader(client: AsyncWebClient, *, user: str) -> Upload:
    """An Upload for a private answer: the file goes to the asker's direct messages with okebot, never the
    channel, so an ephemeral answer stays private."""

    async def upload(content: str, filename: str) -> str:
        opened = await client.conversations_open(users=user)
        await client.files_upload_v2(
            channel=opened["channel"]["id"], content=content, filename=filename, title="okebot: full answer"
        )
        return "in your direct messages with okebot"

    return upload


def asker_for(
    body: dict[str, Any], *, send: Send, upload: Upload | None = None, client: AsyncWebClient | None = None
) -> Asker:
    """Who asked where, from a slash-command body or an interactivity payload.

    With a `client` and no `upload`, a too-long private answer goes to the asker's direct messages as a file.
    """
    user = str(body.get("user_id") or (body.get("user") or {}).get("id") or "")
    channel = str(body.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    if upload is None and client is not None and user:
        upload = private_uploader(client, user=user)
    return Asker(user=user, channel=channel, send=send, upload=upload)
