"""`okebot serve` as a process: HTTP mode answers health checks and signed commands against the fake Slack
Web API (SLACK_API_URL), stops cleanly on SIGTERM, and refuses to start without its secrets."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.fakes.slack_api import FakeSlackApi
from tests.bot.slack.harness import SECRET, sign

BOT_TOKEN = "xoxb-serve-test-123"
STARTUP_SECONDS = 30.0


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any SLACK_* or OKEBOT_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OKEBOT_"))}
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def okebot(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli.main", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def wait_until_healthy(session: aiohttp.ClientSession, base: str, process: asyncio.subprocess.Process) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        if process.returncode is not None:
            _, err = await process.communicate()
            raise AssertionError(f"okebot serve exited {process.returncode}: {err.decode()}")
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("okebot serve did not answer /healthz in time")


@pytest.fixture
async def served(fake: FakeSlackApi, tmp_path: Path) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    port = free_port()
    env = clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.base_url,
                    OKEBOT_STORE_URL=f"sqlite:///{tmp_path / 'okebot.db'}")
    process = await okebot("serve", "--http", str(port), "--host", "127.0.0.1", "--source", "demo", env=env)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_serve_http_answers_health_and_a_signed_command_then_stops_on_sigterm(
    served: tuple[str, asyncio.subprocess.Process], fake: FakeSlackApi
):
    base, process = served
    async with aiohttp.ClientSession() as session:
        await wait_until_healthy(session, base, process)
        async with session.get(f"{base}/readyz") as ready:
            assert ready.status == 200
        body = urlencode({"team_id": "T0FAKE", "channel_id": "C1", "user_id": "U1", "command": "/oke",
                          "text": "capacity analytics", "response_url": fake.response_url, "trigger_id": "t"})
        headers = {"content-type": "application/x-www-form-urlencoded", **sign(body)}
        async with session.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
            assert response.status == 200
        async with session.post(f"{base}/slack/events", data=body.encode(),
                                headers={"content-type": "application/x-www-form-urlencoded"}) as unsigned:
            assert unsigned.status == 401
    (answer,) = await fake.wait_for("webhook", within=15)
    assert "Capacity: analytics" in str(answer.body["blocks"])
    process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), timeout=15)
    assert process.returncode == 0, err.decode()
    logs = out.decode() + err.decode()
    assert BOT_TOKEN not in logs
    assert SECRET not in logs
    assert "Traceback" not in logs


@pytest.mark.parametrize(("args", "env", "missing"), [
    (["--http", "0"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
    (["--http", "0"], {"SLACK_SIGNING_SECRET": SECRET}, "SLACK_BOT_TOKEN"),
    ([], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN"),
    ([], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "not-an-app-token"}, "SLACK_APP_TOKEN"),
])
async def test_serve_without_a_required_secret_exits_2_naming_the_variable(
    args: list[str], env: dict[str, str], missing: str, tmp_path: Path
):
    store = f"sqlite:///{tmp_path / 'okebot.db'}"
    process = await okebot("serve", *args, "--source", "demo", env=clean_env(OKEBOT_STORE_URL=store, **env))
    out, err = await asyncio.wait_for(process.communicate(), timeout=STARTUP_SECONDS)
    assert process.returncode == 2
    assert missing in err.decode()
    assert "Traceback" not in err.decode()
    assert BOT_TOKEN not in out.decode() + err.decode()
