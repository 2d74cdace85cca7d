"""Wiring only: which listener answers which command, button, modal, shortcut and event.

Every listener is `tracked`: held in deps.inflight from its start to its end, so the drain on SIGTERM waits
for it and, past the grace period, tells its asker that okebot restarted.
"""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.slack.handlers.actions import handle_answer_button, handle_whatif_button
from bot.slack.handlers.commands import handle_oke_command
from bot.slack.handlers.home import handle_app_home_opened
from bot.slack.handlers.shortcuts import handle_validate_shortcut
from bot.slack.handlers.views import handle_validate_submission, handle_whatif_submission
from bot.slack.ids import COMMAND, ActionId, CallbackId, EventName
from bot.slack.tracked import redraw_home, tracked

ANSWER_BUTTONS = (ActionId.REFRESH, ActionId.NODE_POOLS, ActionId.DIAGNOSE, ActionId.SHARE)


def _ids(*action_ids: ActionId) -> re.Pattern[str]:
    # Buttons repeated in one actions block get a ":N" suffix (render.kit.actions).
    return re.compile("^(?:" + "|".join(re.escape(a) for a in action_ids) + r")(?::\d+)?$")


def register(app: AsyncApp) -> None:
    """Attach every okebot listener to `app`."""
    app.command(COMMAND)(tracked(handle_oke_command, name=COMMAND))
    app.action(_ids(*ANSWER_BUTTONS))(tracked(handle_answer_button, name="button"))
    app.action(_ids(ActionId.WHATIF))(tracked(handle_whatif_button, name="button:whatif"))
    app.view(CallbackId.VALIDATE_MODAL)(tracked(handle_validate_submission, name="modal:validate"))
    app.view(CallbackId.WHATIF_MODAL)(tracked(handle_whatif_submission, name="modal:whatif"))
    app.shortcut(CallbackId.VALIDATE_SHORTCUT)(tracked(handle_validate_shortcut, name="shortcut:validate"))
    app.event(EventName.APP_HOME_OPENED)(tracked(handle_app_home_opened, name="app_home", abandon=redraw_home))
