"""`okebot snapshot` records the served tenancy into a file that the snapshot reader replays."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.snapshot.reader import load_snapshot_file
from bot.cli import snapshot_cmd


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    snapshot_cmd.add_parser(parser.add_subparsers())
    return parser.parse_args(["snapshot", *argv])


@pytest.mark.parametrize("redact", [False, True])
async def test_snapshot_writes_a_replayable_file(
    oci_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    redact: bool,
) -> None:
    source = generate_tenancy(clusters=2, pools_per_cluster=1, nodes_per_pool=2)
    out = tmp_path / "snap.json"
    async with FakeOciServer(source) as server:
        server.inject("/natGateways$", "status", status=403, code="NotAuthorizedOrNotFound")
        monkeypatch.setenv("OKEBOT_OCI_CONFIG_FILE", str(oci_config_file))
        monkeypatch.setenv("OKEBOT_OCI_ENDPOINT", server.url)
        argv = ["-o", str(out), "--compartment", source["compartments"][0]["id"], "--cluster", "cluster-1"]
        assert await snapshot_cmd.run(parse(argv + (["--redact"] if redact else []))) == 0
    tenancy = load_snapshot_file(out, label="snap.json")
    assert len(tenancy.clusters) == 1
    assert (tenancy.clusters[0].name == "cluster-1") is not redact
    assert ("ocid1.cluster.oc1..gen1" in out.read_text()) is not redact
    err = capsys.readouterr().err
    assert "1 object could not be read" in err
    assert source["compartments"][0]["id"] in err
    assert json.loads(out.read_text())["errors"][0]["kind"] == "natGateways"
