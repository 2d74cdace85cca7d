"""How okebot logs: one handler on the root logger, as JSON lines or text, with secrets redacted.

okebot's own loggers ("okebot", "okebot.slack") and those of slack_bolt, slack_sdk, aiohttp and oci all go
through the standard library's `logging` and propagate to the root logger, so one handler there covers them.

- `json` (OKEBOT_LOG_FORMAT=json; the Helm chart's default): one object per line, via python-json-logger:
  {"time": "2026-11-30T09:00:00.123Z", "level": "ERROR", "logger": "okebot.slack", "message": "...",
   "error_id": "...", "request_id": "...", "exc_info": "Traceback ..."}; `error_id`, `request_id` and any other
  `extra=` field appear only when set.
- `text` (default on a terminal): `2026-11-30 09:00:00,123 ERROR okebot.slack message [error_id=… request_id=…]`.

Secrets are masked in both, wherever they appear: the message and its arguments, extra fields, exception
text and stack traces (bot.slack.redact: the known secret values, and anything shaped like a Slack token, a
bearer token or a URL password). An OCI request id reaches the record as `request_id`: from `extra=`, or from
the exception logged (engine SourceError, or the SDK's ServiceError, also when it is the cause).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from bot.slack.redact import SecretRedactingFilter

LogFormat = Literal["json", "text"]
CONTEXT_FIELDS = ("error_id", "request_id")
_HANDLER_NAME = "okebot"


def default_format(stream: TextIO | None = None) -> LogFormat:
    """"text" when `stream` (stderr by default) is a terminal, else "json"."""
    target = stream if stream is not None else sys.stderr
    return "text" if target.isatty() else "json"


class RequestIdFilter(logging.Filter):
    """Sets `record.request_id` from the logged exception when `extra=` did not: OCI's opc-request-id, kept by
    engine SourceError (`request_id`) and the SDK's ServiceError (`request_id`), also on the cause chain."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: it only adds a field."""
        if getattr(record, "request_id", None) is None and record.exc_info and record.exc_info[1] is not None:
            found = request_id_of(record.exc_info[1])
            if found is not None:
                record.request_id = found
        return True


def request_id_of(error: BaseException) -> str | None:
    """The first `request_id` on the exception or its causes (at most 5 deep)."""
    current: BaseException | None = error
    for _ in range(5):
        if current is None:
            return None
        found = getattr(current, "request_id", None)
        if isinstance(found, str) and found:
            return found
        current = current.__cause__ or current.__context__
    return None


class TextFormatter(logging.Formatter):
    """`time LEVEL logger message [error_id=… request_id=…]`, the whole line redacted (traceback included)."""

    def __init__(self, redactor: SecretRedactingFilter) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """The redacted line."""
        line = super().format(record)
        context = [f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if getattr(record, name, None)]
        if context:
            first, newline, rest = line.partition("\n")
            line = f"{first} [{' '.join(context)}]{newline}{rest}"
        return self._redactor.redact(line)


class JsonFormatter(_JsonFormatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, extra fields, exc_info; every
    string value redacted before it is serialised (so escaping cannot hide a secret from the mask)."""

    def __init__(self, redactor: SecretRedactingFilter) -> None:
        super().__init__("{levelname}{name}{message}", style="{",
                         rename_fields={"levelname": "level", "name": "logger"})
        self._redactor = redactor

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        """Python-json-logger's fields, with `time` first."""
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        log_data["time"] = log_data["time"].replace("+00:00", "Z")
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """Redact every string, however deep."""
        redacted: dict[str, Any] = self._redact(log_data)
        return redacted

    def _redact(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._redactor.redact(value)
        if isinstance(value, dict):
            return {key: self._redact(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._redact(item) for item in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        return self._redactor.redact(str(value))


class QuietProbesFilter(logging.Filter):
    """Drops aiohttp's access-log line of a successful GET of /healthz, /readyz or /metrics unless okebot logs
    at DEBUG: Kubernetes probes and Prometheus scrapes would otherwise write several INFO lines a minute that
    say nothing. Failed probes, and every other request, are still logged."""

    QUIET = ('"GET /healthz ', '"GET /readyz ', '"GET /metrics ')

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "aiohttp.access" or logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        if getattr(record, "response_status", None) != 200:  # aiohttp's access logger sets it (format's %s)
            return True
        message = record.getMessage()
        return not any(probe in message for probe in self.QUIET)


def configure_logging(
    fmt: LogFormat | None, level: str | int, secrets: Iterable[str], *, stream: TextIO | None = None
) -> logging.Handler:
    """Log everything at `level` and above to `stream` (stderr) as `fmt` (None: `default_format`), masking
    `secrets` and anything shaped like a token. Replaces the handler a previous call installed; returns the
    new one. ValueError for a level name logging does not know."""
    target = stream if stream is not None else sys.stderr
    redactor = SecretRedactingFilter(secrets)
    handler = logging.StreamHandler(target)
    handler.name = _HANDLER_NAME
    chosen = fmt or default_format(target)
    handler.setFormatter(JsonFormatter(redactor) if chosen == "json" else TextFormatter(redactor))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(QuietProbesFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == _HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
