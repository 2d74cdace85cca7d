"""bot.metrics: okebot's own registry, bounded labels, and /metrics served over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics, metrics_routes

METRIC_NAMES = {
    "okebot_commands", "okebot_ack_seconds", "okebot_answer_seconds", "okebot_oci_requests", "okebot_read_seconds",
    "okebot_slack_api_errors", "okebot_digest_runs", "okebot_digest_missed",
    "okebot_digest_last_success_timestamp_seconds", "okebot_alerts_sent", "okebot_store_errors", "okebot_build_info",
}


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def scrape(web_app: web.Application, path: str = "/metrics") -> tuple[int, str, str]:
    async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
        response = await client.get(path)
        return response.status, response.headers["Content-Type"], await response.text()


def test_each_metrics_object_has_its_own_registry():
    first, second = Metrics(), Metrics()
    first.command_answered("capacity", "ok", 0.5)
    assert value(first, "okebot_commands_total", command="capacity", outcome="ok") == 1
    assert value(second, "okebot_commands_total", command="capacity", outcome="ok") is None


def test_a_command_is_counted_by_name_and_outcome_and_timed():
    metrics = Metrics()
    metrics.command_answered("capacity", "ok", 0.4)
    metrics.command_answered("capacity", "refused", 0.01)
    metrics.command_answered("bind", "ok", 0.2)
    assert value(metrics, "okebot_commands_total", command="capacity", outcome="ok") == 1
    assert value(metrics, "okebot_commands_total", command="capacity", outcome="refused") == 1
    assert value(metrics, "okebot_commands_total", command="bind", outcome="ok") == 1
    assert value(metrics, "okebot_answer_seconds_count", command="capacity") == 2
    assert value(metrics, "okebot_answer_seconds_sum", command="capacity") == pytest.approx(0.41)


def test_user_text_never_becomes_a_label_value():
    metrics = Metrics()
    metrics.command_answered("capacity prod; DROP TABLE", "whatever", 1.0)
    metrics.read_finished("snapshot:/home/alice/t.json", 1.0)
    metrics.digest_finished("exploded")
    assert value(metrics, "okebot_commands_total", command="other", outcome="other") == 1
    assert value(metrics, "okebot_read_seconds_count", source="other") == 1
    assert value(metrics, "okebot_digest_runs_total", result="other") == 1


def test_a_posted_digest_moves_the_last_success_timestamp_and_a_failed_one_does_not():
    metrics = Metrics()
    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    metrics.digest_finished("posted", at=at)
    metrics.digest_finished("failed", at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    metrics.digests_missed(3)
    metrics.alert_sent(2)
    assert value(metrics, "okebot_digest_last_success_timestamp_seconds") == at.timestamp()
    assert value(metrics, "okebot_digest_runs_total", result="posted") == 1
    assert value(metrics, "okebot_digest_runs_total", result="failed") == 1
    assert value(metrics, "okebot_digest_missed_total") == 3
    assert value(metrics, "okebot_alerts_sent_total") == 2


def test_the_last_success_timestamp_moves_forward_to_a_post_the_store_knows_of_and_never_back():
    metrics = Metrics()
    metrics.digest_posted_at(None)  # no digest posted yet, anywhere
    assert value(metrics, "okebot_digest_last_success_timestamp_seconds") == 0
    stored = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    metrics.digest_posted_at(stored)
    assert value(metrics, "okebot_digest_last_success_timestamp_seconds") == stored.timestamp()
    metrics.digest_posted_at(stored - timedelta(hours=1))
    metrics.digest_posted_at(None)
    assert value(metrics, "okebot_digest_last_success_timestamp_seconds") == stored.timestamp()
    metrics.digest_finished("posted", at=stored + timedelta(hours=6))
    assert value(metrics, "okebot_digest_last_success_timestamp_seconds") == (stored + timedelta(hours=6)).timestamp()


def test_build_info_carries_the_version():
    assert value(Metrics(version="9.9.9"), "okebot_build_info", version="9.9.9") == 1


async def test_the_handler_serves_every_metric_in_prometheus_text_format_and_moves():
    metrics = Metrics(version="1.2.3")
    app = web.Application()
    app.add_routes(metrics_routes(metrics))
    status, content_type, before = await scrape(app)
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    assert {family.name for family in text_string_to_metric_families(before)} >= METRIC_NAMES
    assert 'okebot_build_info{version="1.2.3"} 1.0' in before
    metrics.oci_request("list_clusters", "200")
    metrics.oci_request("list_vcns", "404")
    metrics.store_error("record_audit")
    metrics.slack_api_error("chat.postMessage", "not_in_channel")
    metrics.acked(0.02)
    _, _, after = await scrape(app)
    assert 'okebot_oci_requests_total{operation="list_vcns",status="404"} 1.0' in after
    assert 'okebot_store_errors_total{operation="record_audit"} 1.0' in after
    assert 'okebot_slack_api_errors_total{error="not_in_channel",method="chat.postMessage"} 1.0' in after
    assert "okebot_ack_seconds_count 1.0" in after


async def test_the_handler_speaks_openmetrics_when_asked():
    metrics = Metrics()
    app = web.Application()
    app.add_routes(metrics_routes(metrics))
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        response = await client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        text = await response.text()
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert text.rstrip().endswith("# EOF")
