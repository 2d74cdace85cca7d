"""Error lines in a CNI pod's log tail, de-duplicated with a count each.

A line is an error line when it carries one of these signatures (the usual shapes of Go, klog, logrus and zap
logs; Oracle documents no log format for the CNI plugin):

- a level word: `ERROR`, `FATAL` or `PANIC` as a whole upper-case word (`... ERROR ipam: ...`, `[ERROR]`);
- logfmt: `level=error` / `level=fatal` / `level=panic` (any case, value quoted or not);
- JSON: `"level":"error"` (or `"fatal"`, `"panic"`; any case, spaces allowed around the colon);
- klog: a line starting `E1130 ` or `F1130 ` (severity letter, month and day);
- `panic:` (a Go panic);
- `Failed to` (as written, capital F).

Lines that differ only in their timestamp or klog header are the same error: before counting, a line loses a
leading ISO-8601 timestamp (optionally in brackets), a klog header (`E1130 12:34:56.789012   12345
file.go:42] `), a logfmt `time=`/`ts=` field and, for a JSON line, its `time`/`ts`/`timestamp` keys. Lines keep
their first-seen order; each shown line is cut to `MAX_LINE_CHARS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from engine.reports import CniLogError

MAX_LINE_CHARS = 300
MAX_ERRORS_PER_POD = 20

_SIGNATURES = (
    re.compile(r"(?<![A-Za-z0-9_])(?:ERROR|FATAL|PANIC)(?![A-Za-z0-9_])"),
    re.compile(r"\blevel=\"?(?:error|fatal|panic)\b", re.IGNORECASE),
    re.compile(r"\"level\"\s*:\s*\"(?:error|fatal|panic)\"", re.IGNORECASE),
    re.compile(r"^[EF]\d{4}\s"),
    re.compile(r"\bpanic:"),
    re.compile(r"\bFailed to\b"),
)
_ISO_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
_LEADING_TIME = re.compile(rf"^\[?{_ISO_TIME}\]?\s*")
_KLOG_HEADER = re.compile(r"^[IWEF]\d{4}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+\d+\s+[^\]\s]*\]\s*")
_LOGFMT_TIME = re.compile(r"(?:^|\s)(?:time|ts)=(?:\"[^\"]*\"|\S+)")
_JSON_TIME_KEYS = ("time", "ts", "timestamp", "@timestamp")


def is_error_line(line: str) -> bool:
    """Whether the line carries an error signature (see the module docstring)."""
    return any(signature.search(line) for signature in _SIGNATURES)


def normalize(line: str) -> str:
    """The line without what changes between repeats of one error: timestamps and the klog header."""
    text = line.strip()
    parsed = _json_object(text)
    if parsed is not None:
        kept = {key: value for key, value in parsed.items() if key not in _JSON_TIME_KEYS}
        return json.dumps(kept, sort_keys=True, ensure_ascii=False)
    text = _KLOG_HEADER.sub("", text, count=1)
    text = _LEADING_TIME.sub("", text, count=1)
    text = _LOGFMT_TIME.sub("", text).strip()
    return text


def error_lines(log: str, *, limit: int = MAX_ERRORS_PER_POD) -> tuple[CniLogError, ...]:
    """The distinct error lines of a log tail with their counts, first seen first, at most `limit` of them."""
    counts: dict[str, int] = {}
    for line in _lines(log):
        if is_error_line(line):
            key = normalize(line)[:MAX_LINE_CHARS]
            if key:
                counts[key] = counts.get(key, 0) + 1
    return tuple(CniLogError(line=line, count=count) for line, count in list(counts.items())[:limit])


def _lines(log: str) -> Iterable[str]:
    return (line for line in log.splitlines() if line.strip())


def _json_object(text: str) -> dict[str, object] | None:
    if not text.startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
