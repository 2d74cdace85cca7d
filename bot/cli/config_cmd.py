"""`okebot config check`: check settings, okebot.yaml, Slack, OCI, Kubernetes and the store; print a ✓/✗ table
with the fix for each ✗ (or JSON).

Exit codes: 0 everything works, 1 a check failed, 2 a setting or okebot.yaml cannot be read at all.
--no-network checks only what needs no network (Slack, OCI, Kubernetes and a PostgreSQL store are skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from bot.checks import Check, CheckReport
from engine.words import plural

MARKS = {"pass": "✓", "fail": "✗", "warn": "!", "skip": "–"}
ASCII_MARKS = {"pass": "ok", "fail": "FAIL", "warn": "warn", "skip": "skip"}


def add_parser(subparsers: Any) -> None:
    """Register `okebot config check`."""
    parser = subparsers.add_parser("config", help="check okebot's configuration", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser("check", help="check settings, okebot.yaml, Slack, OCI, Kubernetes and the store",
                               description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--no-network", action="store_true",
                       help="check only what needs no network; skip Slack, OCI, Kubernetes and a remote store")
    check.add_argument("--format", type=str.lower, choices=("text", "json"), default="text",
                       help="text: a table with the fix for each failure; json: {checks: [...], ok, problems}")
    check.add_argument("--source", default="oci",
                       help="the --source okebot serve runs with (default oci); demo or snapshot:FILE skip OCI")


async def run(args: argparse.Namespace) -> int:
    """Run the checks, print them, return 0, 1 or 2."""
    from bot.checks.run import run_checks

    report = await run_checks(network=not args.no_network, source=args.source)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_table(report, unicode=can_show_marks(sys.stdout)))
    return report.exit_code


def can_show_marks(stream: TextIO) -> bool:
    """Whether ✓/✗ can be shown: not on TERM=dumb, nor where the stream's encoding lacks them."""
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        "".join(MARKS.values()).encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def render_table(report: CheckReport, *, unicode: bool = True) -> str:
    """One line per check (mark, area, name, detail), each further problem of a check on a line of its own below
    it, the fix indented under each ✗ and !, a verdict last."""
    marks = MARKS if unicode else ASCII_MARKS
    width_mark = max(len(mark) for mark in marks.values())
    width_area = max((len(check.area) for check in report.checks), default=0)
    width_name = min(max((len(check.name) for check in report.checks), default=0), 48)
    indent = f"{'':<{width_mark}}  {'':<{width_area}}  "
    lines: list[str] = []
    for check in report.checks:
        first, *more = check.detail.splitlines() or [""]
        lines.append(f"{marks[check.status]:<{width_mark}}  {check.area:<{width_area}}  "
                     f"{check.name:<{width_name}}  {first}".rstrip())
        lines += [f"{indent}{line}" for line in more]
        if check.fix and check.status in ("fail", "warn"):
            lines.append(f"{indent}fix: {check.fix}")
    lines.append(_verdict(report))
    return "\n".join(lines) + "\n"


def _verdict(report: CheckReport) -> str:
    counts = {status: sum(1 for check in report.checks if check.status == status) for status in MARKS}
    summary = (f"{counts['pass']} passed, {counts['fail']} failed, {plural(counts['warn'], 'warning')}, "
               f"{counts['skip']} skipped")
    if report.exit_code == 2:
        return f"okebot config check: BAD CONFIGURATION ({summary}): fix what cannot be read first"
    return f"okebot config check: {'OK' if report.ok else 'FAILED'} ({summary})"


__all__ = ["Check", "add_parser", "can_show_marks", "render_table", "run"]
