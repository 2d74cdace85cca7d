"""Plan-reading helpers shared by the adapter tests."""

from __future__ import annotations

from pathlib import Path

from adapters.planfile import load_plan_text, read_plan_path
from engine.plan import Plan


def load_plan_file(path: str | Path) -> Plan:
    """A plan file read and loaded the way `okebot validate FILE` reads it."""
    text, source = read_plan_path(path, stdin=None)
    return load_plan_text(text, source=source)
