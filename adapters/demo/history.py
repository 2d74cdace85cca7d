"""The demo tenancy's capacity history (`demo-history.json`), and the compact file format it is stored in.

Format "okebot.history/v1": every series sampled at the same regular instants, each figure run-length encoded.

    {"format": "okebot.history/v1",
     "start": "2026-10-27T09:15:00Z",          first instant (UTC)
     "stepSeconds": 900,                        seconds between instants
     "count": 2880,                             instants per series
     "series": [{"clusterId", "clusterName", "kind", "key", "name",
                 "usable", "used", "reserved", "nodes", "maxPods"}]}

Each figure is null (never read), a whole number (the same at every instant) or {"runs": [[value, n], ...]}: value
(a number or null) repeated n times, the runs adding up to `count`. 30 days of 15-minute samples of the demo's
15 series take about 10 kB this way instead of several MB as one JSON object per sample.

Regenerate the file with `python scripts/generate_demo_history.py`; a test checks the committed file is what the
script makes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from importlib import resources
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from engine.digest.history import Sample
from engine.errors import InputError

FORMAT = "okebot.history/v1"
DEMO_HISTORY_FILE = "demo-history.json"
FIGURES = (("usable", "usable"), ("used", "used"), ("reserved", "reserved"), ("nodes", "nodes"),
           ("maxPods", "max_pods"))
IDENTITY = (("clusterId", "cluster_id"), ("clusterName", "cluster_name"), ("kind", "kind"), ("key", "key"),
            ("name", "name"))
MAX_COUNT = 1_000_000


def load_demo_history() -> list[Sample]:
    """The samples of the bundled demo history (ending at the demo snapshot's capturedAt)."""
    data = resources.files("adapters").joinpath("demo", DEMO_HISTORY_FILE).read_text(encoding="utf-8")
    return parse_history_text(data, source=DEMO_HISTORY_FILE)


def parse_history_text(text: str, *, source: str) -> list[Sample]:
    """Samples from the text of a history file; InputError naming the file and field when it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}", where=source) from error
    return parse_history(data, source=source)


def _expand(value: object, count: int, where: str) -> list[int | None]:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return [value] * count
    if not isinstance(value, dict) or set(value) != {"runs"} or not isinstance(value["runs"], list):
        raise InputError('expected null, a whole number or {"runs": [[value, n], ...]}', where=where)
    out: list[int | None] = []
    for index, run in enumerate(value["runs"]):
        here = f"{where}.runs[{index}]"
        if not isinstance(run, list) or len(run) != 2:
            raise InputError("expected [value, n]", where=here)
        figure, repeat = run
        if figure is not None and (not isinstance(figure, int) or isinstance(figure, bool)):
            raise InputError(f"value {figure!r} is not a whole number or null", where=here)
        if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
            raise InputError(f"n {repeat!r} is not a positive whole number", where=here)
        if len(out) + repeat > count:
            raise InputError(f"the runs add up to more than count ({count})", where=where)
        out.extend([figure] * repeat)
    if len(out) != count:
        raise InputError(f"the runs add up to {len(out)}, not count ({count})", where=where)
    return out


def _header(data: object, source: str) -> tuple[datetime, timedelta, int, list[Any]]:
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", where=source)
    if data.get("format") != FORMAT:
        raise InputError(f"format is {data.get('format')!r}, expected {FORMAT!r}", where=f"{source}: format")
    try:
        start = datetime.fromisoformat(str(data.get("start")))
    except ValueError as error:
        raise InputError(f"{data.get('start')!r} is not an ISO 8601 time", where=f"{source}: start") from error
    if start.tzinfo is None:
        raise InputError(f"{data.get('start')!r} has no time zone", where=f"{source}: start")
    step, count, series = data.get("stepSeconds"), data.get("count"), data.get("series")
    if not isinstance(step, int) or isinstance(step, bool) or step < 1:
        raise InputError(f"{step!r} is not a positive whole number", where=f"{source}: stepSeconds")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
        raise InputError(f"{count!r} is not a whole number from 0 to {MAX_COUNT:,}", where=f"{source}: count")
    if not isinstance(series, list):
        raise InputError("expected a list", where=f"{source}: series")
    return start, timedelta(seconds=step), count, series


def parse_history(data: object, *, source: str) -> list[Sample]:
    """Samples from a parsed history document, series by series, oldest first within each.

    InputError (where="FILE: series[i].field") for a wrong format, a bad figure, runs that do not add up to
    `count`, or a sample the engine refuses (a negative figure, an unknown kind).
    """
    start, step, count, series = _header(data, source)
    instants = [start + step * i for i in range(count)]
    samples: list[Sample] = []
    for index, entry in enumerate(series):
        where = f"{source}: series[{index}]"
        if not isinstance(entry, dict):
            raise InputError("expected an object", where=where)
        unknown = set(entry) - {wire for wire, _ in (*IDENTITY, *FIGURES)}
        if unknown:
            raise InputError(f"unknown field(s) {', '.join(sorted(unknown))}", where=where)
        ident = {name: entry.get(wire) for wire, name in IDENTITY}
        columns = {name: _expand(entry.get(wire), count, f"{where}.{wire}") for wire, name in FIGURES}
        try:
            samples.extend(
                Sample(at=at, **ident, **{name: values[i] for name, values in columns.items()})
                for i, at in enumerate(instants)
            )
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise InputError(first["msg"], where=f"{where}.{field}") from error
    return samples


def _runs(values: Sequence[int | None]) -> object:
    if len(set(values)) == 1:
        return values[0]
    runs: list[list[int | None]] = []
    for value in values:
        if runs and runs[-1][0] == value:
            runs[-1][1] = (runs[-1][1] or 0) + 1
        else:
            runs.append([value, 1])
    return {"runs": runs}


def encode_history(samples: Sequence[Sample]) -> dict[str, object]:
    """The compact document of samples taken at regular instants, every series at every instant.

    Series keep the order of their first sample. InputError when the instants are not evenly spaced or a series
    misses an instant (this format cannot say so).
    """
    instants = sorted({s.at for s in samples})
    if len(instants) > 1:
        step = instants[1] - instants[0]
        if step % timedelta(seconds=1) or any(b - a != step for a, b in pairwise(instants)):
            raise InputError("samples are not taken at evenly spaced whole-second instants", where="history")
    else:
        step = timedelta(seconds=1)
    by_series: dict[tuple[str, str, str], list[Sample]] = {}
    for sample in sorted(samples, key=lambda s: s.at):
        by_series.setdefault(sample.series, []).append(sample)
    series = []
    for group in by_series.values():
        if [s.at for s in group] != instants:
            raise InputError(f"series {group[0].name} ({group[0].kind}) misses some instants", where="history")
        first = group[0]
        entry: dict[str, object] = {wire: getattr(first, name) for wire, name in IDENTITY}
        for wire, name in FIGURES:
            entry[wire] = _runs([getattr(s, name) for s in group])
        series.append(entry)
    return {
        "format": FORMAT,
        "start": instants[0].isoformat().replace("+00:00", "Z") if instants else "1970-01-01T00:00:00Z",
        "stepSeconds": int(step.total_seconds()),
        "count": len(instants),
        "series": series,
    }


def render_history(document: dict[str, object]) -> str:
    """The document as committed: the header on one line, then one line per series."""
    head = {k: v for k, v in document.items() if k != "series"}
    series = document.get("series")
    assert isinstance(series, list)
    lines = [json.dumps(head, separators=(", ", ": "))[:-1] + ', "series": [']
    lines += [json.dumps(entry, separators=(",", ":")) + ("," if i < len(series) - 1 else "")
              for i, entry in enumerate(series)]
    return "\n".join([*lines, "]}"]) + "\n"
