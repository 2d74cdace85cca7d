"""What the fake Slack Web API remembers and how each method answers, without HTTP: a workspace's channels
and their messages, files uploaded through the files_upload_v2 flow, the scopes granted to the bot and
its user groups. `adapters.fakes.slack_api.FakeSlackApi` serves it to the real slack_sdk client.

Answers follow Slack's documented shapes for the fields okebot reads; everything else is left out.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

BOT_USER = "UOKEBOT"
BOT_ID = "B0FAKE"
TEAM_ID = "T0FAKE"
# What deploy/slack-manifest.yml asks for, so a configuration check passes unless a test grants less.
DEFAULT_SCOPES = ("commands", "chat:write", "files:write", "files:read", "im:write", "usergroups:read",
                  "channels:history", "groups:history")
# Methods that only read: `okebot run` leaves them out of what "Slack would be sent".
READ_METHODS = frozenset({"auth.test", "usergroups.list", "conversations.history", "conversations.info"})
HISTORY_LIMIT = 100  # conversations.history's default page size

Json = dict[str, Any]


class SlackMethodError(Exception):
    """A method refused the call: answered as Slack does, HTTP 200 with {"ok": false, "error": code}."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class Message:
    """One message in a channel. `metadata` is {"event_type": str, "event_payload": dict} when posted with it."""

    channel: str
    ts: str
    text: str
    user: str = BOT_USER
    blocks: list[Json] | None = None
    metadata: Json | None = None
    thread_ts: str | None = None
    files: tuple[Json, ...] = ()

    def as_slack(self, *, with_metadata: bool) -> Json:
        """The message as conversations.history lists it; metadata only when asked for all of it."""
        shown: Json = {"type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        if self.user == BOT_USER:
            shown["bot_id"] = BOT_ID
        optional = {"blocks": self.blocks, "thread_ts": self.thread_ts, "files": list(self.files) or None,
                    "metadata": self.metadata if with_metadata else None}
        return shown | {key: value for key, value in optional.items() if value is not None}


@dataclass(frozen=True)
class Upload:
    """A file uploaded through files.getUploadURLExternal → upload URL → files.completeUploadExternal.

    `content` is None until its bytes arrive at the upload URL; `completed` once files.completeUploadExternal
    names it, with where it was shared (`channel_id`, `thread_ts`; None when kept private).
    """

    file_id: str
    filename: str
    length: int | None
    content: bytes | None = None
    completed: bool = False
    title: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None


class Workspace:
    """A Slack workspace as one bot sees it. `answer(method, body, base_url=...)` plays the Web API."""

    def __init__(self, *, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> None:
        self.scopes = scopes
        self.usergroups: list[Json] = []  # what usergroups.list answers
        self.uploads: dict[str, Upload] = {}  # by file id, in the order they were started
        self.conversations: dict[str, Json] = {}  # what conversations.info knows, by channel id (add_channel)
        self._channels: dict[str, list[Message]] = defaultdict(list)
        self._serial = itertools.count(1)
        self._last_ts = 0
        self._methods: Mapping[str, Callable[[Json, str], Json]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": lambda body, base: {"message_ts": self._next_ts()},
            "conversations.history": self._history,
            "conversations.info": self._conversation_info,
            "conversations.open": self._open_dm,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "usergroups.list": lambda body, base: {"usergroups": self.usergroups},
            "apps.connections.open": lambda body, base: {"url": base.replace("http://", "ws://") + "/link"},
        }

    def add_channel(self, channel: str, *, name: str, is_member: bool = True, is_private: bool = False) -> None:
        """A channel conversations.info knows: whether the bot is in it, and whether it is private."""
        self.conversations[channel] = {"id": channel, "name": name, "is_channel": not is_private,
                                       "is_private": is_private, "is_member": is_member, "is_archived": False}

    def messages_in(self, channel: str) -> list[Message]:
        """The channel's messages in the order they were posted (oldest first)."""
        return list(self._channels.get(channel, ()))

    def answer(self, method: str, body: Json, *, base_url: str) -> Json:
        """The fields of a successful answer to `method` (without "ok"); SlackMethodError when it refuses.

        `base_url` is where the fake listens (http://127.0.0.1:PORT), for the URLs it hands out.
        """
        if method.startswith("views."):
            return {"view": {"id": f"V{next(self._serial)}", **(body.get("view") or {})}}
        handler = self._methods.get(method)
        return handler(body, base_url) if handler is not None else {}

    def receive_upload(self, file_id: str, content: bytes) -> None:
        """The bytes that arrived at an upload URL; SlackMethodError for a URL that was never handed out."""
        upload = self.uploads.get(file_id)
        if upload is None:
            raise SlackMethodError("file_not_found")
        self.uploads[file_id] = replace(upload, content=content)

    def post(self, channel: str, text: str, **fields: Any) -> Message:
        """Add a message to a channel as chat.postMessage would (also for a test to set history up)."""
        message = Message(channel=channel, ts=self._next_ts(), text=text, **fields)
        self._channels[channel].append(message)
        return message

    def _next_ts(self) -> str:
        # Slack's own "seconds.micros" of the post time: unique and increasing, compared as numbers or as strings,
        # and comparable with real instants (conversations.history's `oldest` is one).
        micros = max(int(time.time() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _auth_test(self, body: Json, base_url: str) -> Json:
        return {"url": "https://fake.slack.com/", "team": "Fake", "user": "okebot", "team_id": TEAM_ID,
                "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _post_message(self, body: Json, base_url: str) -> Json:
        channel = str(body.get("channel") or "")
        if not channel:
            raise SlackMethodError("channel_not_found")
        metadata = _decoded(body.get("metadata"))
        blocks = _decoded(body.get("blocks"))
        message = self.post(channel, str(body.get("text") or ""), blocks=blocks or None,
                            metadata=metadata or None, thread_ts=body.get("thread_ts") or None)
        return {"channel": channel, "ts": message.ts, "message": message.as_slack(with_metadata=True)}

    def _history(self, body: Json, base_url: str) -> Json:
        newest_first = reversed(self._channels.get(str(body.get("channel") or ""), ()))
        oldest, latest = float(body.get("oldest") or 0), float(body.get("latest") or "inf")
        if _flag(body.get("inclusive")):
            in_range = [m for m in newest_first if oldest <= float(m.ts) <= latest]
        else:
            in_range = [m for m in newest_first if oldest < float(m.ts) < latest]
        start = int(body.get("cursor") or 0)
        limit = int(body.get("limit") or HISTORY_LIMIT)
        page = in_range[start:start + limit]
        more = start + limit < len(in_range)
        with_metadata = _flag(body.get("include_all_metadata"))
        return {"messages": [m.as_slack(with_metadata=with_metadata) for m in page], "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _conversation_info(self, body: Json, base_url: str) -> Json:
        # Slack needs channels:read to describe a public channel and groups:read for a private one; a channel
        # the bot cannot see (unknown, or private without the bot in it) is channel_not_found.
        found = self.conversations.get(str(body.get("channel") or ""))
        if found is None or (found["is_private"] and not found["is_member"]):
            raise SlackMethodError("channel_not_found")
        if ("groups:read" if found["is_private"] else "channels:read") not in self.scopes:
            raise SlackMethodError("missing_scope")
        return {"channel": dict(found)}

    def _open_dm(self, body: Json, base_url: str) -> Json:
        return {"channel": {"id": f"D{body.get('users', 'X')}"}}

    def _upload_url(self, body: Json, base_url: str) -> Json:
        file_id = f"F{next(self._serial)}"
        length = body.get("length")
        self.uploads[file_id] = Upload(file_id=file_id, filename=str(body.get("filename") or ""),
                                       length=int(length) if length is not None else None)
        return {"upload_url": f"{base_url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, body: Json, base_url: str) -> Json:
        channel, thread_ts = body.get("channel_id") or None, body.get("thread_ts") or None
        shared: list[Json] = []
        for item in _decoded(body.get("files")) or []:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None:
                raise SlackMethodError("file_not_found")
            upload = replace(upload, completed=True, title=item.get("title"), channel_id=channel,
                             thread_ts=thread_ts, initial_comment=body.get("initial_comment") or None)
            self.uploads[upload.file_id] = upload
            shared.append({"id": upload.file_id, "name": upload.filename, "title": upload.title})
        if channel is not None and shared:
            self.post(channel, str(body.get("initial_comment") or ""), thread_ts=thread_ts, files=tuple(shared))
        return {"files": shared}


def _decoded(value: Any) -> Any:
    """A JSON argument as sent: form-encoded calls carry it as a JSON string, JSON calls as itself."""
    return json.loads(value) if isinstance(value, str) and value.startswith(("[", "{")) else value


def _flag(value: Any) -> bool:
    # slack_sdk sends booleans in query strings as "1"/"0"; people write "true".
    return str(value).strip().lower() in ("1", "true")
