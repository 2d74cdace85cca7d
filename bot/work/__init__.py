"""Heavy work off the event loop: a bounded pool of worker processes (or threads) with a visible queue.

The bot's event loop must answer Slack's acks, /healthz and /readyz at once, whatever else is going on.
Everything CPU-bound — converting a snapshot or a recording into the model, the engine's answer, Block Kit
and text rendering — goes through one `WorkService`, built by the composition root and found in
`deps.work`:

    report = await deps.work.run(assess_capacity, tenancy, cluster="prod")

`run(fn, *args, **kwargs)` calls `fn(*args, **kwargs)` in a worker and returns (or raises) what it returns
(or raises); `fn` is synchronous and pure (no event loop, no Deps, no I/O it could not do in another
process). Background jobs (the digest runner) use the same service, so the bound holds for everything.
At most `concurrency` calls run at once (OKEBOT_ANSWER_CONCURRENCY); the others wait in arrival order. A
caller that must wait is told how many calls are ahead of it (running or queued) through the notice it set
with `notify_when_queued` (once, for everything its task runs): that is how a question answers "⏳ Working on
it — N questions ahead of yours" only when it has to wait.

Two kinds of pool (measured in bench/bench_serve_load.py; see the README's Serving section):

- "process" (what `okebot serve` uses): worker processes, so heavy work never holds the loop's GIL. `fn` must
  be a module-level function and its arguments and result picklable. A `Tenancy` passed as an argument (or
  returned, alone or in a tuple) is shipped once per worker and tenancy object, not pickled per call: the
  workers keep the last few they saw, keyed by a token (`Parcel`), so the second question on a cached read
  costs only its own answer. Exceptions come back as the same class with the same message and attributes,
  with the worker's traceback as a note.
- "thread": a thread pool in this process (tests, `okebot run`): simpler, but GIL-bound, so heavy Python
  work still slows the loop.

Counters for metrics: `stats()` (running, queued, submitted, completed, failed, waited, wait seconds,
tenancies shipped to workers).
Errors: whatever `fn` raises; `WorkClosedError` once the service is closed; a worker process that died
(killed for memory, say) fails the calls it held with `BrokenProcessPool`, and the next call starts a new pool.

The package, one concept a module:

    service.py   WorkService: taking a call, running it in the pool, the counters
    queue.py     the slots: at most `concurrency` calls at once, the rest in line, told how many are ahead
    parcels.py   what crosses the process boundary, and the main process's record of tenancies it shipped
    worker.py    the worker process's side: its start, each call, the tenancies it keeps
    pool.py      the pool's life: starting one (threads, or processes from a fork server) and stopping it
"""

from __future__ import annotations

from bot.work.parcels import PARCELS_KEPT
from bot.work.pool import PoolKind
from bot.work.queue import WaitNotice, notify_when_queued
from bot.work.service import DEFAULT_CONCURRENCY, WorkClosedError, WorkService, WorkStats
from bot.work.worker import WORKER_NICENESS

__all__ = [
    "DEFAULT_CONCURRENCY",
    "PARCELS_KEPT",
    "WORKER_NICENESS",
    "PoolKind",
    "WaitNotice",
    "WorkClosedError",
    "WorkService",
    "WorkStats",
    "notify_when_queued",
]
