"""Modal submissions: the plan check and the what-if form. Bad input stays in the modal as inline errors."""

from __future__ import annotations

import shlex
from typing import Any

from pydantic import ValidationError

from adapters.planfile import load_plan_text
from bot.queries import ValidateQuery, WhatIfQuery
from bot.slack.deps import deps_of
from bot.slack.flow import Asker, answer_ask
from bot.slack.ids import BlockId, InputId, ModalMetadata
from bot.slack.parse import Ask
from bot.slack.render.messages import Message
from engine.errors import PlanError

PLAN_SOURCE = "plan pasted in Slack"
MAX_INLINE_ERROR = 1900

_WHATIF_FIELDS = {
    BlockId.WHATIF_POOL: "pool",
    BlockId.WHATIF_SIZE: "size",
    BlockId.WHATIF_SHAPE: "shape",
    BlockId.WHATIF_OCPUS: "ocpus",
    BlockId.WHATIF_MAX_PODS: "max_pods",
    BlockId.WHATIF_ADD_POOL: "add_pool",
}


def _value(view: dict[str, Any], block_id: str) -> str | None:
    """The trimmed text of one input block, or None when it was left empty."""
    state = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    raw = (state.get(InputId.VALUE) or {}).get("value")
    return raw.strip() or None if isinstance(raw, str) else None


def private_poster(client: Any, metadata: ModalMetadata) -> Any:
    """A Send for answers to a modal: privately in the channel it came from, else in the app's DM."""

    async def send(message: Message) -> None:
        if metadata.channel_id:
            try:
                await client.chat_postEphemeral(
                    channel=metadata.channel_id, user=metadata.user_id, **message.payload()
                )
                return
            except Exception:  # e.g. not_in_channel in a private channel: fall back to the DM
                pass
        await client.chat_postMessage(channel=metadata.user_id, **message.payload())

    return send


def _asker(client: Any, metadata: ModalMetadata, body: dict[str, Any]) -> Asker:
    user = str((body.get("user") or {}).get("id") or metadata.user_id)
    return Asker(user=user, channel=metadata.channel_id or "", send=private_poster(client, metadata))


async def handle_validate_submission(
    ack: Any, view: dict[str, Any], body: dict[str, Any], client: Any, context: dict[str, Any]
) -> None:
    """Check the pasted plan; an unreadable plan is shown as an error under the text box."""
    plan_text = _value(view, BlockId.PLAN_TEXT) or ""
    try:
        # Parsing is pure and fast, so it fits before the ack, the only way to show errors inline.
        load_plan_text(plan_text, source=PLAN_SOURCE)
    except PlanError as error:
        await ack(response_action="errors", errors={BlockId.PLAN_TEXT: error.message[:MAX_INLINE_ERROR]})
        return
    await ack()
    deps = deps_of(context)
    metadata = ModalMetadata.model_validate_json(view.get("private_metadata") or "{}")
    query = ValidateQuery(plan_text=plan_text, source_name=PLAN_SOURCE, against=_value(view, BlockId.AGAINST))
    await answer_ask(
        Ask(query, None), deps=deps, asker=_asker(client, metadata, body), origin="modal:validate"
    )


async def handle_whatif_submission(
    ack: Any, view: dict[str, Any], body: dict[str, Any], client: Any, context: dict[str, Any]
) -> None:
    """Run the what-if the form describes; a bad number is shown under its field."""
    metadata = ModalMetadata.model_validate_json(view.get("private_metadata") or "{}")
    fields = {name: value for block, name in _WHATIF_FIELDS.items() if (value := _value(view, block))}
    if not fields.keys() - {"pool"}:
        await ack(response_action="errors", errors={BlockId.WHATIF_SIZE: "Fill in at least one change."})
        return
    try:
        query = WhatIfQuery.model_validate({"cluster": metadata.cluster or "", **fields})
    except ValidationError as exc:
        await ack(response_action="errors", errors=_field_errors(exc))
        return
    await ack()
    words = [f"{k.replace('_', '-')}={v}" for k, v in sorted(fields.items())]
    ask = Ask(query, shlex.join(["whatif", query.cluster, *words]))
    await answer_ask(ask, deps=deps_of(context), asker=_asker(client, metadata, body), origin="modal:whatif")


def _field_errors(exc: ValidationError) -> dict[str, str]:
    by_name = {name: block for block, name in _WHATIF_FIELDS.items()}
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        errors[by_name.get(name, BlockId.WHATIF_SIZE)] = str(error["msg"])
    return errors
