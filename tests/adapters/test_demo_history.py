"""The demo's capacity history: committed as the script makes it, ending at today's demo figures, compact."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.demo.history import (
    DEMO_HISTORY_FILE,
    encode_history,
    load_demo_history,
    parse_history,
    parse_history_text,
    render_history,
)
from adapters.snapshot import load_demo_reader
from engine.digest.forecast import forecast_series
from engine.digest.history import Sample, samples_from_capacity
from engine.errors import InputError
from engine.usecases.capacity import assess_capacity

ROOT = Path(__file__).resolve().parents[2]
CAPTURED_AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def script() -> ModuleType:
    path = ROOT / "scripts" / "generate_demo_history.py"
    spec = importlib.util.spec_from_file_location("generate_demo_history", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def history() -> list[Sample]:
    return load_demo_history()


def by_name(history: list[Sample], name: str) -> list[Sample]:
    return [s for s in history if s.name == name]


def test_the_committed_history_is_what_the_script_generates(script):
    committed = (ROOT / "adapters" / "demo" / DEMO_HISTORY_FILE).read_text(encoding="utf-8")
    assert script.render() == committed
    assert len(committed.encode()) < 30_000


def test_thirty_days_of_15_minute_samples_end_at_the_snapshots_capture(history):
    series = {s.series for s in history}
    assert len(series) == 15
    assert len(history) == 15 * 30 * 96
    instants = sorted({s.at for s in history})
    assert instants[-1] == CAPTURED_AT
    assert instants[0] == CAPTURED_AT - timedelta(days=30) + timedelta(minutes=15)
    assert {b - a for a, b in pairwise(instants)} == {timedelta(minutes=15)}


def test_the_last_samples_are_todays_demo_capacity(history):
    clusters = assess_capacity(asyncio.run(load_demo_reader().read())).clusters
    last = [s for s in history if s.at == CAPTURED_AT]
    assert last == samples_from_capacity(clusters, CAPTURED_AT)
    pods = next(s for s in last if s.name == "payments-native-pods")
    assert (pods.usable, pods.used, pods.reserved) == (509, 416, 416)


def test_payments_pod_subnet_runs_full_in_the_stated_number_of_days(history, script):
    forecast = forecast_series(by_name(history, "payments-native-pods"), now=CAPTURED_AT)
    assert forecast.status == "forecast"
    assert round(forecast.days_to_full or 0) == script.PAYMENTS_DAYS_TO_FULL
    assert 20 <= script.PAYMENTS_DAYS_TO_FULL <= 40
    first = by_name(history, "payments-native-pods")[0]
    assert (first.used or 0) < 416  # it grew


def test_retail_pods_cidr_grew_slowly_from_12_to_14_slots(history, script):
    cidr = by_name(history, "10.244.0.0/21")
    assert (cidr[0].used, cidr[-1].used, cidr[-1].usable) == (12, 14, 16)
    forecast = forecast_series(cidr, now=CAPTURED_AT)
    assert round(forecast.days_to_full or 0) == script.RETAIL_DAYS_TO_FULL


@pytest.mark.parametrize("name", ["platform-healthy-pods", "analytics-pods"])
def test_the_healthy_and_the_noisy_clusters_show_no_exhaustion(history, name):
    assert forecast_series(by_name(history, name), now=CAPTURED_AT).status == "no-exhaustion"


def test_analytics_is_noisy(history):
    values = {s.reserved for s in by_name(history, "analytics-pods")}
    assert values == {384, 480, 576}


# --- the file format ------------------------------------------------------------------------------------------

def document() -> dict[str, Any]:
    return {
        "format": "okebot.history/v1", "start": "2026-11-26T08:00:00Z", "stepSeconds": 900, "count": 3,
        "series": [{"clusterId": "c", "clusterName": "c", "kind": "subnet", "key": "s", "name": "s", "usable": 10,
                    "used": {"runs": [[1, 2], [None, 1]]}, "reserved": None, "nodes": None, "maxPods": None}],
    }


def test_a_document_reads_back_its_runs():
    samples = parse_history(document(), source="h.json")
    assert [(s.at.hour, s.at.minute, s.used, s.usable) for s in samples] == [(8, 0, 1, 10), (8, 15, 1, 10),
                                                                           (8, 30, None, 10)]


@pytest.mark.parametrize(
    ("change", "where", "complaint"),
    [
        (lambda d: d.update(format="x"), "h.json: format", "format is 'x'"),
        (lambda d: d.update(start="yesterday"), "h.json: start", "not an ISO 8601 time"),
        (lambda d: d.update(start="2026-11-26T08:00:00"), "h.json: start", "has no time zone"),
        (lambda d: d.update(stepSeconds=0), "h.json: stepSeconds", "not a positive whole number"),
        (lambda d: d.update(count=-1), "h.json: count", "not a whole number"),
        (lambda d: d.update(series={}), "h.json: series", "expected a list"),
        (lambda d: d["series"][0].update(used={"runs": [[1, 2]]}), "h.json: series[0].used",
         "the runs add up to 2, not count (3)"),
        (lambda d: d["series"][0].update(used={"runs": [[1, 4]]}), "h.json: series[0].used", "more than count"),
        (lambda d: d["series"][0].update(used={"runs": [[1, 0], [1, 3]]}), "h.json: series[0].used.runs[0]",
         "n 0 is not a positive whole number"),
        (lambda d: d["series"][0].update(used={"runs": [["1", 3]]}), "h.json: series[0].used.runs[0]",
         "value '1' is not a whole number"),
        (lambda d: d["series"][0].update(used="3"), "h.json: series[0].used", "expected null, a whole number"),
        (lambda d: d["series"][0].update(used=-3), "h.json: series[0].used", "greater than or equal to 0"),
        (lambda d: d["series"][0].update(kind="vnic"), "h.json: series[0].kind", "Input should be"),
        (lambda d: d["series"][0].update(colour="red"), "h.json: series[0]", "unknown field(s) colour"),
        (lambda d: d["series"].append(7), "h.json: series[1]", "expected an object"),
    ],
)
def test_a_bad_history_file_names_the_field(change, where, complaint):
    data = copy.deepcopy(document())
    change(data)
    with pytest.raises(InputError) as caught:
        parse_history(data, source="h.json")
    assert caught.value.where == where
    assert complaint in caught.value.message


def test_text_that_is_not_json_is_refused_with_its_position():
    with pytest.raises(InputError, match=r"h.json: not JSON: .* line 1, column 2"):
        parse_history_text("{nope", source="h.json")


def test_series_missing_an_instant_cannot_be_encoded():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    samples = [Sample(at=start + timedelta(minutes=m), cluster_id="c", cluster_name="c", kind="subnet", key=k,
                      name=k) for k, m in (("a", 0), ("a", 15), ("b", 0))]
    with pytest.raises(InputError, match=r"series b .* misses some instants"):
        encode_history(samples)


figures = st.one_of(st.none(), st.integers(min_value=0, max_value=3))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=3),
       st.sampled_from([60, 900, 3600]), st.data())
def test_any_regular_history_survives_encoding_and_parsing(count, series_count, step, data):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    samples = [
        Sample(at=start + timedelta(seconds=step * i), cluster_id="c", cluster_name="c", kind="subnet", key=f"s{k}",
               name=f"s{k}", usable=data.draw(figures), used=data.draw(figures), reserved=data.draw(figures))
        for k in range(series_count) for i in range(count)
    ]
    text = render_history(encode_history(samples))
    back = parse_history_text(text, source="h.json")
    assert sorted(back, key=repr) == sorted(samples, key=repr)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-3, 5), st.text(max_size=5)),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=12))
def test_any_json_value_in_any_field_gives_samples_or_an_input_error(junk):
    for path in ("format", "start", "stepSeconds", "count", "series", "used", "runs"):
        data = copy.deepcopy(document())
        if path in data:
            data[path] = junk
        elif path == "runs":
            data["series"][0]["used"] = {"runs": junk}
        else:
            data["series"][0][path] = junk
        where: str | None = "h.json"
        try:
            parse_history(json.loads(json.dumps(data)), source="h.json")
        except InputError as error:
            where = error.where
        assert where is not None
        assert where.startswith("h.json")
