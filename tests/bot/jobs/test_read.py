"""The shared read: when it is stamped (a snapshot's capture time, a live read's time) and which clusters a digest
limited to some of them may call gone."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.compose import build_reader
from bot.jobs.read import capture_time, read_capacity
from engine.access import AccessPolicy, ChannelBinding
from engine.model import Tenancy

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaai36e7axbzms6bmtfgopqu32rcxx2oagnckoertlpzmt6sleq4dvh"
OTHERS = ("retail-flannel", "platform-healthy", "analytics")
AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


async def every_id() -> dict[str, str]:
    return {ref.name: ref.id for ref in (await read_capacity(build_reader("demo"), at=AT)).refs}


async def test_a_read_of_named_clusters_covers_neither_the_clusters_left_out_nor_one_never_named():
    known = await every_id()
    read = await read_capacity(build_reader("demo"), at=AT, clusters=["PAYMENTS-NATIVE"])
    assert [c.name for c in read.clusters] == ["payments-native"]
    assert not any(read.covers(known[name], name) for name in OTHERS)
    assert read.covers("ocid1.cluster.vanished", "payments-native")  # named, and gone from the source
    assert not read.covers("ocid1.cluster.vanished", "old-cluster")


async def test_a_read_of_every_cluster_covers_a_cluster_that_vanished_from_the_source():
    read = await read_capacity(build_reader("demo"), at=AT)
    assert read.covers("ocid1.cluster.vanished", "old-cluster")


async def test_a_compartment_digest_gives_a_vanished_cluster_the_benefit_of_the_doubt_but_not_one_left_out():
    known = await every_id()
    policy = AccessPolicy(bindings=(ChannelBinding(channel="CPAY", clusters=("payments-native",)),))
    bound = await read_capacity(build_reader("demo"), at=AT, policy=policy, channel="CPAY",
                                compartments=[COMPARTMENT])
    assert [c.name for c in bound.clusters] == ["payments-native"]
    assert not any(bound.covers(known[name], name) for name in OTHERS)  # the binding left them out
    assert not bound.covers("ocid1.cluster.vanished", "old-cluster")  # the binding names clusters only
    unbound = await read_capacity(build_reader("demo"), at=AT, policy=AccessPolicy(), channel="CALL",
                                  compartments=[COMPARTMENT])
    assert len(unbound.clusters) == 4
    assert unbound.covers("ocid1.cluster.vanished", "old-cluster")
    closed = await read_capacity(build_reader("demo"), at=AT, policy=AccessPolicy(unbound_channels="none"),
                                 channel="CALL")
    assert closed.clusters == []
    assert not closed.covers("ocid1.cluster.vanished", "old-cluster")


async def test_a_snapshot_read_is_stamped_with_its_capture_time_not_the_time_it_was_read():
    read = await read_capacity(build_reader("demo"), at=datetime(2026, 11, 30, 8, 22, 38, 900_000, tzinfo=UTC))
    assert (read.read_at, read.captured) == (AT, True)
    assert {s.at for s in read.samples} == {AT}


def test_only_a_snapshot_with_a_zoned_capture_time_is_stamped_with_it():
    assert capture_time(Tenancy(source_kind="snapshot", captured_at="2026-11-26T10:00:00+01:00")) == AT
    assert capture_time(Tenancy(source_kind="live", captured_at="2026-11-26T09:00:00Z")) is None  # read time
    assert capture_time(Tenancy(source_kind="snapshot", captured_at="2026-11-26T09:00:00")) is None  # no zone
    assert capture_time(Tenancy(source_kind="snapshot", captured_at="last Thursday")) is None
    assert capture_time(Tenancy(source_kind="snapshot")) is None
