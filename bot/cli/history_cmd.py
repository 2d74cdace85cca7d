"""`okebot history`: capacity history in the state store (OKEBOT_STORE_URL).

    okebot history record --source oci           take one sample of every cluster (for cron, without the bot);
                                                 a snapshot's samples are those of its capture time, stored once
    okebot history show [--cluster NAME] [--format text|json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from bot.compose import SOURCE_HELP
from engine.digest.forecast import utilization
from engine.digest.history import Sample
from engine.errors import ClusterNotFoundError
from engine.words import plural

DEFAULT_STORE = "sqlite:///okebot.db"


def add_parser(subparsers: Any) -> None:
    """Register `okebot history record|show`."""
    parser = subparsers.add_parser("history", help="capacity history: record a sample, show what is stored",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="history_command", metavar="HISTORY_COMMAND", parser_class=parser.__class__)
    sub.required = True
    record = sub.add_parser("record", help="take one sample of every cluster into the store")
    record.add_argument("--source", default="oci", help=SOURCE_HELP + " (default: oci)")
    record.add_argument("--fresh", action="store_true", help="bypass the live source's cache")
    show = sub.add_parser("show", help="print the stored history")
    show.add_argument("--cluster", action="append", default=[], metavar="NAME_OR_OCID",
                      help="only this cluster (repeatable)")
    show.add_argument("--format", type=str.lower, choices=("text", "json"), default="text", help="output format")


async def run(args: argparse.Namespace) -> int:
    """Record or show; 0 when done."""
    from adapters.store import open_store
    from adapters.store.dsn import redact_dsn

    url = os.environ.get("OKEBOT_STORE_URL", DEFAULT_STORE)
    store = await open_store(url)
    try:
        if args.history_command == "record":
            from bot.compose import build_reader
            from bot.jobs.read import read_capacity

            read = await read_capacity(build_reader(args.source), at=datetime.now(UTC), fresh=args.fresh)
            await store.record_samples(read.samples)
            at = read.read_at.isoformat().replace("+00:00", "Z")
            print(f"recorded {len(read.samples)} samples of {len(read.clusters)} clusters at {at}"
                  f"{' (the snapshot capture time)' if read.captured else ''} into {redact_dsn(url)}")
            return 0
        samples = await store.read_samples()
    finally:
        await store.close()
    wanted = {c.casefold() for c in args.cluster}
    if wanted:
        _require_known(args.cluster, samples, where=redact_dsn(url))
        samples = [s for s in samples if s.cluster_id.casefold() in wanted or s.cluster_name.casefold() in wanted]
    sys.stdout.write(_json(samples) if args.format == "json" else _text(samples, redact_dsn(url)))
    return 0


def _require_known(refs: list[str], samples: list[Sample], *, where: str) -> None:
    """ClusterNotFoundError for the first of `refs` (names or OCIDs) no sample is of, once the store holds any
    (an empty store says "no history yet" instead)."""
    if not samples:
        return
    known = {s.cluster_id.casefold() for s in samples} | {s.cluster_name.casefold() for s in samples}
    for ref in refs:
        if ref.casefold() not in known:
            raise ClusterNotFoundError(ref, {s.cluster_name for s in samples}, where=f"the history in {where}")


def _series(samples: list[Sample]) -> dict[tuple[str, str, str], list[Sample]]:
    grouped: dict[tuple[str, str, str], list[Sample]] = defaultdict(list)
    for sample in samples:
        grouped[sample.series].append(sample)
    return grouped


def _json(samples: list[Sample]) -> str:
    series = []
    for group in _series(samples).values():
        first = group[0]
        series.append({
            "clusterId": first.cluster_id, "clusterName": first.cluster_name, "kind": first.kind, "key": first.key,
            "name": first.name,
            "samples": [{"at": s.at.isoformat().replace("+00:00", "Z"), "usable": s.usable, "used": s.used,
                         "reserved": s.reserved, "nodes": s.nodes, "maxPods": s.max_pods} for s in group],
        })
    return json.dumps({"series": series}, indent=2) + "\n"


def _text(samples: list[Sample], where: str) -> str:
    if not samples:
        return f"No history in {where} yet: `okebot serve` samples every OKEBOT_SAMPLE_INTERVAL_SECONDS, or run " \
               "`okebot history record --source ...`.\n"
    lines = [f"Capacity history in {where}: {plural(len(samples), 'sample')}"]
    for group in sorted(_series(samples).values(), key=lambda g: (g[0].cluster_name, g[0].kind, g[0].name)):
        first, last = group[0], group[-1]
        fill = utilization(last) if last.kind != "nodePool" else None
        nodes = plural(last.nodes, "node") if last.nodes is not None else "?"
        # IPs in use not read: the figure counts reservations only, a floor (as `okebot capacity` says ≥).
        floor = "≥" if last.used is None and last.reserved is not None else ""
        latest = f"{floor}{fill:.1%} full" if fill is not None else nodes
        lines.append(f"  {first.cluster_name} · {first.kind} {first.name}: {plural(len(group), 'sample')}, "
                     f"{first.at:%Y-%m-%d %H:%M} → {last.at:%Y-%m-%d %H:%M} UTC, latest {latest}")
    return "\n".join(lines) + "\n"
