"""Small pieces the handlers share: building an Asker from a payload's respond() and client."""

from __future__ import annotations

from typing import Any

from bot.slack.flow import Asker
from bot.slack.render.messages import Message

ResponseType = str


def responder(
    respond: Any, *, response_type: ResponseType = "ephemeral", replace_original: bool = False
) -> Any:
    """A Send that answers through the payload's response_url."""

    async def send(message: Message) -> None:
        await respond(**message.payload(), response_type=response_type, replace_original=replace_original)

    return send


def uploader(client: Any, *, channel: str) -> Any:
    """An Upload that posts the full answer as a file in the channel (files.getUploadURLExternal flow)."""

    async def upload(content: str, filename: str) -> None:
        await client.files_upload_v2(
            channel=channel, content=content, filename=filename, title="okebot: full answer"
        )

    return upload


def asker_for(body: dict[str, Any], *, send: Any, upload: Any = None) -> Asker:
    """Who asked where, from a slash-command body or an interactivity payload."""
    user = body.get("user_id") or (body.get("user") or {}).get("id") or ""
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return Asker(user=str(user), channel=str(channel), send=send, upload=upload)
