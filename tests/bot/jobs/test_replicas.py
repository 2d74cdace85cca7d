"""Three `okebot serve` replicas on one PostgreSQL schema post a digest `every 10s` exactly once per occurrence,
while one replica is SIGKILLed holding a post Slack had not accepted yet and another right after Slack accepted
one. Posts are counted in the fake Slack workspace by the occurrence key in their metadata."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.fakes.slack_api import FakeSlackApi, Hold
from adapters.store import open_store
from bot.jobs.digests import EVENT_TYPE
from engine.ports import StateStore
from tests.adapters.store.conftest import drop_schema, postgres_dsn  # noqa: F401 (the fixture)
from tests.bot.slack.harness import SECRET
from tests.bot.slack.test_serve import clean_env, free_port

CHANNEL = "CDIGEST"
JOB = "digest:every10"
WAIT = 45.0  # generous: three interpreters start on a loaded two-core machine
CONFIG = f"""\
access:
  default_role: viewer
digests:
  - name: every10
    channel: {CHANNEL}
    schedule: every 10s
    clusters: [payments-native]
    chart: false
"""


class Replicas:
    def __init__(self, fake: FakeSlackApi, url: str, tmp: Path) -> None:
        self.fake, self.url, self.tmp = fake, url, tmp
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        (tmp / "okebot.yaml").write_text(CONFIG)

    async def start(self, count: int) -> None:
        for index in range(count):
            token = f"xoxb-replica-{index}"
            env = clean_env(
                SLACK_BOT_TOKEN=token, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=self.fake.base_url,
                OKEBOT_STORE_URL=self.url, OKEBOT_CONFIG=str(self.tmp / "okebot.yaml"),
                OKEBOT_SCHEDULER_TICK_SECONDS="0.5", OKEBOT_JOB_LEASE_SECONDS="4", OKEBOT_SAMPLE_INTERVAL_SECONDS="0",
                OKEBOT_DIGEST_GRACE_SECONDS="120", OKEBOT_SLACK_RETRY_SECONDS="0.2",
            )
            log = (self.tmp / f"replica-{index}.log").open("wb")
            self.procs[token] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli.main", "serve", "--http", str(free_port()), "--host", "127.0.0.1",
                "--source", "demo", env=env, stdout=log, stderr=log)
            log.close()

    async def kill_holder(self, hold: Hold) -> str:
        """SIGKILL the replica whose call is held (known by its token), then let the call go."""
        call = await hold.wait(within=WAIT)
        token = call.headers.get("Authorization", "").removeprefix("Bearer ")
        process = self.procs[token]
        process.send_signal(signal.SIGKILL)
        await process.wait()
        hold.release()
        return token

    async def stop(self) -> None:
        for process in self.procs.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.procs.values():
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp.glob("replica-*.log")))


@pytest.fixture
async def schema_url(postgres_dsn: str) -> AsyncIterator[str]:  # noqa: F811 (the imported fixture)
    schema = f"okebot_replicas_{uuid.uuid4().hex[:12]}"
    separator = "&" if "?" in postgres_dsn else "?"
    yield f"{postgres_dsn}{separator}schema={schema}"
    await drop_schema(postgres_dsn, schema)


def posted_keys(fake: FakeSlackApi) -> Counter[str]:
    """How many accepted messages carry each digest occurrence key."""
    return Counter(
        str(m.metadata["event_payload"]["occurrence"])
        for m in fake.messages_in(CHANNEL)
        if m.metadata is not None and m.metadata.get("event_type") == EVENT_TYPE
    )


async def until(condition: object, what: str, replicas: Replicas, *, within: float = WAIT) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        if await condition():  # type: ignore[operator]
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{replicas.logs()}")
        await asyncio.sleep(0.2)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_three_replicas_post_each_occurrence_exactly_once_through_two_kills(
    schema_url: str, tmp_path: Path
):
    async with FakeSlackApi() as fake:
        replicas = Replicas(fake, schema_url, tmp_path)
        before_accept = fake.hold("chat.postMessage", after_accept=False)
        after_accept = fake.hold("chat.postMessage", after_accept=True)
        store: StateStore | None = None
        try:
            await replicas.start(3)
            first = await replicas.kill_holder(before_accept)
            second = await replicas.kill_holder(after_accept)
            assert first != second
            store = await open_store(schema_url)
            held = [json.loads(json.dumps(h.call.body["metadata"]))["event_payload"]["occurrence"]
                    for h in (before_accept, after_accept) if h.call is not None]

            async def settled() -> bool:
                runs = {r.key: r for r in await store.list_runs(JOB, limit=500)}
                done = all(k in runs and runs[k].state == "posted" for k in held)
                busy = any(r.state in ("claimed", "posting") for r in runs.values())
                return done and not busy and len(posted_keys(fake)) >= 3

            await until(settled, "the held occurrences to be posted by the surviving replica", replicas)
        finally:
            await replicas.stop()
        assert store is not None
        runs = await store.list_runs(JOB, limit=500)
        await store.close()
    counts = posted_keys(fake)
    assert counts, replicas.logs()
    assert max(counts.values()) == 1, f"posted twice: {counts}"
    states = {r.key: r.state for r in runs}
    assert set(held) <= set(counts)
    assert all(r.attempts >= 2 for r in runs if r.key in held), "a held occurrence was finished by another replica"
    assert {k for k, s in states.items() if s == "posted"} == set(counts)
    slots = sorted(r.scheduled_for for r in runs)
    expected = [slots[0] + timedelta(seconds=10 * i) for i in range(len(slots))]
    assert slots == expected, "an occurrence is neither posted nor recorded as missed"
    assert set(states.values()) <= {"posted", "missed"}, states
    missed = [r for r in runs if r.state == "missed"]
    later = [m for m in fake.messages_in(CHANNEL) if m.metadata is not None]
    for run in missed:
        assert any(run.scheduled_for.strftime("%H:%M:%S") in json.dumps(m.blocks) for m in later)
