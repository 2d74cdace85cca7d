"""The Slack bot's settings, from the environment, checked per transport at startup by name."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.errors import InputError


class Transport(StrEnum):
    SOCKET = "socket"
    HTTP = "http"


class SlackSettings(BaseSettings):
    """SLACK_* and OKEBOT_* variables. Secrets are SecretStr so they never print.

    Serving (README, "Serving"): OKEBOT_ANSWER_CONCURRENCY answers computed at once (the rest queue, each
    told how many are ahead); OKEBOT_WORK_POOL "process" (default) or "thread" for where they are computed;
    OKEBOT_DRAIN_SECONDS how long SIGTERM waits for answers in flight before telling their askers to ask
    again (keep it under Kubernetes' terminationGracePeriodSeconds, 30 by default).
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    okebot_store_url: str = "sqlite:///okebot.db"
    okebot_access_config: Path | None = None
    okebot_rate_limit_retries: int = Field(default=2, ge=0, le=10)
    okebot_answer_concurrency: int = Field(default=2, ge=1, le=64)
    okebot_work_pool: Literal["process", "thread"] = "process"
    okebot_drain_seconds: float = Field(default=25.0, ge=0, le=3600)

    def secrets(self) -> list[str]:
        """Every secret value set, for the log redaction filter."""
        values = (self.slack_bot_token, self.slack_app_token, self.slack_signing_secret)
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]

    def require(self, transport: Transport) -> None:
        """Fail fast when a variable the transport needs is missing or malformed."""
        needed = {"SLACK_BOT_TOKEN": (self.slack_bot_token, "xoxb-")}
        if Transport(transport) is Transport.SOCKET:
            needed["SLACK_APP_TOKEN"] = (self.slack_app_token, "xapp-")
        else:
            needed["SLACK_SIGNING_SECRET"] = (self.slack_signing_secret, "")
        for name, (value, prefix) in needed.items():
            if value is None or not value.get_secret_value().strip():
                raise InputError(
                    f"{name} is not set; {transport} mode needs it",
                    where=name,
                    remedy=f"export {name}=… (see deploy/slack-manifest.yml and the README)",
                )
            if prefix and not value.get_secret_value().startswith(prefix):
                raise InputError(
                    f"{name} should start with {prefix!r}",
                    where=name,
                    remedy=f"copy the {prefix}… token from the Slack app's settings",
                )

    def token(self) -> str:
        """The bot token (call `require` first)."""
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""

    def signing_secret(self) -> str:
        """The signing secret, or "" in Socket Mode where Bolt does not verify signatures."""
        return self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else ""


def load_slack_settings() -> SlackSettings:
    """SlackSettings from the environment; InputError names a variable that is wrong (never its value)."""
    try:
        return SlackSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "_".join(str(part) for part in first["loc"]).upper()
        raise InputError(first["msg"], where=name, remedy="fix or unset that environment variable") from None
