"""The worker process's side of the work service: how a worker starts, runs one call, and keeps tenancies.

Everything here runs in a worker process (a process pool's initializer and its calls), never in the bot's
own process; the pool pickles these functions by name, so they stay at module level.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from bot.work.parcels import PARCELS_KEPT, PICKLE, Missing, Parcel, Raised
from engine.model import Tenancy

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Workers run at a lower priority than the event loop: when both want a CPU, the loop's acks go first.
WORKER_NICENESS = 10

_kept: OrderedDict[str, Tenancy] = OrderedDict()


def init_worker(preload: Sequence[str]) -> None:
    """Each worker: leave signals to the parent (it stops the workers), yield the CPU to the event loop
    (WORKER_NICENESS), die with the fork server (which exits when okebot does, however it ends, once the
    workers let go of its pipe), import what calls will need."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)
    _leave_the_fork_server_to_okebot()
    _die_with_parent()
    for module in preload:
        __import__(module)


def _leave_the_fork_server_to_okebot() -> None:
    """Close this worker's copy of the fork server's "alive" pipe.

    The fork server exits when every holder of that pipe's write end has gone, and multiprocessing hands a
    copy to each process it forks (so that a worker could fork in turn; ours never do). With the copies kept,
    a SIGKILLed okebot left its fork server and workers running forever (each keeping the other alive); with
    them closed, the server sees okebot go, exits, and PR_SET_PDEATHSIG takes the workers with it.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if server is None or fd is None:
        return
    with contextlib.suppress(OSError):
        os.close(fd)
    server._forkserver_alive_fd = None


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent exits (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def warm(seconds: float) -> int:
    """Hold the worker `seconds`, then return its process id (used to start every worker at once)."""
    time.sleep(seconds)  # held a moment, so that the calls made together land on different workers
    return os.getpid()


def call_in_worker(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`fn(*args, **kwargs)` with parcels opened into tenancies; its result with tenancies packed as parcels,
    a Raised for what it raised, or Missing when a parcel's token is unknown here and came without bytes."""
    try:
        real_args = tuple([_open(a) for a in args])
        real_kwargs = {k: _open(v) for k, v in kwargs.items()}
    except _Unknown as unknown:
        return Missing(unknown.token)
    try:
        result = fn(*real_args, **real_kwargs)
    except Exception as error:
        return _raised(error)
    return _pack(result)


class _Unknown(Exception):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _open(value: Any) -> Any:
    if not isinstance(value, Parcel):
        return value
    tenancy = _kept.get(value.token)
    if tenancy is None:
        if value.payload is None:
            raise _Unknown(value.token)
        tenancy = pickle.loads(value.payload)
    _remember(value.token, tenancy)
    return tenancy


def _remember(token: str, tenancy: Tenancy) -> None:
    _kept[token] = tenancy
    _kept.move_to_end(token)
    while len(_kept) > PARCELS_KEPT:
        _kept.popitem(last=False)


def _pack(result: Any) -> Any:
    def parcel(value: Any) -> Any:
        if not isinstance(value, Tenancy):
            return value
        token = uuid.uuid4().hex
        _remember(token, value)
        return Parcel(token, pickle.dumps(value, PICKLE))

    if isinstance(result, tuple):
        return tuple([parcel(item) for item in result])
    return parcel(result)


def _raised(error: Exception) -> Raised:
    trace = "".join(traceback.format_exception(error))
    state = {k: v for k, v in vars(error).items() if _picklable(v)}
    args = error.args if _picklable(error.args) else tuple(str(a) for a in error.args)
    return Raised(kind=type(error), args=args, state=state, trace=trace)


def _picklable(value: Any) -> bool:
    try:
        pickle.dumps(value, PICKLE)
    except Exception:
        return False
    return True
