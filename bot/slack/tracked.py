"""Every listener's work is held in `deps.inflight` from its start to its end, acks included.

`tracked(handler, name=...)` wraps a listener so that the drain on SIGTERM waits for it (its answer, its audit
entry), knows whether its ack went out, and — past the grace period — tells its asker that okebot restarted:
by default privately through the payload's response_url, else as a direct message; the pipeline replaces
that with the asker's own private channel once it knows it (`InFlight.set_abandon`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from bot.inflight import Abandon, Entry, InFlight
from bot.slack.deps import deps_of
from bot.slack.render.messages import restarted_home, restarted_message

Listener = Callable[..., Awaitable[None]]
AbandonFor = Callable[[Any], Abandon | None]
"""From a request's Bolt context: how to tell its asker that okebot restarted (None: nobody to tell)."""


def tell_privately(context: Any) -> Abandon | None:
    """Privately at the payload's response_url, else as a direct message from okebot."""
    respond = context.get("respond")
    client, user = context.get("client"), context.get("user_id")
    message = restarted_message()

    async def by_response_url() -> None:
        await respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)

    async def by_direct_message() -> None:
        await client.chat_postMessage(channel=user, text=message.text, blocks=message.blocks)

    if respond is not None:
        return by_response_url
    if client is not None and user:
        return by_direct_message
    return None


def redraw_home(context: Any) -> Abandon | None:
    """The Home tab says okebot restarted, instead of staying half drawn."""
    client, user = context.get("client"), context.get("user_id")
    if client is None or not user:
        return None

    async def publish() -> None:
        await client.views_publish(user_id=user, view=restarted_home())

    return publish


class _MarkingAck:
    """Bolt's ack, which also tells the in-flight registry that the request was acknowledged."""

    def __init__(self, ack: Any, inflight: InFlight, entry: Entry) -> None:
        self._ack, self._inflight, self._entry = ack, inflight, entry

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._ack(*args, **kwargs)
        finally:
            self._inflight.mark_acked(self._entry)


def _described(name: str, kwargs: dict[str, Any]) -> str:
    """ "/oke capacity payments (U0123)": the listener's name with what was asked and by whom, for the drain's
    log line (at most 80 characters of the text: a pasted plan can be long)."""
    # Bolt passes only the arguments the listener declares: a command's payload, or the whole body.
    body: dict[str, Any] = next((kwargs[key] for key in ("command", "body") if isinstance(kwargs.get(key), dict)),
                                {})
    text = str(body.get("text") or "").strip()
    who = body.get("user")
    user = body.get("user_id") or (who.get("id") if isinstance(who, dict) else None)
    asked = f" {text[:80]}{'…' if len(text) > 80 else ''}" if text else ""
    return f"{name}{asked}" + (f" ({user})" if user else "")


def tracked(handler: Listener, *, name: str, abandon: AbandonFor = tell_privately) -> Listener:
    """The listener `handler`, held in `deps.inflight` while it runs (Bolt still sees its own arguments)."""

    @functools.wraps(handler)
    async def listener(**kwargs: Any) -> None:
        context = kwargs["context"]
        inflight = deps_of(context).inflight
        ack = kwargs.get("ack")
        with inflight.hold(name=_described(name, kwargs), on_abandon=abandon(context), acked=ack is None) as entry:
            if ack is not None:
                kwargs["ack"] = _MarkingAck(ack, inflight, entry)
            await handler(**kwargs)

    return listener
