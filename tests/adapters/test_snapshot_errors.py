"""Malformed snapshots end in a SnapshotError that names the file and the place, never a traceback."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.snapshot import parse_snapshot_text, tenancy_from_document
from adapters.snapshot.demo import demo_document
from engine.errors import SnapshotError

CLUSTER = "ocid1.cluster.oc1.iad.aaaaaaaacluster"


def load(text: str | bytes):
    return tenancy_from_document(parse_snapshot_text(text, source="snap.json"), source="snap.json")


def base(**kinds: Any) -> dict[str, Any]:
    return {"format": "okebot.snapshot/v1", "clusters": [{"id": CLUSTER, "name": "prod"}], **kinds}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "snap.json: the file is empty"),
        ("   \n", "the file is empty"),
        ('{"format": "okebot.snapshot/v1",\n "clusters": [', "line 2, column"),
        ("[1, 2]", "expected a JSON object at the top, found an array"),
        ('"text"', "found a string"),
        ("null", "found null"),
        ('{"format": "okebot.snapshot/v2"}', 'snap.json: format: expected "okebot.snapshot/v1"'),
        ("{}", "found no format"),
        ('{"format": "okebot.snapshot/v1", "n": NaN}', "NaN is not a JSON number"),
        ('{"format": "okebot.snapshot/v1", "n": ' + "9" * 5000 + "}", "invalid JSON"),
        ("[" * 100_000 + "]" * 100_000, "invalid JSON"),
    ],
)
def test_unreadable_text_names_the_file_and_where(text, fragment):
    with pytest.raises(SnapshotError) as caught:
        load(text)
    assert fragment in str(caught.value)
    assert "snap.json" in str(caught.value)


def test_bytes_that_are_not_utf8_are_a_snapshot_error():
    with pytest.raises(SnapshotError, match="not UTF-8"):
        load(b'{"format": "\xff"}')


@pytest.mark.parametrize(
    ("kinds", "path"),
    [
        ({"subnets": "not-a-list"}, "subnets"),
        (
            {"subnets": [{"id": "s0", "cidrBlock": "10.0.0.0/24"}, {"id": "s1", "cidrBlock": "10.0.0.0/33"}]},
            "subnets[1].cidrBlock",
        ),
        ({"subnets": [{"id": "s0", "cidrBlock": "10.0.0.1/24"}]}, "subnets[0].cidrBlock"),
        ({"vcns": [{"id": "v", "cidrBlocks": ["bogus"]}]}, "vcns[0].cidrBlocks[0]"),
        ({"clusters": [{"id": CLUSTER}]}, "clusters[0].name"),
        (
            {"clusters": [{"id": CLUSTER, "name": "p", "clusterPodNetworkOptions": [{"cniType": "CALICO"}]}]},
            "clusters[0].clusterPodNetworkOptions[0].cniType",
        ),
        (
            {
                "clusters": [
                    {
                        "id": CLUSTER,
                        "name": "p",
                        "options": {"kubernetesNetworkConfig": {"podsCidr": "10.244.0.0/99"}},
                    }
                ]
            },
            "clusters[0].options.kubernetesNetworkConfig.podsCidr",
        ),
        (
            {"nodePools": [{"id": "np", "clusterId": CLUSTER, "nodeConfigDetails": {"size": 10**30}}]},
            "nodePools[0].nodeConfigDetails.size",
        ),
        (
            {"nodePools": [{"id": "np", "clusterId": CLUSTER, "nodeShapeConfig": {"ocpus": 1e308}}]},
            "nodePools[0].nodeShapeConfig.ocpus",
        ),
        ({"nodePools": [{"id": "np", "clusterId": "ocid1.cluster.gone"}]}, "nodePools[0].clusterId"),
        (
            {"virtualNodePools": [{"id": "v", "clusterId": "ocid1.cluster.gone"}]},
            "virtualNodePools[0].clusterId",
        ),
        ({"addons": {"ocid1.cluster.gone": []}}, 'addons["ocid1.cluster.gone"]'),
        ({"kubernetes": {"ocid1.cluster.gone": {}}}, 'kubernetes["ocid1.cluster.gone"]'),
        ({"subnets": [{"id": "s"}, {"id": "s"}]}, "subnets[1].id"),
        (
            {
                "securityLists": [
                    {
                        "id": "sl",
                        "ingressSecurityRules": [
                            {
                                "protocol": "6",
                                "tcpOptions": {"destinationPortRange": {"min": 1, "max": 70000}},
                            }
                        ],
                    }
                ]
            },
            "securityLists[0].ingressSecurityRules[0].tcpOptions.destinationPortRange.max",
        ),
        (
            {"nsgSecurityRules": {"nsg1": [{"protocol": "6", "direction": "SIDEWAYS"}]}},
            "nsgSecurityRules.nsg1[0].direction",
        ),
        ({"images": [{"id": "i", "timeCreated": "last tuesday"}]}, "images[0].timeCreated"),
        ({"errors": [{"kind": "subnet"}]}, "errors[0].message"),
        (
            {"kubernetes": {CLUSTER: {"cniControllerRevisions": [{"revision": -1}]}}},
            'kubernetes["' + CLUSTER + '"].cniControllerRevisions[0].revision',
        ),
    ],
)
def test_malformed_objects_name_the_json_path(kinds, path):
    with pytest.raises(SnapshotError) as caught:
        tenancy_from_document(base(**kinds), source="snap.json")
    assert str(caught.value).startswith(f"snap.json: {path}: ")


def test_a_snapshot_error_carries_a_remedy():
    with pytest.raises(SnapshotError) as caught:
        load("")
    assert caught.value.remedy


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.text(max_size=200))
def test_arbitrary_text_gives_a_tenancy_or_a_snapshot_error(text):
    with contextlib.suppress(SnapshotError):
        load(text)


KIND_NAMES = [
    "format",
    "clusters",
    "nodePools",
    "virtualNodePools",
    "subnets",
    "vcns",
    "privateIps",
    "securityLists",
    "routeTables",
    "addons",
    "addonOptions",
    "kubernetes",
    "shapes",
    "instances",
    "images",
    "errors",
    "nsgSecurityRules",
    "privateIpSubnetIds",
    "natGateways",
]


@given(st.dictionaries(st.sampled_from(KIND_NAMES), JSON, max_size=6))
def test_arbitrary_kinds_give_a_tenancy_or_a_snapshot_error(kinds):
    with contextlib.suppress(SnapshotError):
        tenancy_from_document({**base(), **kinds}, source="snap.json")


_DEMO = demo_document()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in list(value.items())[:6]:
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            found += _paths(item, (*prefix, index))
    return found


_DEMO_PATHS = _paths(_DEMO)[1:]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(_DEMO_PATHS), JSON)
def test_a_mutated_demo_gives_a_tenancy_or_a_snapshot_error(path, replacement):
    mutated = copy.deepcopy(_DEMO)
    target: Any = mutated
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = replacement
    with contextlib.suppress(SnapshotError):
        tenancy_from_document(mutated, source="demo")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=4000))
def test_a_truncated_snapshot_names_line_and_column(cut):
    text = json.dumps(base(subnets=[{"id": "s", "cidrBlock": "10.0.0.0/24"}] * 20), indent=1)
    with pytest.raises(SnapshotError, match=r"line [0-9]+, column [0-9]+"):
        load(text[: min(cut, len(text) - 1)])
