from __future__ import annotations

import pytest

from adapters.fakes.slack_api import FakeSlackApi
from bot.slack.app import create_client
from bot.slack.escape import code, escape, unescape
from bot.slack.render.kit import MAX_BLOCKS, MAX_SECTION_TEXT, fit, section
from bot.slack.render.messages import answer_message
from bot.slack.settings import SlackSettings
from engine.errors import InputError


@pytest.mark.parametrize(("raw", "safe"), [
    ("<!channel>", "&lt;!channel&gt;"),
    ("<@U123|boss>", "&lt;@U123|boss&gt;"),
    ("<http://evil.example|ok>", "&lt;http://evil.example|ok&gt;"),
    ("a & b", "a &amp; b"),
    ("*bold* _it_ 'q' \"dq\"", "*bold* _it_ 'q' \"dq\""),
])
def test_escape_neutralises_only_slacks_control_characters(raw: str, safe: str):
    assert escape(raw) == safe
    assert unescape(escape(raw)) == raw


def test_code_spans_cannot_be_closed_by_a_backtick_in_the_name():
    assert code("a`<b>") == "`a'&lt;b&gt;`"


def test_long_answers_are_cut_to_fifty_blocks_with_a_count_of_what_was_left_out():
    body = [section(f"line {i}") for i in range(120)]
    message = answer_message(body, command="clusters", shareable=True)
    assert len(message.blocks) <= MAX_BLOCKS - 1   # one slot stays free for the "attached" note
    assert message.left_out == 120 - (MAX_BLOCKS - 3)
    assert f"{message.left_out} more" in str(message.blocks)


def test_sections_never_exceed_slacks_text_limit():
    assert len(section("x" * 10_000)["text"]["text"]) == MAX_SECTION_TEXT


def test_fit_keeps_short_answers_whole():
    body = [section("a"), section("b")]
    assert fit(body) == (body, 0)


@pytest.mark.parametrize(("env", "missing"), [
    ({"slack_bot_token": "xoxb-1"}, "SLACK_APP_TOKEN"),
    ({"slack_app_token": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ({"slack_bot_token": "xoxp-1", "slack_app_token": "xapp-1"}, "SLACK_BOT_TOKEN"),
])
def test_socket_mode_settings_name_the_missing_variable(env: dict[str, str], missing: str):
    with pytest.raises(InputError, match=missing):
        SlackSettings(**env).require("socket")  # type: ignore[arg-type]


def test_http_mode_needs_the_signing_secret():
    with pytest.raises(InputError, match="SLACK_SIGNING_SECRET"):
        SlackSettings(slack_bot_token="xoxb-1").require("http")  # type: ignore[arg-type]


async def test_the_web_client_waits_out_a_429_and_retries():
    fake = await FakeSlackApi().start()
    try:
        fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
        client = create_client(SlackSettings(slack_bot_token="xoxb-t", slack_api_url=fake.base_url))
        response = await client.chat_postMessage(channel="C1", text="hi")
        assert response["ok"] is True
        assert len(fake.calls_to("chat.postMessage")) == 2
    finally:
        await fake.close()
