"""Every Slack id okebot uses (commands, action_id, block_id, callback_id) and the typed private_metadata."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

COMMAND = "/oke"
MAX_BUTTON_COMMAND = 1500


class ActionId(StrEnum):
    REFRESH = "oke-refresh"
    NODE_POOLS = "oke-node-pools"
    DIAGNOSE = "oke-diagnose"
    WHATIF = "oke-whatif"
    SHARE = "oke-share"


class BlockId(StrEnum):
    ANSWER_ACTIONS = "oke-answer-actions"
    PLAN_TEXT = "oke-plan-text"
    PLAN_FILE = "oke-plan-file"
    AGAINST = "oke-against"
    WHATIF_POOL = "oke-whatif-pool"
    WHATIF_SIZE = "oke-whatif-size"
    WHATIF_SHAPE = "oke-whatif-shape"
    WHATIF_OCPUS = "oke-whatif-ocpus"
    WHATIF_MAX_PODS = "oke-whatif-max-pods"
    WHATIF_ADD_POOL = "oke-whatif-add-pool"


class InputId(StrEnum):
    """action_id of the input element inside each input block."""

    VALUE = "value"


class CallbackId(StrEnum):
    VALIDATE_MODAL = "oke-validate-modal"
    WHATIF_MODAL = "oke-whatif-modal"
    VALIDATE_SHORTCUT = "oke-validate-plan"


class EventName(StrEnum):
    APP_HOME_OPENED = "app_home_opened"


class ButtonValue(BaseModel):
    """What a button carries: the `/oke` command text it re-runs, so a click answers like the command."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    command: str = Field(max_length=MAX_BUTTON_COMMAND)
    fresh: bool = False

    @staticmethod
    def fits(command: str) -> bool:
        """Whether a button can carry this command."""
        return len(command) <= MAX_BUTTON_COMMAND


class ModalMetadata(BaseModel):
    """private_metadata of okebot's modals: where to post the answer once the modal is submitted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel_id: str | None = None
    user_id: str
    cluster: str | None = None
