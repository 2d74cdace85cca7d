"""When okebot is killed outright (SIGKILL, the OOM killer), its worker processes and their fork server go
with it instead of running on forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")

ROOT = Path(__file__).resolve().parents[2]

# A stand-in for `okebot serve`: a process pool of two workers, their pids and the fork server's printed.
BOT = """
import asyncio, os, sys
from bot.work import WorkService

async def main():
    work = WorkService(kind="process", concurrency=2)
    await work.start()
    pids = {await work.run(os.getpid), await work.run(os.getpid)}
    servers = {await work.run(os.getppid)}
    print(" ".join(str(p) for p in sorted(pids | servers)), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its parent has not read its status yet


def test_a_killed_bot_leaves_no_worker_or_fork_server_running():
    bot = subprocess.Popen([sys.executable, "-c", BOT], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert bot.stdout is not None
        line = bot.stdout.readline()
        pids = [int(p) for p in line.split()]
        assert len(pids) >= 2, line
        assert all(alive(pid) for pid in pids)
    finally:
        bot.send_signal(signal.SIGKILL)
        bot.wait()
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pids if alive(pid)] == []
