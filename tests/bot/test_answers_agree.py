"""Answers agree with each other and say where they come from: a pool's room is the same in capacity, diagnose,
the what-if's verdict (CLI exit codes) and Slack; every answer states its source and the age of its data, in
text, JSON and Slack."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.snapshot.demo import load_demo_reader
from bot.answers import ask, source_info
from bot.cli.main import main
from bot.queries import CapacityQuery, ClustersQuery, CniQuery, DiagnoseQuery, Query, WhatIfQuery
from bot.render.text import render_text
from bot.render.textkit import source_text
from bot.slack.render.blocks import render_blocks
from engine.model import Tenancy
from tests.bot.slack.harness import texts

PLAN = str(Path(__file__).parents[2] / "examples" / "plans" / "vcn-native.yaml")
DEMO_SOURCE = "snapshot demo-tenancy.json (us-ashburn-1, captured 2026-11-26T09:00:00Z)"


def json_of(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("cluster", "pool", "count"),
    [("payments-native", "payments-core", 8), ("retail-flannel", "retail-web", 8),
     ("analytics", "analytics-spark", 5), ("platform-healthy", "platform-compute", 2)],
)
def test_a_pools_room_is_one_figure_in_capacity_diagnose_whatif_and_slack(capsys, cluster, pool, count):
    _, capacity = json_of(capsys, "capacity", "--cluster", cluster)
    room = next(p["headroom"] for p in capacity["clusters"][0]["nodePools"] if p["name"] == pool)
    assert set(room) == {"moreNodes", "limitedBy", "atMost"}
    _, diagnosis = json_of(capsys, "diagnose", cluster)
    assert next(p["headroom"] for p in diagnosis["cluster"]["nodePools"] if p["name"] == pool) == room
    # With the IPs in use not read, the room is an upper bound: that size is unknown, one more does not fit.
    more = room["moreNodes"] if room["moreNodes"] is not None else room["atMost"]
    fits, _ = json_of(capsys, "whatif", cluster, "--pool", pool, "--size", str(count + more))
    over, report = json_of(capsys, "whatif", cluster, "--pool", pool, "--size", str(count + more + 1))
    assert (fits, over) == ((0 if room["atMost"] is None else 5), 1)
    assert report["verdict"] == "does not fit"
    slack = texts(render_blocks(asyncio.run(ask(CapacityQuery(cluster=cluster), load_demo_reader()))))
    if room["atMost"] is None:
        assert f"`{pool}` +{more} ({room['limitedBy']})" in slack
    else:
        assert f"`{pool}` at most +{more} ({room['limitedBy']}; IPs in use not read)" in slack


def test_a_pool_whose_subnets_ips_in_use_were_not_read_has_an_upper_bound_not_a_room(capsys):
    _, capacity = json_of(capsys, "capacity", "--cluster", "analytics")
    room = capacity["clusters"][0]["nodePools"][0]["headroom"]
    assert room == {"moreNodes": None, "limitedBy": "pod subnet analytics-pods", "atMost": 16}
    code, report = json_of(capsys, "whatif", "analytics", "--pool", "analytics-spark", "--size", "6")
    assert (code, report["verdict"]) == (5, "unknown")
    assert "pod subnet analytics-pods: IPs in use not read" in report["unknownLimits"]


ASKED: list[Query[Any]] = [
    ClustersQuery(),
    CapacityQuery(),
    CniQuery(),
    DiagnoseQuery(cluster="payments-native"),
    WhatIfQuery(cluster="payments-native", pool="payments-core", size=10),
]


@pytest.mark.parametrize("query", ASKED, ids=lambda q: type(q).__name__)
def test_every_answer_says_where_its_data_came_from_in_json_text_and_slack(query):
    report = asyncio.run(ask(query, load_demo_reader()))
    data = report.model_dump(mode="json", by_alias=True)
    assert data["readFrom"] == {"description": DEMO_SOURCE, "kind": "snapshot",
                                "capturedAt": "2026-11-26T09:00:00Z", "readAt": None, "cached": None}
    assert f"Source: {DEMO_SOURCE}" in render_text(report)
    assert f"_Source:_ {DEMO_SOURCE}" in texts(render_blocks(report))


def test_a_plans_answer_names_the_plan_as_its_source(capsys):
    _, report = json_of(capsys, "validate", PLAN)
    assert report["readFrom"] == {"description": f"plan {PLAN}", "kind": "plan", "capturedAt": None,
                                  "readAt": None, "cached": None}
    assert report["plan"] == PLAN


def test_a_live_answer_says_when_it_was_read_and_whether_it_came_from_the_cache():
    read = Tenancy(source_kind="live", captured_at="2026-11-30T03:00:00Z", cached=True)
    info = source_info("OCI us-ashburn-1 (tenancy root)", read)
    assert (info.kind, info.read_at, info.captured_at, info.cached) == ("live", "2026-11-30T03:00:00Z", None, True)
    assert source_text(info) == ("OCI us-ashburn-1 (tenancy root), read 2026-11-30T03:00:00Z (cached; --fresh "
                                 "reads again)")


def test_a_validate_against_a_cluster_names_the_live_source(capsys):
    _, report = json_of(capsys, "validate", PLAN, "--against", "payments-native")
    assert report["readFrom"]["description"] == DEMO_SOURCE
