"""The Slack bot's settings, from the environment, checked per transport at startup by name.

Every problem is named at once: a start-up that lacks two variables says so in one error, not one per run.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.env import SettingProblem, load, problems_error


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
    okebot_config: Path | None = None  # okebot.yaml; see bot/config_file.py for the search order
    okebot_access_config: Path | None = None  # deprecated alias of okebot_config
    okebot_rate_limit_retries: int = Field(default=2, ge=0, le=10)
    okebot_log_format: Literal["json", "text"] | None = None  # None: text on a terminal, JSON otherwise
    okebot_answer_concurrency: int = Field(default=2, ge=1, le=64)
    okebot_work_pool: Literal["process", "thread"] = "process"
    okebot_drain_seconds: float = Field(default=25.0, ge=0, le=3600)

    @field_validator("slack_api_url")
    @classmethod
    def _an_http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL, such as https://slack.com/api/")
        # slack_sdk appends the method to the base URL as it is: without the slash, "api" + "auth.test".
        return value.strip() if value.strip().endswith("/") else value.strip() + "/"

    def secrets(self) -> list[str]:
        """Every secret value set, for the log redaction filter."""
        values = (self.slack_bot_token, self.slack_app_token, self.slack_signing_secret)
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]

    def require(self, transport: Transport) -> None:
        """Fail fast when variables the transport needs are missing or malformed: one InputError naming
        every one of them, one per line (`problems` lists them)."""
        problems = self.problems(transport)
        if problems:
            raise problems_error(problems)

    def problems(self, transport: Transport) -> list[SettingProblem]:
        """(variable, what is wrong, how to fix it) for each variable the transport needs that is missing or
        malformed; empty when all are fine."""
        needed = {"SLACK_BOT_TOKEN": (self.slack_bot_token, "xoxb-")}
        if Transport(transport) is Transport.SOCKET:
            needed["SLACK_APP_TOKEN"] = (self.slack_app_token, "xapp-")
        else:
            needed["SLACK_SIGNING_SECRET"] = (self.slack_signing_secret, "")
        found: list[SettingProblem] = []
        for name, (value, prefix) in needed.items():
            if value is None or not value.get_secret_value().strip():
                found.append(SettingProblem(name, f"is not set ({transport} mode needs it)", f"export {name}=…"))
            elif prefix and not value.get_secret_value().startswith(prefix):
                found.append(SettingProblem(name, f"should start with {prefix!r}",
                                            f"copy the {prefix}… token from the Slack app's settings"))
        return found

    def token(self) -> str:
        """The bot token (call `require` first)."""
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""

    def app_token(self) -> str:
        """The app-level token, for Socket Mode (call `require` first)."""
        return self.slack_app_token.get_secret_value() if self.slack_app_token else ""

    def signing_secret(self) -> str:
        """The signing secret, or "" in Socket Mode where Bolt does not verify signatures."""
        return self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else ""


def load_slack_settings() -> SlackSettings:
    """SlackSettings from the environment; InputError names every variable that is wrong (never its value)."""
    return load(SlackSettings, prefix="")
