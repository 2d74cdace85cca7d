"""What a store keeps and reads back (samples, alert states, digest snapshots, posted digests) parses strictly."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.digest.alerts import AlertState
from engine.digest.build import build_digest
from engine.digest.history import Sample
from engine.digest.report import DigestReport, DigestSnapshot
from tests.engine.digest.builders import T0, cluster_cap, finding, linear, series, subnet_cap

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=15,
)


def sample_json() -> dict[str, object]:
    return {"at": "2026-11-26T09:00:00Z", "cluster_id": "c", "cluster_name": "c", "kind": "subnet", "key": "s",
            "name": "s", "usable": 509, "used": 416, "reserved": 416, "nodes": None, "max_pods": None}


@settings(max_examples=300)
@given(st.sampled_from(sorted(sample_json())), json_values)
def test_a_stored_sample_with_any_field_replaced_parses_or_names_that_field(field, value):
    data = {**sample_json(), field: value}
    refused: set[str] = set()
    try:
        sample = Sample.model_validate(data)
    except ValidationError as error:
        refused = {str(e["loc"][0]) for e in error.errors()}
    else:
        assert sample.at.utcoffset() == timedelta(0)
    assert refused in (set(), {field})


@settings(max_examples=200)
@given(json_values)
def test_a_stored_alert_state_is_read_strictly(data):
    try:
        state = AlertState.model_validate(data)
    except ValidationError:
        return
    assert state.level in ("ok", "warning", "error")
    assert AlertState.model_validate(state.model_dump(mode="json", by_alias=True)) == state


@cache
def posted() -> DigestReport:
    clusters = [cluster_cap("a", subnets=[subnet_cap("a-pods", used=400, reserved=400, headroom=[("np", 32, 3)])],
                            findings=[finding("SUBNET_OVERLAP", "cluster:a")]),
                cluster_cap("f", pods_cidr=("10.244.0.0/21", 16, 14))]
    history = series(linear(300, 5, days=14), step=timedelta(hours=1), key="a-pods", cluster="a")
    return build_digest(clusters=clusters, findings={c.id: c.findings for c in clusters}, pending_cni_nodes={},
                        history=history, previous=None, source="demo", read_at=T0, now=T0)


def test_a_posted_digest_reads_back_from_its_json():
    report = posted()
    again = DigestReport.model_validate(report.model_dump(mode="json", by_alias=True))
    assert again.model_dump(mode="json", by_alias=True) == report.model_dump(mode="json", by_alias=True)
    assert again.snapshot is None  # the snapshot is stored on its own


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["format", "generatedAt", "source", "clusters"]), json_values)
def test_a_stored_snapshot_with_any_field_replaced_parses_or_is_refused(field, value):
    snapshot = posted().snapshot
    assert snapshot is not None
    data = {**snapshot.model_dump(mode="json", by_alias=True), field: value}
    refused: set[str] = set()
    try:
        DigestSnapshot.model_validate(data)
    except ValidationError as error:
        refused = {str(e["loc"][0]) for e in error.errors()}
    assert refused in (set(), {field})


def test_an_unknown_snapshot_format_is_refused():
    snapshot = posted().snapshot
    assert snapshot is not None
    stored = snapshot.model_dump(mode="json", by_alias=True)
    with pytest.raises(ValidationError, match="format"):
        DigestSnapshot.model_validate({**stored, "format": "okebot.digest-snapshot/v2"})
