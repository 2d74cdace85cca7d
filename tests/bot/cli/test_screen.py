"""Terminal answers fit the screen: the terminal's width (or COLUMNS), 120 columns only when piped, nothing
over 80 columns at 80 for any demo answer, names kept whole; colour only on a terminal, never with NO_COLOR or
TERM=dumb; figures and plurals said alike everywhere."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from bot.cli.main import main

PLAN = str(Path(__file__).parents[3] / "examples" / "plans" / "vcn-native.yaml")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

DEMO_ANSWERS = [
    ["clusters"],
    ["capacity"],
    ["capacity", "--cluster", "analytics"],
    ["capacity", "--cluster", "retail-flannel", "--pool", "retail-web"],
    ["cni"],
    ["cni", "--cluster", "payments-native"],
    ["diagnose", "payments-native"],
    ["diagnose", "analytics"],
    ["diagnose", "retail-flannel"],
    ["diagnose", "platform-healthy"],
    ["whatif", "payments-native", "--pool", "payments-core", "--size", "12"],
    ["whatif", "payments-native", "--pool", "payments-core", "--size", "12", "--full"],
    ["whatif", "retail-flannel", "--pool", "retail-web", "--size", "11"],
    ["whatif", "payments-native", "--pool", "payments-core", "--shape", "VM.Bogus.Shape"],
    ["whatif", "platform-healthy", "--add-pool", "extra", "--size", "3"],
    ["validate", PLAN],
    ["explain", "POD_SUBNET_TOO_SMALL"],
    ["rules"],
]


@pytest.mark.parametrize("argv", DEMO_ANSWERS, ids=" ".join)
@pytest.mark.parametrize("columns", [80, 60])
def test_no_demo_answer_is_wider_than_the_columns_asked_for(argv, columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(columns))
    main(argv)
    out = capsys.readouterr().out
    wide = [line for line in out.splitlines() if len(line) > columns]
    assert wide == [], f"{len(wide)} lines over {columns} columns, first: {wide[:1]}"
    assert "(s)" not in out


def test_piped_output_without_columns_is_a_fixed_120_columns(monkeypatch, capsys):
    monkeypatch.delenv("COLUMNS", raising=False)
    main(["clusters"])
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) > 80  # the wide table layout, not the list
    assert all(len(line) <= 120 for line in out.splitlines())


def test_names_stay_whole_in_a_narrow_list(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    main(["capacity", "--cluster", "payments-native"])
    out = capsys.readouterr().out
    for name in ("payments-native-workers", "payments-native-pods", "payments-core", "payments-edge"):
        assert name in out


@pytest.mark.parametrize("columns", [200, 120, 100, 80, 60])
@pytest.mark.parametrize("argv", [["capacity"], ["diagnose", "platform-healthy"], ["cni"]], ids=" ".join)
def test_no_name_is_broken_at_any_width(argv, columns, monkeypatch, capsys):
    import json

    monkeypatch.setenv("COLUMNS", "200")
    main(["capacity", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    names = {c["name"] for c in data["clusters"]}
    names |= {p["name"] for c in data["clusters"] for p in c["nodePools"]}
    names |= {s["name"] for c in data["clusters"] for s in c["subnets"]}
    monkeypatch.setenv("COLUMNS", str(columns))
    main(argv)
    out = capsys.readouterr().out
    words = {word.strip("(),;:·") for word in re.split(r"[\s│┃]+", out)}
    # A word that is the start of a name, but no name itself, is a name broken across lines.
    broken = {word for word in words if len(word) >= 4 and word not in names
              and any(name.startswith(word) and name != word for name in names)}
    assert broken == set(), f"names broken at {columns} columns: {sorted(broken)}"


def test_figures_are_said_alike_on_both_surfaces(monkeypatch, capsys):
    import asyncio

    from adapters.snapshot.demo import load_demo_reader
    from bot.slack.render.blocks import render_blocks
    from engine.usecases.capacity import assess_capacity

    monkeypatch.setenv("COLUMNS", "200")
    main(["capacity", "--cluster", "retail-flannel"])
    terminal = capsys.readouterr().out
    slack = str(render_blocks(assess_capacity(asyncio.run(load_demo_reader().read()), cluster="retail-flannel")))
    for figure in ("1,760 pods", "1,540 pods max", "14 of 16 node slots", "+2 (pods CIDR; IPs in use not read)"):
        assert figure in terminal, figure
        assert figure in slack, figure


def run_in_a_terminal(argv: list[str], *, columns: int, env: dict[str, str]) -> str:
    """Run okebot on a real pseudo-terminal `columns` wide (as `script` would) and return what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "TERM")}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli.main", *argv], stdout=follower, stderr=follower,
                               stdin=subprocess.DEVNULL, env={**clean, "TERM": "xterm", **env})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


def test_on_an_80_column_terminal_the_answer_fits_and_is_coloured():
    out = run_in_a_terminal(["diagnose", "payments-native"], columns=80, env={})
    assert ANSI.search(out)
    plain = ANSI.sub("", out)
    assert max(len(line) for line in plain.splitlines()) <= 80


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_and_a_dumb_terminal_get_no_colour(env):
    out = run_in_a_terminal(["clusters"], columns=100, env=env)
    assert "analytics" in out
    assert not ANSI.search(out)
