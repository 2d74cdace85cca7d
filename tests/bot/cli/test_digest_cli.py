"""`okebot digest` and `okebot history`: the digest's JSON contract, its text and chart on the demo, the store's
history recorded and shown, and bad input refused by name."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from bot.cli.main import main

CONTRACT = {"generatedAt", "source", "since", "clusters", "history"}
CLUSTER = {"id", "name", "worst", "subnets", "podsCidr", "newFindings", "resolvedFindings", "pendingCniNodes"}
SUBNET = {"name", "utilization", "delta", "daysToFull", "forecast"}


def test_the_demo_digest_json_follows_the_public_contract(capsys: pytest.CaptureFixture[str]):
    assert main(["digest", "--source", "demo", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= CONTRACT
    assert data["since"] == "2026-11-25T09:00:00Z"
    assert {"samples", "firstAt", "lastAt"} <= set(data["history"])
    for cluster in data["clusters"]:
        assert set(cluster) >= CLUSTER
        for subnet in cluster["subnets"]:
            assert set(subnet) >= SUBNET
            assert {"samples", "days", "method"} <= set(subnet["forecast"])
    payments = next(c for c in data["clusters"] if c["name"] == "payments-native")
    pods = next(s for s in payments["subnets"] if s["role"] == "pods")
    assert pods["utilization"] > 0.8
    assert 20 < pods["daysToFull"] < 35
    assert pods["forecast"]["method"] == "theil-sen"
    assert any(s["delta"] not in (None, 0) for c in data["clusters"] for s in c["subnets"])


def test_the_demo_digest_text_states_the_forecast_and_its_basis(capsys: pytest.CaptureFixture[str]):
    assert main(["digest", "--source", "demo", "--since", "7"]) == 0
    out = capsys.readouterr().out
    assert "payments-native-pods: 416 of 509 IPs, 81.7% full ▲" in out
    assert "≈ 26.7 days to full" in out
    assert "Theil–Sen, 14 days" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_the_chart_is_a_png_of_the_promised_size_and_is_never_overwritten_unasked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    chart = tmp_path / "digest.png"
    assert main(["digest", "--source", "demo", "--chart", str(chart), "--format", "blocks"]) == 0
    blocks = json.loads(capsys.readouterr().out)
    assert blocks["text"].startswith("Capacity digest")
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1100, 572)
    assert main(["digest", "--source", "demo", "--chart", str(chart)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert chart.read_bytes() == data


def test_a_digest_of_one_cluster_does_not_call_the_clusters_left_out_gone(capsys: pytest.CaptureFixture[str]):
    assert main(["digest", "--source", "demo", "--cluster", "payments-native", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in data["clusters"]] == ["payments-native"]
    assert data["goneClusters"] == []
    assert main(["digest", "--source", "demo", "--cluster", "payments-native"]) == 0
    assert "No longer read" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--cluster", "paymnts-native"], "no cluster 'paymnts-native' in snapshot demo-tenancy.json (us-ashburn-1, "
                                          "captured 2026-11-26T09:00:00Z); did you mean 'payments-native'?"),
        (["--cluster", "analytics", "--cluster", "nope"], "no cluster 'nope'"),
        (["--since", "0"], "argument --since: 0 days is not from more than 0 to 400"),
        (["--since", "abc"], "argument --since: 'abc' is not a number of days"),
        (["--chart", "out.svg"], "the chart is a PNG"),
        (["--chart", ""], "--chart: the chart needs a file name"),
        (["--chart", "  "], "--chart: the chart needs a file name"),
    ],
)
def test_bad_digest_input_is_refused_by_name(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]):
    try:
        code = main(["digest", "--source", "demo", *argv])
    except SystemExit as exited:  # argparse's own refusals
        code = int(exited.code or 0)
    assert code == 2
    assert said in capsys.readouterr().err


def test_history_record_then_show_reads_back_the_sample_taken_once_at_the_snapshot_capture_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("OKEBOT_STORE_URL", f"sqlite:///{tmp_path / 'history.db'}")
    for day in (27, 30):  # the same snapshot recorded on two days
        with time_machine.travel(datetime(2026, 11, day, 6, 30, 15, 500_000, tzinfo=UTC), tick=False):
            assert main(["history", "record", "--source", "demo"]) == 0
        assert "at 2026-11-26T09:00:00Z (the snapshot capture time)" in capsys.readouterr().out
    assert main(["history", "show", "--cluster", "payments-native", "--format", "json"]) == 0
    series = json.loads(capsys.readouterr().out)["series"]
    assert {s["clusterName"] for s in series} == {"payments-native"}
    pods = next(s for s in series if s["name"] == "payments-native-pods")
    assert pods["samples"] == [{"at": "2026-11-26T09:00:00Z", "usable": 509, "used": 416, "reserved": 416,
                                "nodes": None, "maxPods": None}]
    assert main(["history", "show"]) == 0
    assert "payments-native · subnet payments-native-pods: 1 sample, " in capsys.readouterr().out
    assert main(["history", "show", "--cluster", "payments-nativ"]) == 2
    said = capsys.readouterr().err
    assert f"no cluster 'payments-nativ' in the history in sqlite:///{tmp_path / 'history.db'}; did you mean " \
           "'payments-native'?" in said


def test_history_show_says_at_least_when_the_ips_in_use_were_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import asyncio

    from adapters.store import open_store
    from engine.digest.history import Sample

    url = f"sqlite:///{tmp_path / 'history.db'}"
    at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    ident = {"at": at, "cluster_id": "ocid1.cluster.a", "cluster_name": "a", "kind": "subnet"}

    async def fill() -> None:
        store = await open_store(url)
        await store.record_samples([
            Sample(**ident, key="ocid1.subnet.blind", name="blind", usable=2045, used=None, reserved=10),
            Sample(**ident, key="ocid1.subnet.seen", name="seen", usable=2045, used=10, reserved=8),
        ])
        await store.close()

    asyncio.run(fill())
    monkeypatch.setenv("OKEBOT_STORE_URL", url)
    assert main(["history", "show"]) == 0
    out = capsys.readouterr().out
    assert "a · subnet blind: 1 sample, 2026-11-26 09:00 → 2026-11-26 09:00 UTC, latest ≥0.5% full" in out
    assert "a · subnet seen: 1 sample, 2026-11-26 09:00 → 2026-11-26 09:00 UTC, latest 0.5% full" in out


def test_a_digest_of_a_snapshot_from_the_store_is_that_of_its_capture_and_matches_the_demo_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import asyncio

    from adapters.demo.history import load_demo_history
    from adapters.store import open_store

    url = f"sqlite:///{tmp_path / 'history.db'}"

    async def fill() -> None:
        store = await open_store(url)
        await store.record_samples(load_demo_history())
        await store.close()

    asyncio.run(fill())
    monkeypatch.setenv("OKEBOT_STORE_URL", url)
    snapshot = Path(__file__).parents[3] / "adapters" / "demo" / "demo-tenancy.json"
    with time_machine.travel(datetime(2026, 11, 30, 8, 23, 5, tzinfo=UTC), tick=False):  # days after its capture
        assert main(["digest", "--source", f"snapshot:{snapshot}", "--format", "json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert stored["readAt"] == "2026-11-26T09:00:00Z"
    assert main(["digest", "--source", "demo", "--format", "json"]) == 0
    demo = json.loads(capsys.readouterr().out)

    def figures(data: dict) -> list[tuple]:
        return [(c["name"], s["name"], s["utilization"], s["delta"], s["daysToFull"])
                for c in data["clusters"] for s in c["subnets"]]

    assert figures(stored) == figures(demo)
    assert stored["generatedAt"] == demo["generatedAt"] == "2026-11-26T09:00:00Z"
