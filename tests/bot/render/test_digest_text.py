from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.digest_text import digest_text
from engine.digest.build import build_digest
from tests.bot.render.digests import NOW, demo_digest
from tests.engine.digest.builders import cid, cluster_cap, finding, subnet_cap

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MISSED = [datetime(2026, 11, 25, 15, tzinfo=UTC), datetime(2026, 11, 25, 21, tzinfo=UTC)]


def test_the_demo_digest_names_every_cluster_worst_first_with_its_figures():
    text = digest_text(demo_digest(), color=False)
    starts = [text.index(f"\n{name} (") for name in ("retail-flannel", "payments-native", "analytics",
                                                        "platform-healthy")]
    assert starts == sorted(starts)
    assert "pods subnet payments-native-pods: 416 of 509 IPs, 81.7% full ▲ +6.3 pts" in text
    assert "≈ 26.7 days to full (+3.5 IPs/day); Theil–Sen, 14 days, 1,345 samples" in text
    assert "room: ≈ 2 more nodes of payments-core, ≈ 2 of payments-edge" in text
    assert "pods CIDR 10.244.0.0/21: 14 of 16 node slots, 87.5% full ▲ +1 slot" in text
    assert "analytics-pods: ≥480 of 2,045 IPs, ≥23.5% full ▼ −2.4 pts" in text  # IPs in use not read
    assert "room: ≤ 16 more nodes of analytics-spark" in text
    assert "4 nodes wait for a CNI update (okebot cni --cluster payments-native)" in text
    assert "+ new: POD_SUBNET_TOO_SMALL (subnet:payments-native-pods)" in text
    assert "✓ resolved: SHAPE_UNKNOWN (nodePool:analytics-spark)" in text
    assert "Data read 09:00 UTC · changes since Wed 25 Nov 2026 09:00 UTC" in text


def test_every_line_fits_80_columns_with_or_without_colour():
    for report in (demo_digest(), demo_digest(unchanged=True), demo_digest(missed=MISSED)):
        for color in (False, True):
            lines = ANSI.sub("", digest_text(report, color=color)).splitlines()
            assert max(len(line) for line in lines) <= 80


def test_colour_only_adds_escape_codes():
    report = demo_digest(missed=MISSED)
    coloured = digest_text(report, color=True)
    assert "\x1b[" in coloured
    assert "\x1b[" not in digest_text(report, color=False)
    assert ANSI.sub("", coloured) == digest_text(report, color=False)


def test_nothing_changed_gives_a_one_line_heartbeat():
    lines = digest_text(demo_digest(unchanged=True), color=False).splitlines()
    assert lines == [
        "Capacity digest · demo · Thu 26 Nov 2026 09:00 UTC",
        "No change since 26 Nov 03:00 UTC · worst of 4: retail-flannel 87.5%, ≈ 19 days",
    ]


def test_missed_runs_are_named_even_in_a_heartbeat():
    text = digest_text(demo_digest(unchanged=True, missed=MISSED), color=False)
    assert "2 scheduled runs were missed (25 Nov 15:00, 25 Nov 21:00 UTC)." in text


def test_runs_that_failed_are_said_to_have_failed_not_to_be_missed():
    text = digest_text(demo_digest(missed=MISSED, failed=MISSED[1:]), color=False)
    assert "1 run failed: 25 Nov 21:00 UTC; 1 scheduled run was missed: 25 Nov 15:00 UTC." in text


def test_failed_runs_less_than_a_minute_apart_are_told_apart_by_their_seconds():
    failed = [datetime(2026, 11, 30, 5, 53, s, tzinfo=UTC) for s in (10, 20, 30, 40)]
    text = " ".join(digest_text(demo_digest(missed=failed, failed=failed), color=False).split())  # unwrapped
    assert "4 runs failed (the newest 30 Nov 05:53:20, 30 Nov 05:53:30, 30 Nov 05:53:40 UTC)." in text
    assert "missed" not in text


def test_the_first_digest_says_it_has_nothing_to_compare_with():
    report = build_digest(clusters=[cluster_cap("a", subnets=[subnet_cap("a-pods", used=10, reserved=10)])],
                          findings={}, pending_cni_nodes={}, history=[], previous=None, source="oci", read_at=NOW,
                          now=NOW)
    text = digest_text(report, color=False)
    assert "first digest: no changes to show" in text
    assert "not enough history yet (0 of 7 days)" in text
    assert "▲" not in text
    assert "▼" not in text


names = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1,
                max_size=120)


@settings(max_examples=60, deadline=None)
@given(names, names, st.text(max_size=300))
def test_any_names_and_messages_still_fit_80_columns(cluster_name, subnet_name, message):
    cluster = cluster_cap(cluster_name, subnets=[subnet_cap(subnet_name, used=450, reserved=450,
                                                            headroom=[(subnet_name, 32, 1)])])
    found = finding("POD_SUBNET_TOO_SMALL", f"subnet:{subnet_name}").model_copy(update={"message": message})
    report = build_digest(clusters=[cluster], findings={cid(cluster_name): [found]},
                          pending_cni_nodes={cid(cluster_name): 3}, history=[], previous=None, source="demo",
                          read_at=NOW, now=NOW, missed=MISSED)
    for color in (False, True):
        assert all(len(line) <= 80 for line in ANSI.sub("", digest_text(report, color=color)).splitlines())
