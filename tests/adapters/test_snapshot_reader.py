"""SnapshotTenancyReader: reads a file once, filters clusters, describes itself."""

from __future__ import annotations

import asyncio
import json

import pytest

from adapters.snapshot import SnapshotTenancyReader
from adapters.snapshot.reader import MAX_SNAPSHOT_BYTES
from engine.errors import InputError, NotFoundError, SnapshotError
from engine.ports import TenancyReader

DOC = {
    "format": "okebot.snapshot/v1",
    "region": "us-ashburn-1",
    "capturedAt": "2026-11-26T09:00:00Z",
    "clusters": [{"id": "ocid1.cluster.a", "name": "alpha"}, {"id": "ocid1.cluster.b", "name": "Beta"}],
    "subnets": [{"id": "s1", "cidrBlock": "10.0.0.0/24"}],
}


@pytest.fixture
def snapshot_file(tmp_path):
    path = tmp_path / "tenancy.json"
    path.write_text(json.dumps(DOC))
    return path


def test_reader_satisfies_the_tenancy_reader_port(snapshot_file):
    reader: TenancyReader = SnapshotTenancyReader(snapshot_file)
    assert reader.description == "snapshot tenancy.json"


async def test_description_names_region_and_capture_time_once_read(snapshot_file):
    reader = SnapshotTenancyReader(snapshot_file)
    await reader.read()
    assert reader.description == "snapshot tenancy.json (us-ashburn-1, captured 2026-11-26T09:00:00Z)"


async def test_reader_parses_the_file_once_and_fresh_reads_again(snapshot_file):
    reader = SnapshotTenancyReader(snapshot_file)
    first = await reader.read()
    snapshot_file.write_text(json.dumps({**DOC, "region": "eu-frankfurt-1"}))
    assert await reader.read() is first
    again = await reader.read(fresh=True)
    assert again.region == "eu-frankfurt-1"


@pytest.mark.parametrize(
    ("refs", "names"),
    [(["alpha"], ["alpha"]), (["ocid1.cluster.b"], ["Beta"]), (["beta", "alpha"], ["alpha", "Beta"])],
)
async def test_read_filters_clusters_by_name_or_ocid_and_keeps_the_network(snapshot_file, refs, names):
    tenancy = await SnapshotTenancyReader(snapshot_file).read(clusters=refs)
    assert [c.name for c in tenancy.clusters] == names
    assert [s.id for s in tenancy.subnets] == ["s1"]


async def test_an_unknown_cluster_is_not_found(snapshot_file):
    with pytest.raises(NotFoundError, match=r"gamma.*alpha, Beta"):
        await SnapshotTenancyReader(snapshot_file).read(clusters=["gamma"])


async def test_a_missing_file_is_a_snapshot_error(tmp_path):
    with pytest.raises(SnapshotError, match=r"nope\.json: cannot read the file"):
        await SnapshotTenancyReader(tmp_path / "nope.json").read()


async def test_a_bad_file_names_itself_by_label(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "okebot.snapshot/v1", "subnets": 5}')
    with pytest.raises(SnapshotError, match=r"^support-case\.json: subnets: "):
        await SnapshotTenancyReader(path, label="support-case.json").read()


async def test_a_document_source_is_converted_at_once():
    with pytest.raises(SnapshotError, match=r"^inline: format"):
        SnapshotTenancyReader({"format": "nope"}, label="inline")
    reader = SnapshotTenancyReader(DOC, label="inline")
    assert reader.description == "snapshot inline (us-ashburn-1, captured 2026-11-26T09:00:00Z)"
    assert len((await reader.read()).clusters) == 2


async def test_a_file_past_the_size_limit_is_a_snapshot_error_naming_file_and_limit(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(DOC) + " " * 2048)
    with pytest.raises(SnapshotError) as caught:
        await SnapshotTenancyReader(path, max_bytes=1024).read()
    assert "huge.json" in caught.value.message
    assert "1024 bytes" in caught.value.message


async def test_an_endless_device_is_refused_at_the_limit_not_read_into_memory():
    with pytest.raises(SnapshotError, match="larger than the 1 MiB"):
        await SnapshotTenancyReader("/dev/zero", max_bytes=1024 * 1024).read()


def test_the_default_limit_is_256_mib():
    assert MAX_SNAPSHOT_BYTES == 256 * 1024 * 1024


async def test_a_file_exactly_at_the_limit_is_read(tmp_path):
    path = tmp_path / "exact.json"
    text = json.dumps(DOC)
    path.write_text(text)
    tenancy = await SnapshotTenancyReader(path, max_bytes=len(text.encode())).read()
    assert [c.name for c in tenancy.clusters] == ["alpha", "Beta"]


async def test_a_name_two_clusters_share_is_an_input_error_listing_both_ocids():
    doc = {**DOC, "clusters": [{"id": "ocid1.cluster.a", "name": "prod"}, {"id": "ocid1.cluster.b", "name": "prod"}]}
    with pytest.raises(InputError, match=r"2 clusters are named 'prod': ocid1.cluster.a, ocid1.cluster.b; name one"):
        await SnapshotTenancyReader(doc).read(clusters=["prod"])


class CountingOffload:
    """An offload that counts the loads and can hold them until the test lets go."""

    def __init__(self) -> None:
        self.loads = 0
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, fn, /, *args, **kwargs):
        self.loads += 1
        await self.release.wait()
        return fn(*args, **kwargs)


async def test_reads_of_the_same_clusters_return_the_same_object_until_the_file_is_read_again(snapshot_file):
    reader = SnapshotTenancyReader(snapshot_file)
    first = await reader.read(clusters=["alpha"])
    assert await reader.read(clusters=["alpha"]) is first
    assert await reader.read(clusters=["Beta"]) is not first
    await reader.read(fresh=True)
    assert await reader.read(clusters=["alpha"]) is not first


async def test_concurrent_first_reads_load_the_file_once(snapshot_file):
    offload = CountingOffload()
    offload.release.clear()
    reader = SnapshotTenancyReader(snapshot_file, offload=offload)
    reads = [asyncio.ensure_future(reader.read()) for _ in range(5)]
    await asyncio.sleep(0)
    offload.release.set()
    tenancies = await asyncio.gather(*reads)
    assert offload.loads == 1
    assert all(t is tenancies[0] for t in tenancies)


async def test_a_fresh_read_asked_while_another_read_runs_shares_it(snapshot_file):
    offload = CountingOffload()
    reader = SnapshotTenancyReader(snapshot_file, offload=offload)
    await reader.read()
    offload.release.clear()
    first = asyncio.ensure_future(reader.read(fresh=True))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(reader.read(fresh=True))
    await asyncio.sleep(0)
    offload.release.set()
    assert await first is await second
    assert offload.loads == 2  # the first read, then one fresh read for both
