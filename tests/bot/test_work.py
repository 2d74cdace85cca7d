"""The work service: at most `concurrency` calls at once, the rest queued in order and told how many are
ahead; results and errors come back as they were; tenancies travel to a worker process once, not per call."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures.process import BrokenProcessPool

import pytest

from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.demo import demo_document
from adapters.snapshot.reader import load_snapshot
from bot.work import WorkClosedError, WorkService, notify_when_queued
from engine.errors import ClusterNotFoundError, InputError
from engine.model import Tenancy

# --- functions the workers run (module level, so a worker process can import them) ------------------------


def add(a: int, b: int = 0) -> int:
    return a + b


def cluster_names(tenancy: Tenancy) -> list[str]:
    return sorted(c.name for c in tenancy.clusters)


def find(tenancy: Tenancy, name: str) -> str:
    return tenancy.require_cluster(name).id


def refuse(where: str) -> None:
    raise InputError("that will not do", where=where, remedy="ask nicely")


def die() -> None:
    os._exit(3)


def worker_pid() -> int:
    return os.getpid()


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture
def demo() -> Tenancy:
    return tenancy_from_document(demo_document(), source="demo")


@pytest.fixture
async def threads() -> AsyncIterator[WorkService]:
    work = WorkService(kind="thread", concurrency=1)
    yield work
    await work.close()


@pytest.fixture
async def processes() -> AsyncIterator[WorkService]:
    work = WorkService(kind="process", concurrency=1)
    await work.start()
    yield work
    await work.close()


class Gate:
    """A call that blocks its worker thread until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self, value: int) -> int:
        self.entered.set()
        self.opened.wait(timeout=30)
        return value


async def until_queued(work: WorkService, count: int) -> None:
    """Yield to the loop until `count` calls wait for a slot."""
    for _ in range(10_000):
        if work.queued >= count:
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"{work.queued} calls queued, wanted {count}")


# --- the queue ------------------------------------------------------------------------------------------------


async def test_a_call_that_finds_a_free_slot_runs_at_once_and_tells_nobody(threads: WorkService):
    told: list[int] = []

    async def notice(ahead: int) -> None:
        told.append(ahead)

    with notify_when_queued(notice):
        assert await threads.run(add, 2, b=3) == 5
    assert told == []
    assert threads.stats().waited == 0


async def test_calls_beyond_the_bound_queue_in_order_and_each_is_told_how_many_are_ahead(threads: WorkService):
    gate = Gate()
    first = asyncio.ensure_future(threads.run(gate, 1))
    await asyncio.to_thread(gate.entered.wait, 30)
    told: dict[str, list[int]] = {"second": [], "third": []}

    async def ask(name: str, value: int) -> int:
        async def notice(ahead: int) -> None:
            told[name].append(ahead)

        with notify_when_queued(notice):
            return await threads.run(add, value)

    second = asyncio.ensure_future(ask("second", 2))
    await asyncio.sleep(0)
    third = asyncio.ensure_future(ask("third", 3))
    await until_queued(threads, 2)
    assert threads.running == 1
    gate.opened.set()
    assert list(await asyncio.gather(first, second, third)) == [1, 2, 3]
    assert told == {"second": [1], "third": [2]}
    stats = threads.stats()
    assert (stats.completed, stats.waited, stats.max_queued, stats.running, stats.queued) == (3, 2, 2, 0, 0)


async def test_a_task_is_told_once_however_many_of_its_calls_wait(threads: WorkService):
    gate = Gate()
    first = asyncio.ensure_future(threads.run(gate, 1))
    await asyncio.to_thread(gate.entered.wait, 30)
    told: list[int] = []

    async def notice(ahead: int) -> None:
        told.append(ahead)

    async def two_calls() -> int:
        with notify_when_queued(notice):
            return await threads.run(add, 1) + await threads.run(add, 2)

    both = asyncio.ensure_future(two_calls())
    await until_queued(threads, 1)
    gate.opened.set()
    assert await both == 3
    await first
    assert told == [1]


async def test_a_queued_call_given_up_leaves_the_queue_and_the_next_one_still_runs(threads: WorkService):
    gate = Gate()
    first = asyncio.ensure_future(threads.run(gate, 1))
    await asyncio.to_thread(gate.entered.wait, 30)
    given_up = asyncio.ensure_future(threads.run(add, 2))
    await until_queued(threads, 1)
    given_up.cancel()
    with pytest.raises(asyncio.CancelledError):
        await given_up
    assert threads.queued == 0
    gate.opened.set()
    assert await first == 1
    assert await threads.run(add, 5) == 5
    assert threads.running == 0


async def test_errors_come_back_as_raised(threads: WorkService):
    with pytest.raises(InputError, match="that will not do"):
        await threads.run(refuse, "here")


async def test_a_closed_service_takes_no_work_and_cancels_what_waits(threads: WorkService):
    gate = Gate()
    first = asyncio.ensure_future(threads.run(gate, 1))
    await asyncio.to_thread(gate.entered.wait, 30)
    waiting = asyncio.ensure_future(threads.run(add, 2))
    await until_queued(threads, 1)
    gate.opened.set()
    await threads.close()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    with pytest.raises(WorkClosedError):
        await threads.run(add, 3)
    await asyncio.gather(first, return_exceptions=True)


def test_concurrency_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        WorkService(concurrency=0)


# --- worker processes -----------------------------------------------------------------------------------------


async def test_an_error_raised_in_a_worker_process_keeps_its_class_message_and_attributes(
    processes: WorkService, demo: Tenancy
):
    with pytest.raises(ClusterNotFoundError) as caught:
        await processes.run(find, demo, "no-such-cluster")
    assert "no-such-cluster" in caught.value.message
    assert "payments-native" in caught.value.message  # the clusters there are
    assert any("okebot worker process" in note for note in caught.value.__notes__)
    with pytest.raises(InputError) as refused:
        await processes.run(refuse, "field x")
    assert (refused.value.where, refused.value.remedy) == ("field x", "ask nicely")


async def test_a_tenancy_travels_to_a_worker_once_not_per_call(processes: WorkService, demo: Tenancy):
    names = sorted(c.name for c in demo.clusters)
    for _ in range(3):
        assert await processes.run(cluster_names, demo) == names
    assert processes.stats().tenancies_shipped == 1
    changed = demo.model_copy(update={"clusters": demo.clusters[:1]})
    assert await processes.run(cluster_names, changed) == [demo.clusters[0].name]
    assert processes.stats().tenancies_shipped == 2  # another object is another tenancy


async def test_a_tenancy_a_worker_made_is_not_sent_back_to_it(processes: WorkService, tmp_path):
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(demo_document()))
    tenancy, listing = await processes.run(load_snapshot, path, label="demo.json", max_bytes=10_000_000)
    assert isinstance(tenancy, Tenancy)
    assert listing.listed
    assert await processes.run(cluster_names, tenancy) == sorted(c.name for c in tenancy.clusters)
    assert processes.stats().tenancies_shipped == 0


async def test_a_worker_that_dies_fails_its_call_and_the_next_call_gets_a_new_worker(processes: WorkService):
    before = await processes.run(worker_pid)
    with pytest.raises(BrokenProcessPool):
        await processes.run(die)
    after = await processes.run(worker_pid)
    assert after != before
    assert processes.running == 0
