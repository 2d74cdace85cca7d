"""The snapshot reader's fast paths give what full parsing and validation give, or step aside for them."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.snapshot.document import SnapshotDocument
from adapters.snapshot.parse import parse_snapshot_text, take_private_ips, validate_document
from engine.errors import SnapshotError

FORMAT = {"format": "okebot.snapshot/v1"}
SUBNET_IDS = st.sampled_from(["ocid1.subnet.a", "ocid1.subnet.b", "s", ""])
EXTRA = st.dictionaries(st.sampled_from(["ipAddress", "id", "isPrimary"]),
                        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)), max_size=3)
# A VNIC id is kept per IP (to tell pools' IPs from others'): absent, null, or text.
VNIC_IDS = st.one_of(st.none(), st.sampled_from(["v1", "v2"]))
VNIC: st.SearchStrategy[dict[str, str | None]] = st.one_of(st.just({}), st.fixed_dictionaries({"vnicId": VNIC_IDS}))
PRIVATE_IP = st.builds(lambda subnet, extra, vnic: {**extra, **vnic, "subnetId": subnet}, SUBNET_IDS, EXTRA, VNIC)


@settings(max_examples=200, deadline=None)
@given(st.lists(PRIVATE_IP, max_size=30))
def test_counted_private_ips_equal_the_fully_validated_ones(ips: list[dict[str, Any]]):
    doc = {**FORMAT, "privateIps": ips}
    full = SnapshotDocument.model_validate(doc).private_ip_counts()
    assert validate_document(doc, source="t").private_ip_counts() == full
    owned = json.loads(json.dumps(doc))
    counts = take_private_ips(owned)
    assert "privateIps" not in owned
    assert counts == full
    assert validate_document(owned, source="t", private_ip_counts=counts).private_ip_counts() == full


@pytest.mark.parametrize(
    ("ips", "path"),
    [
        ([{"subnetId": "s", "vnicId": 5}], "privateIps[0].vnicId"),
        ([{"subnetId": 5}], "privateIps[0].subnetId"),
        ([{"subnetId": "s"}, {"ipAddress": "10.0.0.1"}], "privateIps[1].subnetId"),
        ([{"subnetId": "s"}, "10.0.0.1"], "privateIps[1]"),
        ({"subnetId": "s"}, "privateIps"),
    ],
)
def test_irregular_private_ips_are_left_to_full_validation_which_names_the_item(ips: Any, path: str):
    owned: dict[str, Any] = {**FORMAT, "privateIps": ips}
    assert take_private_ips(owned) is None
    assert owned["privateIps"] == ips  # untouched
    with pytest.raises(SnapshotError) as caught:
        validate_document(owned, source="t.json")
    assert f"t.json: {path}" in str(caught.value)


def test_private_ips_spelled_by_their_python_name_take_the_full_path():
    doc: dict[str, Any] = {**FORMAT, "private_ips": [{"subnet_id": "s"}, {"subnet_id": "s"}]}
    assert take_private_ips(doc) is None
    assert validate_document(doc, source="t").private_ip_counts() == Counter({("s", None): 2})


def test_no_private_ips_means_not_read_never_zero():
    assert validate_document(FORMAT, source="t").private_ip_counts() is None


@pytest.mark.parametrize(
    "data",
    [
        b'{"format": "okebot.snapshot/v1", "region": "x"}',
        b'\xef\xbb\xbf{"format": "okebot.snapshot/v1", "region": "x"}',
        '{"format": "okebot.snapshot/v1", "region": "x"}',
    ],
)
def test_bytes_with_or_without_a_byte_order_mark_and_text_parse_alike(data: bytes | str):
    assert parse_snapshot_text(data, source="t") == {"format": "okebot.snapshot/v1", "region": "x"}


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'{"format": "\xff"}', "not UTF-8 text (byte 12)"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b"  \n ", "the file is empty"),
        ("\u00a0\u2003".encode(), "the file is empty"),
        (b'{"a": 1,}', "invalid JSON at line 1, column 9"),
    ],
)
def test_what_the_fast_parser_refuses_is_explained_as_the_standard_parser_always_did(data: bytes, said: str):
    with pytest.raises(SnapshotError, match=re.escape(said)):
        parse_snapshot_text(data, source="t")


def test_a_packed_document_unpacks_equal_in_slices():
    from adapters.snapshot.packed import pack_document, unpack_document

    doc = {**FORMAT, "privateIps": [{"subnetId": f"s{i % 3}"} for i in range(25)], "region": "r", "shapes": []}
    packed = pack_document(doc, slice_size=4)
    assert len(packed) == 3 + 7  # format, region and shapes whole; 25 IPs in 7 slices of at most 4
    unpacked = unpack_document(packed)
    assert unpacked == doc
    assert list(unpacked) == list(doc)
