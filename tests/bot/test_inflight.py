"""Work in flight: a drain waits for it, and tells whoever it could not wait for to ask again."""

from __future__ import annotations

import asyncio

from bot.inflight import InFlight


async def test_a_drain_waits_for_work_that_finishes_within_the_grace_period():
    inflight = InFlight()
    release = asyncio.Event()
    told: list[str] = []

    async def job() -> str:
        await release.wait()
        return "done"

    async def tell() -> None:
        told.append("job")

    task = inflight.track(job(), name="job", on_abandon=tell)
    assert len(inflight) == 1
    drain = asyncio.ensure_future(inflight.drain(grace=60))
    await asyncio.sleep(0)
    assert inflight.draining
    assert not drain.done()
    release.set()
    report = await drain
    assert (report.finished, report.abandoned) == (1, 0)
    assert await task == "done"
    assert told == []
    assert len(inflight) == 0


async def test_past_the_grace_period_work_is_cancelled_and_its_asker_told_once():
    inflight = InFlight()
    told: list[str] = []
    cleaned: list[str] = []

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("stuck")

    async def tell() -> None:
        told.append("stuck")

    task = inflight.track(stuck(), name="stuck", on_abandon=tell)
    report = await inflight.drain(grace=0.05)
    assert (report.finished, report.abandoned) == (0, 1)
    assert task.cancelled()
    assert cleaned == ["stuck"]
    assert told == ["stuck"]


async def test_held_work_can_say_how_to_reach_its_asker_once_it_knows():
    inflight = InFlight()
    told: list[str] = []
    inside = asyncio.Event()

    async def first_guess() -> None:
        told.append("response_url")

    async def better() -> None:
        told.append("the asker's own channel")

    async def listener() -> None:
        with inflight.hold(name="/oke", on_abandon=first_guess):
            inflight.set_abandon(better)
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.ensure_future(listener())
    await inside.wait()
    await inflight.drain(grace=0)
    assert told == ["the asker's own channel"]
    assert task.cancelled()


async def test_an_asker_who_cannot_be_told_does_not_stop_the_drain():
    inflight = InFlight()

    async def stuck() -> None:
        await asyncio.Event().wait()

    async def fails() -> None:
        raise RuntimeError("Slack is down too")

    inflight.track(stuck(), name="a", on_abandon=fails)
    inflight.track(stuck(), name="b")
    report = await inflight.drain(grace=0)
    assert report.abandoned == 2


async def test_wait_acked_waits_for_held_requests_to_be_acknowledged():
    inflight = InFlight()
    acked = asyncio.Event()
    entered = asyncio.Event()

    async def listener() -> None:
        with inflight.hold(name="/oke", acked=False) as entry:
            entered.set()
            await acked.wait()
            inflight.mark_acked(entry)
            await asyncio.Event().wait()

    task = asyncio.ensure_future(listener())
    await entered.wait()
    assert await inflight.wait_acked(within=0) is False
    waiting = asyncio.ensure_future(inflight.wait_acked(within=60))
    await asyncio.sleep(0)
    assert not waiting.done()
    acked.set()
    assert await waiting is True
    task.cancel()


async def test_stop_taking_work_marks_the_registry_draining_before_any_wait():
    inflight = InFlight()
    assert not inflight.draining
    inflight.stop_taking_work()
    assert inflight.draining
    report = await inflight.drain(grace=10)
    assert (report.finished, report.abandoned) == (0, 0)
