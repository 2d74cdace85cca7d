"""The one error path of the Slack bot.

Known engine errors become a friendly, private answer with the remedy (logged at info); anything else gets
an error id shown to the user and logged with the traceback under that id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot.slack.render.messages import Message, error_message
from engine.audit import Outcome
from engine.errors import AccessDeniedError, EngineError, InputError, NotFoundError

Send = Callable[[Message], Awaitable[None]]


# An absolute path on the machine okebot runs on ("/home/okebot/.oci/config"): a channel has no use for it.
_SERVER_PATH = re.compile(r"(?<![\w./])/(?:[\w.@-]+/)+([\w.@-]+)")


def server_paths(text: str) -> str:
    """The text with each absolute path of the okebot server cut to its file name ("…/config"), so an answer
    in a channel does not show the server's directories (the log keeps the whole message)."""
    return _SERVER_PATH.sub(lambda found: f"…/{found.group(1)}", text)


def explain_failure(error: BaseException, *, logger: logging.Logger) -> tuple[Message, Outcome, str | None]:
    """The message for a failure, its audit outcome, and the error id when it is unexpected."""
    if isinstance(error, EngineError):
        outcome: Outcome = (
            "refused"
            if isinstance(error, AccessDeniedError)
            else "bad-input"
            if isinstance(error, InputError | NotFoundError)
            else "error"
        )
        request_id = getattr(error, "request_id", None)  # OCI's opc-request-id, for a support ticket
        logger.info("answered with %s: %s", type(error).__name__, error.message,
                    extra={"request_id": request_id} if request_id else None)
        remedy = server_paths(error.remedy) if error.remedy else None
        return error_message(server_paths(error.message), remedy=remedy), outcome, None
    error_id = str(uuid.uuid4())
    logger.error("unexpected failure, error id %s", error_id, exc_info=error, extra={"error_id": error_id})
    return error_message("okebot could not answer this.", error_id=error_id), "error", error_id


async def answer_failure(
    error: BaseException, *, send: Send, logger: logging.Logger
) -> tuple[Outcome, str | None]:
    """Tell the user what went wrong (never silence) and return the audit outcome and error id."""
    message, outcome, error_id = explain_failure(error, logger=logger)
    try:
        await send(message)
    except Exception:  # the failure is already logged; a second one must not hide it
        logger.warning("could not deliver the error answer (error id %s)", error_id, exc_info=True)
    return outcome, error_id


async def handle_unexpected(
    error: Exception, body: dict[str, Any], respond: Any, logger: logging.Logger
) -> None:
    """Bolt's global error handler (@app.error): errors that escaped a listener or a middleware."""
    message, _, _ = explain_failure(error, logger=logger)
    if isinstance(body, dict) and body.get("response_url"):
        try:
            await respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
        except Exception:
            logger.warning("could not deliver the error answer", exc_info=True)
