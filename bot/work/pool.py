"""The work service's pool, from start to stop: a thread pool, or worker processes forked by a fork server.

A process pool's workers come from a fresh fork-server process that has imported `bot.work` and the preloaded
modules, so nothing of the bot's own threads is inherited and the first call does not pay for the imports.
Stopping does not wait for calls in flight: the workers are killed (they ignore SIGTERM, see worker.py).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.process import BaseProcess
from typing import Literal

from bot.work.worker import init_worker

PoolKind = Literal["process", "thread"]


def new_pool(kind: PoolKind, *, workers: int, preload: Sequence[str]) -> Executor:
    """A pool of `workers` threads ("thread") or worker processes ("process") that import `preload` first."""
    if kind == "thread":
        return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="okebot-work")
    _quiet_resource_tracker()
    context = multiprocessing.get_context("forkserver")
    # A fresh server process forks the workers: nothing of this process's threads is inherited.
    context.set_forkserver_preload(["bot.work", *preload])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker,
                               initargs=(tuple(preload),))


# multiprocessing's resource tracker (a process started with the first pool, taking its -W options from
# sys.warnoptions) warns at exit about the semaphores of a pool that was killed instead of shut down, which is
# what a second SIGTERM does on purpose. It removes them either way; the warning would only be a bare line in
# JSON logs.
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def _quiet_resource_tracker() -> None:
    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)


def kill_workers(pool: Executor | None) -> None:
    """Kill a process pool's workers now, without waiting; nothing for a thread pool or no pool."""
    for process in _processes(pool):
        with contextlib.suppress(Exception):
            process.kill()


def stop_pool(pool: Executor) -> None:
    """Cancel queued calls and stop the workers at once (a worker ignores SIGTERM: it is killed). Blocks up
    to 5 seconds a worker while they exit: call it in a thread."""
    processes = _processes(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


def _processes(pool: Executor | None) -> list[BaseProcess]:
    return list((getattr(pool, "_processes", None) or {}).values())  # ProcessPoolExecutor's own record
