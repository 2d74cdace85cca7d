"""CNI log error lines: which lines are errors, and how repeats of one error are counted."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cni.logs import MAX_ERRORS_PER_POD, error_lines, is_error_line, normalize


@pytest.mark.parametrize(
    "line",
    [
        "2026-11-26T08:41:01.112Z ERROR ipam: Failed to load checkpoint: unexpected end of JSON input",
        "2026-11-26T08:41:01Z [ERROR] no free IPs on VNIC ocid1.vnic.oc1..abc",
        'time="2026-11-26T08:41:01Z" level=error msg="cannot attach VNIC" error="LimitExceeded"',
        "level=ERROR msg=boom",
        'ts=2026-11-26T08:41:01Z level="fatal" msg="exiting"',
        '{"level":"error","ts":1764146461.1,"msg":"failed to assign IP","error":"no free addresses"}',
        '{"level": "ERROR", "time": "2026-11-26T08:41:01Z", "msg": "x"}',
        "E1130 12:34:56.789012   12345 ipam.go:42] could not reconcile pod IPs",
        "F1130 12:34:56.789012       1 main.go:10] cannot start",
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "goroutine 1 [running]: panic: oops",
        "2026-11-26T08:41:01Z WARN updater: Failed to reach the metadata service, will retry",
        "FATAL: cannot open /var/lib/cni",
    ],
)
def test_lines_with_an_error_signature_are_error_lines(line: str) -> None:
    assert is_error_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "2026-11-26T08:41:01.112Z INFO ipam: node 10.20.16.10 pod VNICs attached, IPs ready",
        "2026-11-26T08:58:30.021Z WARN updater: CNI plugin v2.3.1 staged on node 10.20.16.10; reboot required",
        "I1130 12:34:56.789012   12345 ipam.go:42] reconcile complete, 0 errors",
        "W1130 12:34:56.789012   12345 ipam.go:42] slow VNIC attach",
        'level=info msg="no error"',
        '{"level":"info","msg":"error budget fine"}',
        "counted 0 ERRORS_TOTAL metric",  # not a whole word
        "the lookup failed to match (lower case is a message, not a level)",
        "Error: lower-case-e words are messages too",
    ],
)
def test_ordinary_lines_are_not_error_lines(line: str) -> None:
    assert not is_error_line(line)


def test_the_issue_case_a_checkpoint_error_repeated_with_new_timestamps_is_one_line_with_its_count() -> None:
    log = (
        "2026-11-26T08:41:01.112Z INFO ipam: starting\n"
        "2026-11-26T08:41:02.000Z ERROR ipam: Failed to load checkpoint: unexpected end of JSON input\n"
        "2026-11-26T08:41:12.000Z ERROR ipam: Failed to load checkpoint: unexpected end of JSON input\n"
        "2026-11-26T08:41:13.000Z ERROR ipam: no free IPs available on node 10.20.16.14\n"
        "2026-11-26T08:41:22.000Z ERROR ipam: Failed to load checkpoint: unexpected end of JSON input\n"
    )
    assert [(e.line, e.count) for e in error_lines(log)] == [
        ("ERROR ipam: Failed to load checkpoint: unexpected end of JSON input", 3),
        ("ERROR ipam: no free IPs available on node 10.20.16.14", 1),
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["E1130 12:34:56.789012   12345 ipam.go:42] could not reconcile",
          "E1130 12:35:06.000001   12345 ipam.go:42] could not reconcile"], ("could not reconcile", 2)),
        (['time="2026-11-26T08:41:01Z" level=error msg="attach failed"',
          'time="2026-11-26T08:42:01Z" level=error msg="attach failed"'], ('level=error msg="attach failed"', 2)),
        (['{"level":"error","ts":1.5,"msg":"no IP"}', '{"ts":2.5,"msg":"no IP","level":"error"}'],
         (json.dumps({"level": "error", "msg": "no IP"}, sort_keys=True), 2)),
        (["[2026-11-26 08:41:01] ERROR boom", "[2026-11-26 08:42:01,123] ERROR boom"], ("ERROR boom", 2)),
        (["panic: nil map", "panic: nil map"], ("panic: nil map", 2)),
    ],
)
def test_repeats_that_differ_only_in_timestamp_or_klog_header_are_counted_together(lines: list[str],
                                                                                    expected: tuple[str, int]) -> None:
    assert [(e.line, e.count) for e in error_lines("\n".join(lines))] == [expected]


def test_distinct_errors_keep_their_first_seen_order_and_are_capped() -> None:
    log = "\n".join(f"ERROR failure {i}" for i in range(MAX_ERRORS_PER_POD + 5))
    found = error_lines(log)
    assert len(found) == MAX_ERRORS_PER_POD
    assert [e.line for e in found[:3]] == ["ERROR failure 0", "ERROR failure 1", "ERROR failure 2"]


def test_a_very_long_error_line_is_cut() -> None:
    (found,) = error_lines("ERROR " + "x" * 5000)
    assert len(found.line) == 300


_TIMESTAMPS = st.datetimes().map(lambda moment: moment.isoformat(timespec="milliseconds") + "Z")
_MESSAGE = st.text(alphabet=st.characters(categories=("Ll", "Nd"), include_characters=" .:/-"), min_size=1,
                   max_size=60).map(str.strip).filter(bool)


@given(st.lists(_TIMESTAMPS, min_size=1, max_size=20), _MESSAGE)
def test_one_error_logged_at_any_times_is_one_line_counted_once_per_time(stamps: list[str], message: str) -> None:
    log = "\n".join(f"{stamp} ERROR {message}" for stamp in stamps)
    assert [(e.line, e.count) for e in error_lines(log)] == [(f"ERROR {message}", len(stamps))]


@given(st.lists(_MESSAGE, max_size=30))
def test_lines_of_lower_case_words_and_numbers_are_never_errors(messages: list[str]) -> None:
    log = "\n".join(f"2026-11-26T08:41:01Z info {m}" for m in messages if "panic:" not in m)
    assert error_lines(log) == ()


@given(st.text(max_size=2000))
def test_any_text_gives_counts_that_add_up_to_its_error_lines(log: str) -> None:
    found = error_lines(log, limit=10_000)
    wanted = [line for line in log.splitlines() if line.strip() and is_error_line(line) and normalize(line)]
    assert sum(e.count for e in found) == len(wanted)
    assert all(e.count >= 1 and e.line for e in found)
    assert len({e.line for e in found}) == len(found)
