"""`okebot serve` as a process, stopped while answers are in flight: SIGTERM drains them, whole.

The source is a snapshot behind a named pipe: reading it blocks until the test writes the snapshot, so the
answers are held in flight for exactly as long as the test wants, with no timing involved.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.fakes.slack_api import FakeSlackApi
from adapters.snapshot.demo import DEMO_FILE
from tests.bot.slack.harness import SECRET, sign, texts
from tests.bot.slack.test_serve import BOT_TOKEN, STARTUP_SECONDS, clean_env, free_port, okebot, wait_until_healthy
from tests.bot.slack.test_socket_mode import APP_TOKEN, slash_envelope

EXIT_SECONDS = 60.0
RESTARTED = "okebot restarted before it could answer this"
QUESTIONS = {"capacity analytics": "Capacity: analytics", "capacity retail-flannel": "Capacity: retail-flannel",
             "clusters": "analytics"}


def demo_bytes() -> bytes:
    return (Path(__file__).parents[3] / "adapters" / "demo" / DEMO_FILE).read_bytes()


@dataclass
class Served:
    process: asyncio.subprocess.Process
    base: str
    pipe: Path

    async def release_source(self) -> None:
        """Write the snapshot into the pipe: the read blocked on it completes."""

        def write() -> None:
            with open(self.pipe, "wb") as pipe:
                pipe.write(demo_bytes())

        await asyncio.to_thread(write)

    async def exit_code(self) -> tuple[int, str]:
        _, err = await asyncio.wait_for(self.process.communicate(), timeout=EXIT_SECONDS)
        assert self.process.returncode is not None
        return self.process.returncode, err.decode()


async def serve(fake: FakeSlackApi, tmp_path: Path, *args: str, **env: str) -> Served:
    pipe = tmp_path / "snapshot.json"
    os.mkfifo(pipe)
    port = free_port()
    environment = clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_APP_TOKEN=APP_TOKEN,
                            SLACK_API_URL=fake.base_url, OKEBOT_STORE_URL=f"sqlite:///{tmp_path / 'okebot.db'}",
                            **env)
    flags = ["--http", str(port)] if "--socket" not in args else ["--health-port", str(port)]
    process = await okebot("serve", *flags, "--host", "127.0.0.1", "--source", f"snapshot:{pipe}",
                           env=environment)
    return Served(process=process, base=f"http://127.0.0.1:{port}", pipe=pipe)


@pytest.fixture
async def stop_leftovers() -> AsyncIterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        if served.process.returncode is None:
            served.process.kill()
            await served.process.wait()


def command_body(text: str, fake: FakeSlackApi, user: str = "U1") -> str:
    return urlencode({"team_id": "T0FAKE", "channel_id": "C1", "user_id": user, "command": "/oke", "text": text,
                      "response_url": fake.response_url, "trigger_id": "t"})


async def post_command(session: aiohttp.ClientSession, base: str, body: str) -> int:
    headers = {"content-type": "application/x-www-form-urlencoded", **sign(body)}
    async with session.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
        return response.status


async def readiness(probe: aiohttp.ClientSession, base: str) -> int:
    async with probe.get(f"{base}/readyz") as response:
        return response.status


async def until_unready(probe: aiohttp.ClientSession, base: str) -> None:
    """Poll /readyz on the probe's kept-alive connection until it answers 503 (the signal was handled)."""
    for _ in range(STARTUP_SECONDS.__int__() * 20):
        if await readiness(probe, base) == 503:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("/readyz never turned 503 after SIGTERM")


async def refuses_connections(base: str) -> bool:
    """Whether a new connection is refused (HTTP stopped listening)."""
    for _ in range(100):
        try:
            async with aiohttp.ClientSession() as fresh, fresh.get(f"{base}/healthz"):
                pass
        except aiohttp.ClientConnectionError:
            return True
        await asyncio.sleep(0.05)
    return False


def every_answer_whole(fake: FakeSlackApi) -> list[dict[str, Any]]:
    """The answers posted, after asserting there is one per question, each with its expected text."""
    got = answers(fake)
    assert len(got) == len(QUESTIONS)
    for expected in QUESTIONS.values():
        assert any(expected in texts(body["blocks"]) for body in got), expected
    return got


QUEUED = "Working on it"


def answers(fake: FakeSlackApi) -> list[dict[str, Any]]:
    """What reached the response_url, but the private "working on it" notices a busy pool may send."""
    return [call.body for call in fake.calls_to("webhook") if QUEUED not in texts(call.body.get("blocks", []))]


async def test_sigterm_over_http_turns_unready_stops_listening_and_delivers_every_answer_whole(
    fake: FakeSlackApi, tmp_path: Path, stop_leftovers: list[Served]
):
    served = await serve(fake, tmp_path)
    stop_leftovers.append(served)
    probe_connector = aiohttp.TCPConnector(limit=1)  # one kept-alive connection, opened before SIGTERM
    async with aiohttp.ClientSession(connector=probe_connector) as probe, aiohttp.ClientSession() as session:
        await wait_until_healthy(probe, served.base, served.process)
        assert await readiness(probe, served.base) == 200
        for index, question in enumerate(QUESTIONS):
            assert await post_command(session, served.base, command_body(question, fake, f"U{index}")) == 200
        served.process.send_signal(signal.SIGTERM)
        await until_unready(probe, served.base)
        assert answers(fake) == []  # every answer still waits for the source: readiness went first
        assert await refuses_connections(served.base)
        await served.release_source()
        code, err = await served.exit_code()
    assert code == 0, err
    got = every_answer_whole(fake)
    assert not any(RESTARTED in texts(body["blocks"]) for body in got)
    assert "3 finished, 0 abandoned" in err
    assert "Traceback" not in err


async def test_sigterm_in_socket_mode_closes_the_websocket_first_and_delivers_every_answer_whole(
    fake: FakeSlackApi, tmp_path: Path, stop_leftovers: list[Served]
):
    served = await serve(fake, tmp_path, "--socket")
    stop_leftovers.append(served)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as probe:
        await wait_until_healthy(probe, served.base, served.process)
        await fake.wait_for("socket_connect", within=STARTUP_SECONDS)
        for index, question in enumerate(QUESTIONS):
            await fake.push(slash_envelope(f"env-{index}", question, fake.response_url))
        await fake.wait_for("socket_ack", len(QUESTIONS), within=STARTUP_SECONDS)
        served.process.send_signal(signal.SIGTERM)
        await until_unready(probe, served.base)
        await fake.wait_for("socket_disconnect", within=STARTUP_SECONDS)  # Slack now sends elsewhere
        assert answers(fake) == []
        await served.release_source()
        code, err = await served.exit_code()
    assert code == 0, err
    every_answer_whole(fake)
    assert len(fake.calls_to("socket_connect")) == 1  # it did not reconnect while draining
    assert "Traceback" not in err


async def test_past_the_drain_period_the_asker_is_told_to_ask_again_and_the_exit_is_clean(
    fake: FakeSlackApi, tmp_path: Path, stop_leftovers: list[Served]
):
    served = await serve(fake, tmp_path, OKEBOT_DRAIN_SECONDS="0.5")
    stop_leftovers.append(served)
    async with aiohttp.ClientSession() as session:
        await wait_until_healthy(session, served.base, served.process)
        assert await post_command(session, served.base, command_body("capacity analytics", fake)) == 200
        served.process.send_signal(signal.SIGTERM)
        code, err = await served.exit_code()  # the source is never written: the answer cannot finish
    assert code == 0, err
    (told,) = answers(fake)
    assert told["response_type"] == "ephemeral"
    assert RESTARTED in texts(told["blocks"])
    assert "1 abandoned" in err
    assert "abandoning: /oke capacity analytics (U1)" in err  # the log names what was cut short, and for whom
    assert "Traceback" not in err


async def test_a_second_signal_exits_at_once_with_128_plus_its_number(
    fake: FakeSlackApi, tmp_path: Path, stop_leftovers: list[Served]
):
    served = await serve(fake, tmp_path)
    stop_leftovers.append(served)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as probe:
        await wait_until_healthy(probe, served.base, served.process)
        assert await post_command(probe, served.base, command_body("capacity analytics", fake)) == 200
        served.process.send_signal(signal.SIGTERM)
        await until_unready(probe, served.base)  # draining, held by the unwritten source
        served.process.send_signal(signal.SIGTERM)
        code, err = await served.exit_code()
    assert code == 128 + signal.SIGTERM.value
    assert "second SIGTERM: exiting now" in err
    # Logs are JSON off a terminal: every line of them, the resource tracker's own included (it says nothing).
    assert [line for line in err.splitlines() if not line.startswith("{")] == []
