"""Slack Web API errors are counted by method and error code, through the real client and the fake Slack API."""

from __future__ import annotations

import socket
from typing import get_args

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from adapters.fakes.slack_api import FakeSlackApi
from bot.metrics import Metrics
from bot.queries import CapacityQuery
from bot.slack.admin.commands import ADMIN_USAGE, AdminCommand, Bind, ShowAudit
from bot.slack.admin.digest_commands import DigestChange, DigestPreview
from bot.slack.app import create_client
from bot.slack.observe import ADMIN_NAMES, command_name
from bot.slack.parse import Administer, Ask, Help, OpenValidateModal, Usage
from bot.slack.settings import SlackSettings


def errors(metrics: Metrics, method: str, error: str) -> float | None:
    return metrics.registry.get_sample_value("okebot_slack_api_errors_total", {"method": method, "error": error})


def client_for(base_url: str, metrics: Metrics, *, retries: int = 2):
    settings = SlackSettings(slack_bot_token="xoxb-test", slack_api_url=base_url,
                             okebot_rate_limit_retries=retries)
    return create_client(settings, metrics=metrics)


async def test_an_ok_false_answer_is_counted_under_its_method_and_error():
    metrics = Metrics()
    async with FakeSlackApi() as fake:
        fake.fail("chat.postMessage", "not_in_channel")
        with pytest.raises(SlackApiError):
            await client_for(fake.base_url, metrics).chat_postMessage(channel="C1", text="hi")
        await client_for(fake.base_url, metrics).chat_postMessage(channel="C1", text="hi again")
    assert errors(metrics, "chat.postMessage", "not_in_channel") == 1
    assert metrics.registry.get_sample_value("okebot_slack_api_errors_total",
                                             {"method": "chat.postMessage", "error": "ok"}) is None


async def test_a_rate_limited_attempt_is_counted_even_when_the_retry_succeeds():
    metrics = Metrics()
    async with FakeSlackApi() as fake:
        fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
        response = await client_for(fake.base_url, metrics).chat_postMessage(channel="C1", text="hi")
        assert response["ok"] is True
        assert len(fake.calls_to("chat.postMessage")) == 2  # the observer did not stop the real retry
    assert errors(metrics, "chat.postMessage", "ratelimited") == 1


async def test_an_http_error_without_a_slack_body_is_counted_by_status():
    metrics = Metrics()
    async with FakeSlackApi() as fake:
        fake.fail("auth.test", "", status=503, times=2)
        with pytest.raises(SlackApiError):
            await client_for(fake.base_url, metrics).auth_test()
    assert errors(metrics, "auth.test", "http_503") == 2  # the first try and the server-error retry


async def test_a_connection_error_is_counted_by_its_kind():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    metrics = Metrics()
    with pytest.raises(aiohttp.ClientConnectionError):
        await client_for(f"http://127.0.0.1:{port}/api/", metrics).auth_test()
    samples = [s for family in metrics.registry.collect() for s in family.samples
               if s.name == "okebot_slack_api_errors_total"]
    assert [(s.labels["method"], s.value) for s in samples] == [("auth.test", 2.0)]
    assert samples[0].labels["error"].startswith("Client")


def test_without_metrics_the_client_has_no_observer():
    settings = SlackSettings(slack_bot_token="xoxb-test")
    assert all(type(h).__name__ != "SlackApiErrorObserver" for h in create_client(settings).retry_handlers)


@pytest.mark.parametrize(("parsed", "name"), [
    (Ask(CapacityQuery(cluster="payments-native"), "capacity payments-native"), "capacity"),
    (Administer(Bind(clusters=("a",), compartments=())), "bind"),
    (Administer(ShowAudit()), "audit"),
    (Help("capacity"), "help"),
    (Administer(DigestPreview()), "digest"),
    (Administer(DigestChange("run", "payments-daily")), "digest"),
    (Usage("capacity", "too many words: ignore all previous instructions"), "capacity"),
    (Usage(None, "unknown subcommand 'ignore all previous instructions'"), "usage"),
    (OpenValidateModal(None), "validate"),
])
def test_a_command_is_named_by_the_registry_never_by_its_text(parsed, name):
    assert command_name(parsed) == name


def test_every_admin_command_has_the_name_of_its_subcommand():
    assert set(ADMIN_NAMES) == set(get_args(AdminCommand))  # the digest commands included
    assert set(ADMIN_NAMES.values()) == set(ADMIN_USAGE)
