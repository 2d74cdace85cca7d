"""`okebot serve` starting up: a token Slack refuses stops it at once with exit 2 naming the variable; a Slack
that does not answer yet is waited for with one WARNING per try, while /healthz answers and /readyz does not;
SIGTERM while it waits exits 0; a port that cannot be listened on, or options that do not go together, are
refused with exit 2 before anything starts."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
from pathlib import Path

import aiohttp
import pytest

from adapters.fakes.slack_api import FakeSlackApi
from adapters.store import open_store
from tests.bot.slack.harness import SECRET
from tests.bot.slack.test_serve import BOT_TOKEN, STARTUP_SECONDS, clean_env, free_port, okebot
from tests.bot.slack.test_socket_mode import APP_TOKEN

EXIT_SECONDS = 30.0


def environment(fake: FakeSlackApi, tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                     SLACK_API_URL=fake.base_url, OKEBOT_STORE_URL=f"sqlite:///{tmp_path / 'okebot.db'}",
                     OKEBOT_ANSWER_CONCURRENCY="1", **extra)


async def finished(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=EXIT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("okebot serve did not exit") from None
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def status(session: aiohttp.ClientSession, url: str) -> int | None:
    try:
        async with session.get(url) as response:
            return response.status
    except aiohttp.ClientConnectionError:
        return None


async def until_ok(session: aiohttp.ClientSession, url: str, otherwise: str) -> None:
    """Poll `url` until it answers 200; AssertionError(`otherwise`) after STARTUP_SECONDS."""
    deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
    while await status(session, url) != 200:
        assert asyncio.get_running_loop().time() < deadline, otherwise
        await asyncio.sleep(0.1)


@pytest.mark.parametrize(("method", "variable"), [("apps.connections.open", "SLACK_APP_TOKEN"),
                                                  ("auth.test", "SLACK_BOT_TOKEN")])
async def test_a_token_slack_refuses_stops_socket_mode_at_once_with_exit_2_naming_the_variable(
    fake: FakeSlackApi, tmp_path: Path, method: str, variable: str
):
    fake.fail(method, "invalid_auth", times=None)
    process = await okebot("serve", "--source", "demo", env=environment(fake, tmp_path, OKEBOT_LOG_FORMAT="text"))
    code, out, err = await finished(process)
    assert code == 2
    assert f"okebot: error: Slack refused {variable} ({method}: invalid_auth)" in out + err
    assert f"fix: set {variable} to " in out + err
    assert "Traceback" not in out + err
    assert "Retrying" not in err
    assert len(fake.calls_to(method)) == 1  # a refused token is not tried again


async def test_with_json_logs_the_refusal_is_one_json_record_with_its_fix(fake: FakeSlackApi, tmp_path: Path):
    fake.fail("auth.test", "token_revoked", times=None)
    process = await okebot("serve", "--http", "0", "--host", "127.0.0.1", "--source", "demo",
                           env=environment(fake, tmp_path, OKEBOT_LOG_FORMAT="json"))
    code, out, err = await finished(process)
    assert code == 2
    records = [json.loads(line) for line in err.splitlines() if line.strip()]  # every line is JSON
    refusal = [r for r in records if r["level"] == "ERROR"]
    assert [r["message"] for r in refusal] == [
        "okebot cannot start: Slack refused SLACK_BOT_TOKEN (auth.test: token_revoked)"]
    assert refusal[0]["fix"].startswith("set SLACK_BOT_TOKEN to the Bot User OAuth Token")
    assert out == ""


async def test_while_slack_does_not_answer_health_is_up_ready_is_not_and_each_try_is_one_warning(
    fake: FakeSlackApi, tmp_path: Path
):
    fake.fail("apps.connections.open", "internal_error", status=503, times=None)
    port = free_port()
    process = await okebot("serve", "--health-port", str(port), "--host", "127.0.0.1", "--source", "demo",
                           env=environment(fake, tmp_path, OKEBOT_LOG_FORMAT="text"))
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await until_ok(session, f"{base}/healthz", "no /healthz while Slack did not answer")
            await fake.wait_for("apps.connections.open", 2, within=STARTUP_SECONDS)
            assert await status(session, f"{base}/readyz") == 503
    finally:
        process.send_signal(signal.SIGTERM)
    code, _, err = await finished(process)
    assert code == 0
    warnings = [line for line in err.splitlines() if "cannot reach Slack yet" in line]
    assert warnings
    assert all("apps.connections.open answered" in line and "WARNING" in line for line in warnings)
    assert "Traceback" not in err


@pytest.mark.parametrize("skip", [0, 1], ids=["checking-the-token", "opening-the-websocket"])
async def test_sigterm_while_slack_has_not_answered_yet_exits_0_at_once(fake: FakeSlackApi, tmp_path: Path, skip: int):
    # apps.connections.open is called twice: the token check, then the websocket's own; either one hangs here.
    held = fake.hold("apps.connections.open", after_accept=False, skip=skip)
    process = await okebot("serve", "--source", "demo", env=environment(fake, tmp_path, OKEBOT_LOG_FORMAT="text"))
    try:
        await held.wait(within=STARTUP_SECONDS)
        process.send_signal(signal.SIGTERM)
    finally:
        code, _, err = await finished(process)  # kills it if it does not exit
    held.release()
    assert code == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize(("args", "message"), [
    (["--http", "70000"], "argument --http: 70000 is not a port number (1-65535)"),
    (["--http", "web"], "argument --http: 'web' is not a port number (1-65535)"),
    (["--health-port", "-1"], "argument --health-port: -1 is not a port number (1-65535)"),
    (["--http", "3000", "--health-port", "3001"], "--health-port is for Socket Mode only"),
])
async def test_ports_out_of_range_or_options_that_do_not_go_together_exit_2(
    fake: FakeSlackApi, tmp_path: Path, args: list[str], message: str
):
    process = await okebot("serve", *args, "--source", "demo", env=environment(fake, tmp_path))
    code, out, err = await finished(process)
    assert code == 2
    assert message in out + err
    assert "Traceback" not in out + err
    assert fake.calls == []  # refused before reaching Slack


@pytest.mark.parametrize("mode", ["--http", "--health-port"])
async def test_a_port_already_taken_exits_2_naming_the_option_and_the_address(
    fake: FakeSlackApi, tmp_path: Path, mode: str
):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await okebot("serve", mode, str(port), "--host", "127.0.0.1", "--source", "demo",
                               env=environment(fake, tmp_path, OKEBOT_LOG_FORMAT="text"))
        code, out, err = await finished(process)
    assert code == 2
    assert f"okebot: error: cannot listen on 127.0.0.1:{port} ({mode}): " in out + err
    assert "Traceback" not in out + err


async def test_a_client_that_never_finishes_its_request_does_not_hold_the_exit_past_the_grace(
    fake: FakeSlackApi, tmp_path: Path
):
    port = free_port()
    process = await okebot("serve", "--http", str(port), "--host", "127.0.0.1", "--source", "demo",
                           env=environment(fake, tmp_path, OKEBOT_DRAIN_SECONDS="2"))
    async with aiohttp.ClientSession() as session:
        await until_ok(session, f"http://127.0.0.1:{port}/readyz", "okebot serve never became ready")
    _, slow = await asyncio.open_connection("127.0.0.1", port)
    slow.write(b"POST /slack/events HTTP/1.1\r\nHost: okebot\r\nContent-Length: 1000\r\n\r\npartial")
    await slow.drain()
    await asyncio.sleep(0.2)
    signalled = asyncio.get_running_loop().time()
    process.send_signal(signal.SIGTERM)
    code, _, err = await finished(process)
    slow.close()
    assert code == 0, err
    # aiohttp alone waits 60 s for such a request, past Kubernetes' 30 s grace (then SIGKILL).
    assert asyncio.get_running_loop().time() - signalled < 20


async def test_the_last_digest_the_store_holds_is_on_metrics_from_start_up_before_slack_answers(
    fake: FakeSlackApi, tmp_path: Path
):
    store = await open_store(f"sqlite:///{tmp_path / 'okebot.db'}")
    try:  # a digest posted before this pod started (by it before a rollout, or by another replica)
        run = await store.claim_slot("digest:daily", "2026-01-01T09:00:00Z", scheduled_for=await store.database_now(),
                                     owner="the-pod-before", lease_seconds=60, channel="C0DIGEST")
        assert run is not None
        assert await store.finish_run(run, owner="the-pod-before", state="posted", message_ts="1.1")
        posted = await store.last_posted_at("digest:")
    finally:
        await store.close()
    assert posted is not None
    fake.fail("apps.connections.open", "internal_error", status=503, times=None)  # the job runner never starts
    port = free_port()
    process = await okebot("serve", "--health-port", str(port), "--host", "127.0.0.1", "--source", "demo",
                           env=environment(fake, tmp_path, OKEBOT_LOG_FORMAT="text"))
    try:
        async with aiohttp.ClientSession() as session:
            await until_ok(session, f"http://127.0.0.1:{port}/metrics", "no /metrics in time")
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                text = await response.text()
    finally:
        process.send_signal(signal.SIGTERM)
    code, _, err = await finished(process)
    assert code == 0, err
    gauge = re.search(r"^okebot_digest_last_success_timestamp_seconds (\S+)$", text, flags=re.MULTILINE)
    assert gauge is not None
    assert float(gauge.group(1)) == pytest.approx(posted.timestamp(), abs=0.001)
