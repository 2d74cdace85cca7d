"""`okebot digest`: the capacity digest the bot posts, in a terminal (text), as JSON (the public contract) or as the
Block Kit Slack would receive; `--chart FILE.png` also draws its chart.

History: with `--source demo`, the bundled 30 days of demo history; otherwise the state store's
(OKEBOT_STORE_URL, filled by `okebot serve`'s sampler or `okebot history record`). Changes are shown since
`--since` ago (default 1 day), compared with the history at that time; finding changes are left unknown (null),
since only a posted digest remembers findings. A snapshot (the demo too) is digested as of its capture time: read
then, with the history up to then.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.compose import SOURCE_HELP
from bot.render.terminal import use_color
from engine.errors import ClusterNotFoundError, InputError

DEFAULT_STORE = "sqlite:///okebot.db"


def _days(text: str) -> float:
    """argparse type: a number of days, more than 0 and at most 400 (the history kept by default)."""
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (e.g. 1 or 0.5)") from None
    if not 0 < days <= 400:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} days is not from more than 0 to 400")
    return days


def add_parser(subparsers: Any) -> None:
    """Register `okebot digest`."""
    parser = subparsers.add_parser("digest", help="the capacity digest: fill, change, forecast, chart",
                                   description=__doc__)
    parser.add_argument("--cluster", action="append", default=[], metavar="NAME_OR_OCID",
                        help="only this cluster (repeatable; default: every cluster)")
    parser.add_argument("--format", type=str.lower, choices=("text", "json", "blocks"), default="text",
                        help="text (80 columns), json (the public contract) or blocks (Slack's Block Kit)")
    parser.add_argument("--chart", metavar="FILE.png", help="also write the chart as a PNG")
    parser.add_argument("--force", action="store_true", help="overwrite the chart file if it exists")
    parser.add_argument("--since", type=_days, default=1.0, metavar="DAYS",
                        help="show changes since this many days ago (default 1)")
    parser.add_argument("--source", default="demo", help=SOURCE_HELP + " (default: demo)")
    parser.add_argument("--fresh", action="store_true", help="bypass the live source's cache")


async def run(args: argparse.Namespace) -> int:
    """Print the digest (and write the chart); 0 when done."""
    from bot.compose import build_reader
    from bot.jobs.digests import chart_png, make_digest, render_message, snapshot_from_history
    from bot.jobs.read import read_capacity
    from bot.jobs.settings import load_job_settings
    from bot.jobs.work import offload
    from bot.render.digest_text import digest_text
    from engine.digest.alerts import Thresholds

    if not 0 < args.since <= 366:
        raise InputError(f"expected a number of days from more than 0 to 366, got {args.since:g}", where="--since")
    chart = _chart_path(args.chart, force=args.force) if args.chart is not None else None
    window = load_job_settings().okebot_forecast_window_days
    reader = build_reader(args.source)
    read = await read_capacity(reader, at=datetime.now(UTC), clusters=args.cluster, fresh=args.fresh)
    found = {name.casefold() for c in read.clusters for name in (c.name, c.id)}
    missing = [ref for ref in args.cluster if ref.casefold() not in found]
    if missing:
        every = await read_capacity(reader, at=read.read_at)  # the reader keeps what it read: no second OCI read
        raise ClusterNotFoundError(missing[0], [c.name for c in every.clusters], where=reader.description)
    # A snapshot's digest is that of its capture (the demo's too: its history ends there), whenever it is asked
    # for; a live one is of now.
    now = read.read_at
    if args.source == "demo":
        from adapters.demo.history import load_demo_history

        history = load_demo_history()
    else:
        history = await _stored_history(since=now - timedelta(days=max(window, args.since) + 1))
    history = [s for s in history if s.at <= now]
    previous = snapshot_from_history([s for s in history if s.at < now], now - timedelta(days=args.since))
    report = await make_digest(read, history=history, previous=previous, now=now, thresholds=Thresholds(),
                               forecast_days=30.0, window_days=window, with_findings=False)
    if chart is not None:
        _write_chart(chart, await offload(None, chart_png, report, history))
    if args.format == "json":
        sys.stdout.write(json.dumps(report.model_dump(mode="json", by_alias=True), indent=2) + "\n")
    elif args.format == "blocks":
        message = render_message(report)
        sys.stdout.write(json.dumps({"text": message.text, "blocks": message.blocks}, indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        # 80 columns whatever the terminal (a digest is also a log line); colour as every answer: NO_COLOR, TERM.
        sys.stdout.write(digest_text(report, color=use_color(sys.stdout)))
    if chart is not None:
        sys.stderr.write(f"okebot: chart written to {chart}\n")
    return 0


async def _stored_history(*, since: datetime) -> list[Any]:
    from adapters.store import open_store

    store = await open_store(os.environ.get("OKEBOT_STORE_URL", DEFAULT_STORE))
    try:
        return list(await store.read_samples(since=since))
    finally:
        await store.close()


def _chart_path(value: str, *, force: bool) -> Path:
    if not value.strip():
        raise InputError("the chart needs a file name, such as digest.png; got an empty one", where="--chart")
    path = Path(value)
    if path.suffix.lower() != ".png":
        raise InputError(f"the chart is a PNG; give a file ending in .png, not {value!r}", where="--chart")
    if path.exists() and not force:
        raise InputError(f"{path} exists; pass --force to overwrite it", where="--chart")
    if not path.parent.is_dir():
        raise InputError(f"no such directory: {path.parent}", where="--chart")
    return path


def _write_chart(path: Path, png: bytes) -> None:
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}", where="--chart") from None
