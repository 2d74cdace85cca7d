"""Redacted snapshots hide OCIDs, names and public IPs, consistently, and keep the same answers."""

from __future__ import annotations

import copy
import json

from hypothesis import given
from hypothesis import strategies as st

from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci.redact import redact_document
from adapters.snapshot.convert import tenancy_from_document


def test_ocids_names_and_public_ips_are_gone_and_cidrs_and_private_ips_stay() -> None:
    doc = generate_tenancy(clusters=2, pools_per_cluster=1, nodes_per_pool=2, pod_ips_per_node=1)
    doc["clusters"][0]["endpoints"] = {"publicEndpoint": "129.213.10.20:6443", "privateEndpoint": "10.0.0.3:6443"}
    redacted = json.dumps(redact_document(doc))
    original = json.dumps(doc)
    for secret in ("ocid1.cluster.oc1..gen0", "cluster-0", "vcn-1", "129.213.10.20"):
        assert secret in original
        assert secret not in redacted
    for kept in ("10.0.0.0/16", "10.0.0.3:6443", "10.250.0.1", "VM.Standard.E4.Flex", "OciVcnIpNative"):
        assert kept in redacted


def test_the_same_value_always_gets_the_same_token() -> None:
    doc = generate_tenancy(clusters=2, pools_per_cluster=2, nodes_per_pool=1)
    redacted = redact_document(doc)
    cluster_id = redacted["clusters"][1]["id"]
    assert {p["clusterId"] for p in redacted["nodePools"][2:]} == {cluster_id}
    assert set(redacted["addons"]) == {c["id"] for c in redacted["clusters"]}
    assert redact_document(doc) == redacted


def test_a_redacted_snapshot_gives_the_same_capacity_answers() -> None:
    doc = generate_tenancy(clusters=2, pools_per_cluster=2, nodes_per_pool=3, pod_ips_per_node=2)
    before = tenancy_from_document(doc, source="original")
    after = tenancy_from_document(redact_document(doc), source="redacted")
    assert [u.used_ips for u in before.ip_usage.values()] == [u.used_ips for u in after.ip_usage.values()]
    assert [s.cidrs for s in before.subnets] == [s.cidrs for s in after.subnets]
    assert [(p.size, p.ocpus, p.max_pods_per_node) for c in before.clusters for p in c.node_pools] == [
        (p.size, p.ocpus, p.max_pods_per_node) for c in after.clusters for p in c.node_pools
    ]


@given(st.recursive(
    st.one_of(st.text(), st.integers(), st.booleans(), st.none()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
))
def test_redaction_never_fails_leaves_its_input_alone_and_leaves_no_ocid(value: object) -> None:
    doc = {"clusters": value, "format": "okebot.snapshot/v1", "ocidHolder": {"id": "ocid1.cluster.oc1..secret"}}
    before = copy.deepcopy(doc)
    redacted = redact_document(doc)
    assert doc == before
    assert redacted == redact_document(doc)
    assert "ocid1.cluster.oc1..secret" not in json.dumps(redacted)
