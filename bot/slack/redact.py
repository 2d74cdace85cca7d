"""A logging filter that keeps Slack tokens, the signing secret and other credentials out of every log line.

Masked: the secret values given (at least 6 characters), anything shaped like a Slack token (xoxb-, xapp-, …),
the credentials after `Bearer ` (Kubernetes and OKE tokens), and the password in a URL's user part
(postgresql://user:PASSWORD@host). bot/logs.py applies `redact` to whole formatted lines and JSON fields.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN = re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+")
_BEARER = re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}")
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+(@)")
MASK = "[redacted]"


class SecretRedactingFilter(logging.Filter):
    """Replaces known secret values and anything shaped like a Slack token with [redacted]."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every secret masked."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
        text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(2), text)
        return _TOKEN.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redact it, and drop the args so nothing re-renders the secret."""
        message = record.getMessage()
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


def install_redaction(
    secrets: Iterable[str], *, logger: logging.Logger | None = None
) -> SecretRedactingFilter:
    """Attach the filter to every handler of `logger` (root by default), where propagated records pass."""
    target = logger or logging.getLogger()
    redactor = SecretRedactingFilter(secrets)
    for handler in target.handlers:
        handler.addFilter(redactor)
    return redactor
