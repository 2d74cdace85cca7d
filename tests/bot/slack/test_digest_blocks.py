from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.render.digest_blocks import MAX_CLUSTERS_SHOWN, digest_blocks, digest_fallback_text
from bot.slack.render.kit import MAX_BLOCKS, MAX_HEADER_TEXT, MAX_MESSAGE_CHARS, MAX_SECTION_TEXT
from engine.digest.build import build_digest
from tests.bot.render.digests import NOW, demo_digest
from tests.engine.digest.builders import cid, cluster_cap, finding, subnet_cap

MISSED = [datetime(2026, 11, 25, 15, tzinfo=UTC), datetime(2026, 11, 25, 21, tzinfo=UTC)]


def texts(blocks):
    """Every text a person sees in the blocks."""
    for block in blocks:
        if "text" in block:
            yield block["text"]["text"]
        for element in block.get("elements", []):
            yield element["text"]


def assert_within_slack_limits(blocks):
    assert len(blocks) <= MAX_BLOCKS
    assert sum(len(str(b)) for b in blocks) <= MAX_MESSAGE_CHARS
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
        for element in block.get("elements", []):
            assert len(element["text"]) <= MAX_SECTION_TEXT


def test_the_demo_digest_has_a_header_freshness_and_each_cluster_worst_first():
    blocks = digest_blocks(demo_digest(missed=MISSED))
    assert_within_slack_limits(blocks)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Capacity digest: demo"}}
    status = blocks[1]["elements"][0]["text"]
    assert "Data read 09:00 UTC" in status
    assert "2 scheduled runs were missed (25 Nov 15:00, 25 Nov 21:00 UTC)" in status
    body = "\n".join(texts(blocks))
    starts = [body.index(f"*{name} (") for name in ("retail-flannel", "payments-native", "analytics",
                                                     "platform-healthy")]
    assert starts == sorted(starts)
    assert "• pods subnet `payments-native-pods`: 416 of 509 IPs, *81.7%* full ▲ +6.3 pts" in body
    assert "≈ 26.7 days to full (+3.5 IPs/day) · room: ≈ 2 more nodes of payments-core, ≈ 2 of payments-edge" in body
    assert "▼ −2.4 pts" in body
    assert ":hourglass_flowing_sand: 4 nodes wait for a CNI update (`/oke cni payments-native`)" in body
    assert ":new: :large_orange_circle: `POD_SUBNET_TOO_SMALL`" in body
    assert ":white_check_mark: resolved `SHAPE_UNKNOWN`" in body
    assert blocks[-1]["type"] == "context"
    assert "Theil–Sen over the last 14 days" in blocks[-1]["elements"][0]["text"]


def test_nothing_changed_is_a_heartbeat_of_three_blocks():
    blocks = digest_blocks(demo_digest(unchanged=True))
    assert [b["type"] for b in blocks] == ["header", "context", "section"]
    assert blocks[2]["text"]["text"] == (":white_check_mark: No change since 26 Nov 03:00 UTC · worst of 4: "
                                         "retail-flannel 87.5%, ≈ 19 days")


def test_the_fallback_text_names_what_needs_attention_in_300_characters():
    text = digest_fallback_text(demo_digest())
    assert text == ("Capacity digest (demo): retail-flannel 10.244.0.0/21 87.5%, ≈ 18.8 days to full; payments-native "
                    "payments-native-pods 81.7%, ≈ 26.7 days to full (2 other clusters fine).")
    assert digest_fallback_text(demo_digest(unchanged=True)).startswith("Capacity digest (demo): No change since")


def many_clusters(count: int, *, name: str = "cluster-{}"):
    return [cluster_cap(name.format(i), subnets=[subnet_cap(f"pods-{i}", used=i * 5, reserved=i * 5,
                                                            headroom=[("np", 32, 1)])])
            for i in range(count)]


def test_a_hundred_clusters_stay_within_slack_limits_and_the_calmer_ones_are_named_in_one_line():
    clusters = many_clusters(100, name="a-cluster-with-a-rather-long-name-{}-" + "x" * 60)
    report = build_digest(clusters=clusters, findings={c.id: [finding("SUBNET_OVERLAP", f"cluster:{c.name}")] * 5
                                                       for c in clusters},
                          pending_cni_nodes={c.id: 2 for c in clusters}, history=[], previous=None, source="oci",
                          read_at=NOW, now=NOW)
    blocks = digest_blocks(report)
    assert_within_slack_limits(blocks)
    body = "\n".join(texts(blocks))
    shown = sum(1 for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(":"))
    assert 1 <= shown <= MAX_CLUSTERS_SHOWN
    assert f"_…and {100 - shown} more clusters, all calmer:_" in body
    assert len(digest_fallback_text(report)) <= 300


def test_names_from_oci_are_escaped_so_they_cannot_mention_or_link():
    evil = "<!channel> <@U123> <http://x|ok> & co"
    cluster = cluster_cap(evil, subnets=[subnet_cap(evil, used=500, reserved=500, headroom=[(evil, 32, 0)])])
    bad = finding("POD_SUBNET_TOO_SMALL", f"subnet:{evil}").model_copy(update={"message": evil})
    report = build_digest(clusters=[cluster], findings={cid(evil): [bad]}, pending_cni_nodes={}, history=[],
                          previous=None, source=evil, read_at=NOW, now=NOW)
    blocks = digest_blocks(report)
    plain_text = [b for b in blocks if b["type"] == "header"]  # plain_text never renders mentions or links
    rendered = json.dumps([b for b in blocks if b not in plain_text]) + digest_fallback_text(report)
    for raw in ("<!channel>", "<@U123>", "<http://x|ok>"):
        assert raw not in rendered
    assert "&lt;!channel&gt;" in rendered


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=200), min_size=1, max_size=30, unique=True),
       st.lists(st.text(max_size=2500), max_size=8))
def test_any_digest_fits_slacks_limits(names, messages):
    clusters = [cluster_cap(name, subnets=[subnet_cap(f"{name}-pods", used=400, reserved=400)]) for name in names]
    made = [finding("SUBNET_OVERLAP", f"s{i}").model_copy(update={"message": m}) for i, m in enumerate(messages)]
    findings = {c.id: made for c in clusters}
    report = build_digest(clusters=clusters, findings=findings, pending_cni_nodes={}, history=[], previous=None,
                          source="oci", read_at=NOW, now=NOW, missed=MISSED * 10)
    assert_within_slack_limits(digest_blocks(report))
    assert len(digest_fallback_text(report)) <= 300
