"""configure_logging: JSON or text lines for okebot's and its libraries' loggers, with error ids, OCI request
ids, and no secret in either format, wherever it was put."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging, default_format
from engine.errors import SourceError

TOKEN = "xoxb-1234567890-abcdefghijkl"
SIGNING = "0123456789abcdef-signing-secret"
PASSWORD = "hunter2-pg-password"


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def log_everything(logger_name: str) -> None:
    logger = logging.getLogger(logger_name)
    logger.info("token in the message %s", TOKEN)
    logger.warning("signing secret as an argument: %s", SIGNING)
    logger.info("connecting to postgresql://okebot:%s@db:5432/okebot", PASSWORD)
    try:
        raise RuntimeError(f"Slack said no to {TOKEN} with secret {SIGNING}")
    except RuntimeError:
        logger.exception("unexpected failure, error id %s", "e-42", extra={"error_id": "e-42", "token": TOKEN})


@pytest.mark.parametrize("fmt", ["json", "text"])
@pytest.mark.parametrize("logger_name", ["okebot.slack", "slack_bolt.AsyncApp", "aiohttp.access", "oci.base_client"])
def test_no_secret_reaches_either_format(restore_root, fmt, logger_name):
    out = io.StringIO()
    configure_logging(fmt, "INFO", [SIGNING], stream=out)
    log_everything(logger_name)
    written = out.getvalue()
    assert TOKEN not in written
    assert SIGNING not in written
    assert PASSWORD not in written
    assert written.count("[redacted]") >= 5
    assert "e-42" in written
    assert logger_name in written


def test_json_lines_carry_level_logger_error_id_and_traceback(restore_root):
    out = io.StringIO()
    configure_logging("json", "INFO", [], stream=out)
    log_everything("okebot.slack")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["level"] for r in records] == ["INFO", "WARNING", "INFO", "ERROR"]
    last = records[-1]
    assert last["logger"] == "okebot.slack"
    assert last["error_id"] == "e-42"
    assert last["message"] == "unexpected failure, error id e-42"
    assert "Traceback" in last["exc_info"]
    assert last["time"].endswith("Z")


def test_an_oci_request_id_reaches_the_record_from_the_exception(restore_root):
    out = io.StringIO()
    configure_logging("json", "INFO", [], stream=out)
    try:
        try:
            raise SourceError("list_vcns: 404 NotAuthorizedOrNotFound", status=404, request_id="opc-123/ABC")
        except SourceError as error:
            raise RuntimeError("the read failed") from error
    except RuntimeError:
        logging.getLogger("okebot").exception("read failed")
    logging.getLogger("okebot").info("answered", extra={"request_id": "opc-456"})
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["request_id"] == "opc-123/ABC"
    assert second["request_id"] == "opc-456"


def test_text_lines_name_the_error_and_request_ids(restore_root):
    out = io.StringIO()
    configure_logging("text", "INFO", [], stream=out)
    logging.getLogger("okebot").error("boom", extra={"error_id": "e-1", "request_id": "opc-9"})
    assert out.getvalue().rstrip().endswith("ERROR okebot boom [error_id=e-1 request_id=opc-9]")


def test_a_second_call_replaces_the_handler_and_the_level_applies(restore_root):
    first, second = io.StringIO(), io.StringIO()
    configure_logging("text", "INFO", [], stream=first)
    configure_logging("text", "WARNING", [], stream=second)
    logging.getLogger("okebot").info("quiet")
    logging.getLogger("okebot").warning("loud")
    assert first.getvalue() == ""
    assert "quiet" not in second.getvalue()
    assert "loud" in second.getvalue()


def test_the_default_is_text_on_a_terminal_and_json_elsewhere():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert default_format(Terminal()) == "text"
    assert default_format(io.StringIO()) == "json"


def access_line(path: str, status: int) -> None:
    """What aiohttp's access logger writes for one request (its default format, its `extra` fields)."""
    logging.getLogger("aiohttp.access").info(
        f'127.0.0.1 [30/Nov/2026:09:00:00 +0000] "GET {path} HTTP/1.1" {status} 175 "-" "kube-probe/1.31"',
        extra={"response_status": status, "first_request_line": f"GET {path} HTTP/1.1"})


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_successful_probes_and_scrapes_are_not_logged_at_info_but_failed_ones_are(restore_root, path):
    out = io.StringIO()
    configure_logging("text", "INFO", [], stream=out)
    access_line(path, 200)
    access_line(path, 503)
    access_line("/slack/events", 200)
    assert f"GET {path} HTTP/1.1\" 200" not in out.getvalue()
    assert f"GET {path} HTTP/1.1\" 503" in out.getvalue()
    assert "GET /slack/events HTTP/1.1\" 200" in out.getvalue()


def test_at_debug_every_probe_is_logged(restore_root):
    out = io.StringIO()
    configure_logging("text", "DEBUG", [], stream=out)
    access_line("/healthz", 200)
    assert "GET /healthz HTTP/1.1\" 200" in out.getvalue()
