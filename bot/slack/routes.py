"""Wiring only: which listener answers which command, button, modal, shortcut and event."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.slack.handlers.actions import handle_answer_button, handle_whatif_button
from bot.slack.handlers.commands import handle_oke_command
from bot.slack.handlers.home import handle_app_home_opened
from bot.slack.handlers.shortcuts import handle_validate_shortcut
from bot.slack.handlers.views import handle_validate_submission, handle_whatif_submission
from bot.slack.ids import COMMAND, ActionId, CallbackId, EventName

ANSWER_BUTTONS = (ActionId.REFRESH, ActionId.NODE_POOLS, ActionId.DIAGNOSE, ActionId.SHARE)


def _ids(*action_ids: ActionId) -> re.Pattern[str]:
    # Buttons repeated in one actions block get a ":N" suffix (render.kit.actions).
    return re.compile("^(?:" + "|".join(re.escape(a) for a in action_ids) + r")(?::\d+)?$")


def register(app: AsyncApp) -> None:
    """Attach every okebot listener to `app`."""
    app.command(COMMAND)(handle_oke_command)
    app.action(_ids(*ANSWER_BUTTONS))(handle_answer_button)
    app.action(_ids(ActionId.WHATIF))(handle_whatif_button)
    app.view(CallbackId.VALIDATE_MODAL)(handle_validate_submission)
    app.view(CallbackId.WHATIF_MODAL)(handle_whatif_submission)
    app.shortcut(CallbackId.VALIDATE_SHORTCUT)(handle_validate_shortcut)
    app.event(EventName.APP_HOME_OPENED)(handle_app_home_opened)
