"""Ack latency of okebot's Slack app in HTTP mode against a bare Bolt app that only acks, in the same run.

    .venv/bin/python bench/bench_ack.py [--concurrency 50] [--rounds 5]

Both apps get the same signed slash commands over real HTTP (aiohttp on 127.0.0.1). For okebot the
listener keeps running after its ack (the answer itself is computed in the work service's processes), so
the ratio shows what that post-ack work costs the acks of concurrent requests; bench_serve_load measures
acks while heavy answers compute. Also reports command-to-answer time (response_url reached) on the
demo tenancy. A benchmark, not a timed test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.fakes.slack_api import FakeSlackApi
from bot.compose import build_deps
from bot.slack.app import create_app
from bot.slack.settings import SlackSettings
from bot.slack.transport import EVENTS_PATH, http_web_app, start_site

SECRET = "bench-signing-secret"
COMMAND = "capacity analytics"


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body) or "",
    }


def body_for(index: int, response_url: str) -> str:
    return urlencode(
        {
            "team_id": "TBENCH",
            "channel_id": "CBENCH",
            "user_id": f"U{index}",
            "command": "/oke",
            "text": COMMAND,
            "response_url": response_url,
            "trigger_id": f"t{index}",
        }
    )


def bare_app(api_url: str) -> AsyncApp:
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-bench", base_url=api_url),
        signing_secret=SECRET,
        logger=logging.getLogger("bench.bare"),
    )

    async def only_ack(ack: Any) -> None:
        await ack()

    app.command("/oke")(only_ack)
    return app


async def burst(session: aiohttp.ClientSession, url: str, *, count: int, response_url: str) -> list[float]:
    """Fire `count` signed commands at once; return each one's time to the HTTP response (the ack)."""

    async def one(index: int) -> float:
        body = body_for(index, response_url)
        started = time.perf_counter()
        async with session.post(url, data=body.encode(), headers=signed(body)) as response:
            await response.read()
            assert response.status == 200, response.status
        return time.perf_counter() - started

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def answer_time(session: aiohttp.ClientSession, url: str, fake: FakeSlackApi) -> float:
    """Seconds from posting one command to its answer reaching response_url."""
    before = len(fake.calls_to("webhook"))
    body = body_for(0, fake.response_url)
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=signed(body)) as response:
        await response.read()
    while len(fake.calls_to("webhook")) == before:  # noqa: ASYNC110  # the fake has no event to wait on
        await asyncio.sleep(0.001)
    return fake.calls_to("webhook")[before].at - started


async def main(concurrency: int, rounds: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    fake = await FakeSlackApi().start()
    api, hook = fake.base_url, fake.response_url
    settings = SlackSettings(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=api)
    deps = await build_deps(settings, source="demo", store_url="sqlite:///:memory:")
    await deps.work.start()
    okebot = await start_site(http_web_app(create_app(settings, deps), signing_secret=SECRET), host="127.0.0.1", port=0)
    bare = await start_site(bare_app(api).web_app(path=EVENTS_PATH), host="127.0.0.1", port=0)
    urls = {
        name: f"http://127.0.0.1:{runner.addresses[0][1]}{EVENTS_PATH}"
        for name, runner in (("okebot", okebot), ("bare", bare))
    }
    samples: dict[str, list[float]] = {"okebot": [], "bare": []}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        for url in urls.values():  # warm up: auth.test, imports, caches
            await burst(session, url, count=2, response_url=hook)
        await asyncio.sleep(0.5)
        for _ in range(rounds):
            for name, url in urls.items():
                samples[name] += await burst(session, url, count=concurrency, response_url=hook)
                await asyncio.sleep(0.5)  # let okebot's post-ack answers drain between bursts
        answers = [await answer_time(session, urls["okebot"], fake) for _ in range(10)]
    for name, values in samples.items():
        print(f"{name:7s} ack p50 {pct(values, 0.5):7.1f} ms   p99 {pct(values, 0.99):7.1f} ms   (n={len(values)})")
    print(
        f"ratio   p50 {pct(samples['okebot'], 0.5) / pct(samples['bare'], 0.5):.2f}   "
        f"p99 {pct(samples['okebot'], 0.99) / pct(samples['bare'], 0.99):.2f}   (aim <= 1.3)"
    )
    print(
        f"command-to-answer on the demo ({COMMAND!r}): median {statistics.median(answers) * 1000:.1f} ms, "
        f"max {max(answers) * 1000:.1f} ms"
    )
    await okebot.cleanup()
    await bare.cleanup()
    await deps.work.close()
    await deps.store.close()
    await fake.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(main(options.concurrency, options.rounds))
