"""POST /slack/events is public: what does not come from Slack is refused before anything parses it.

Unsigned, mis-signed and stale requests get 401, oversized ones 413, signed bodies Bolt could not parse 400:
for slash commands, interactivity payloads and events alike, and none of them leaves a traceback (or any
error) in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.fakes.slack_api import FakeSlackApi
from adapters.store.factory import open_store
from bot.compose import build_reader
from bot.slack.app import create_app
from bot.slack.deps import Deps
from bot.slack.settings import SlackSettings
from bot.slack.transport import EVENTS_PATH, MAX_BODY_BYTES, REPLAY_WINDOW_SECONDS, http_web_app
from tests.bot.slack.harness import LOGGER, POLICY, SECRET, Bot, sign

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def command(fake: FakeSlackApi) -> str:
    return urlencode({"team_id": "T0FAKE", "channel_id": "C1", "user_id": "U1", "command": "/oke", "text": "help",
                      "response_url": fake.response_url, "trigger_id": "t"})


def interaction(fake: FakeSlackApi) -> str:
    payload = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"},
               "response_url": fake.response_url, "actions": [{"action_id": "oke-refresh", "value": "{}"}]}
    return "payload=" + quote(json.dumps(payload))


def event(_: FakeSlackApi) -> str:
    return json.dumps({"type": "event_callback", "event_id": "Ev1", "team_id": "T0FAKE",
                       "event": {"type": "app_home_opened", "user": "U1", "tab": "home"}})


KINDS = [pytest.param(command, FORM, id="command"), pytest.param(interaction, FORM, id="interactivity"),
         pytest.param(event, JSON, id="event")]


def truncated(body: str) -> str:
    return body[: len(body) * 2 // 3]


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [f"{r.name}: {r.getMessage()}" for r in bad]


@pytest.mark.parametrize(("make", "content_type"), KINDS)
@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("unsigned", 401),
        ("mis-signed", 401),
        ("stale", 401),
        ("from the future", 401),
        ("signature without timestamp", 401),
        ("truncated and unsigned", 401),
        ("oversized and unsigned", 413),
        ("oversized and signed", 413),
    ],
)
async def test_what_slack_did_not_send_is_refused_without_a_trace(
    bot: Bot, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, make, content_type, case, status
):
    caplog.set_level(logging.DEBUG)
    body = make(fake)
    now = int(time.time())
    headers: dict[str, str] = {}
    if case == "mis-signed":
        headers = sign(body, secret="not-the-secret")
    elif case == "stale":
        headers = sign(body, timestamp=now - REPLAY_WINDOW_SECONDS - 1)
    elif case == "from the future":
        headers = sign(body, timestamp=now + REPLAY_WINDOW_SECONDS + 1)
    elif case == "signature without timestamp":
        headers = {"x-slack-signature": sign(body)["x-slack-signature"]}
    elif case == "truncated and unsigned":
        body = truncated(body)
    elif case.startswith("oversized"):
        body = body + "&" + "x" * MAX_BODY_BYTES if content_type == FORM else body + " " * MAX_BODY_BYTES
        headers = sign(body) if case == "oversized and signed" else {}
    response = await bot.post(body, content_type, headers=headers, signed=False)
    assert response.status == status
    await response.read()
    no_errors_logged(caplog)
    assert fake.calls_to("webhook") == []  # nothing was answered


@pytest.mark.parametrize(("make", "content_type"), [KINDS[1], KINDS[2]])  # a cut form is still a form
async def test_a_signed_payload_cut_short_is_a_bad_request(
    bot: Bot, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, make, content_type
):
    caplog.set_level(logging.DEBUG)
    body = truncated(make(fake))
    response = await bot.post(body, content_type, headers=sign(body), signed=False)
    assert response.status == 400
    no_errors_logged(caplog)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe not utf-8", FORM),
        (b'["a", "list"]', JSON),
        (b"payload=%5B1%2C2%5D", FORM),  # payload=[1,2]: JSON, but not an object
        (b"payload=%7B%22type%22", FORM),  # payload={"type": cut short
    ],
)
async def test_signed_bodies_bolt_could_not_read_are_bad_requests(
    bot: Bot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
):
    caplog.set_level(logging.DEBUG)
    ts = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    response = await bot.client.post(EVENTS_PATH, data=body, headers={
        "content-type": content_type, "x-slack-request-timestamp": ts, "x-slack-signature": signature})
    assert response.status == 400
    no_errors_logged(caplog)


async def test_a_signed_command_still_reaches_bolt(bot: Bot, fake: FakeSlackApi):
    response = await bot.command("help")
    assert response.status == 200
    await fake.wait_for("webhook")


async def test_while_draining_every_request_gets_503_and_the_connection_closes(fake: FakeSlackApi):
    store = await open_store("sqlite:///:memory:")
    settings = SlackSettings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=fake.base_url)
    deps = Deps(reader=build_reader("demo"), store=store, policy=POLICY, clock=lambda: datetime.now(UTC),
                logger=logging.getLogger(LOGGER))
    app = http_web_app(create_app(settings, deps), signing_secret=SECRET, draining=lambda: True)
    client = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await client.start_server()
    try:
        body = command(fake)
        response = await client.post(EVENTS_PATH, data=body.encode(), headers={"content-type": FORM, **sign(body)})
        assert response.status == 503
        assert response.headers["Connection"].lower() == "close"
    finally:
        await client.close()
        await store.close()
    assert fake.calls_to("webhook") == []
