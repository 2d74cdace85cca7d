"""The `digests:` list of okebot.yaml: read as it will run, every mistake named with its key and line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.digest_config import parse_digests
from engine.errors import InputError

GOOD = """\
access:
  default_role: viewer
digests:
  - name: payments-daily
    channel: "#C0PAY"
    schedule: "0 9 * * MON-FRI"
    timezone: Europe/Berlin
    clusters: [payments-native]
    thresholds: {warning: 70, error: 90}
    forecastDays: 14
    mode: on-change
    chart: false
  - name: everything
    channel: C0ALL
    schedule: every 6h
"""


def test_a_config_file_reads_into_digest_definitions():
    daily, everything = parse_digests(GOOD)
    assert (daily.name, daily.channel, daily.schedule, daily.timezone) == (
        "payments-daily", "C0PAY", "0 9 * * MON-FRI", "Europe/Berlin")
    assert (daily.thresholds.warning, daily.thresholds.error, daily.forecast_days) == (70, 90, 14)
    assert (daily.mode, daily.chart, daily.origin, daily.clusters) == ("on-change", False, "config",
                                                                         ("payments-native",))
    assert (everything.timezone, everything.mode, everything.chart, everything.clusters) == ("UTC", "always", True, ())


def test_a_file_without_digests_has_none():
    assert parse_digests("access: {default_role: viewer}\n") == ()
    assert parse_digests("") == ()


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (("0 9 * * MON-FRI", "0 61 * * *"), "line 6 (digests.0.schedule)", "hour field '61' is out of range"),
        (("Europe/Berlin", "Europe/Berln"), "line 7 (digests.0.timezone)", "did you mean Europe/Berlin"),
        (("every 6h", "every 5s"), "line 15 (digests.1.schedule)", "from 10 seconds"),
        (("forecastDays: 14", "forecastDays: -1"), "line 10 (digests.0.forecastDays)", "greater than 0"),
        (("mode: on-change", "mode: sometimes"), "line 11 (digests.0.mode)", "'always' or 'on-change'"),
        (("chart: false", "charts: false"), "line 12 (digests.0.charts)", "unknown key"),
        (("warning: 70", "warning: 95"), "line 9 (digests.0.thresholds)", "warning (95) must be below error (90)"),
        (("name: everything", "name: payments-daily"), "line 13 (digests.1.name)", "defined twice"),
        (("name: everything", "name: Every Thing"), "line 13 (digests.1.name)", "should match pattern"),
        (("    channel: C0ALL\n", ""), "line 13 (digests.1.channel)", "this key is required"),
        (("chart: false", "chart: false\n    mode: always"), "line 13", "the key 'mode' appears twice"),
    ],
)
def test_every_mistake_names_its_key_and_line(change, where, message):
    with pytest.raises(InputError) as caught:
        parse_digests(GOOD.replace(*change), source="okebot.yaml")
    assert caught.value.where == f"okebot.yaml {where}"
    assert message in caught.value.message


def test_bad_yaml_names_its_line():
    with pytest.raises(InputError, match="not valid YAML") as caught:
        parse_digests("digests:\n  - name: [unclosed\n", source="okebot.yaml")
    assert caught.value.where is not None
    assert caught.value.where.startswith("okebot.yaml line")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_reads_or_is_refused_with_a_place(text):
    where = "f.yaml"
    try:
        parse_digests("digests:\n  - " + text, source="f.yaml")
    except InputError as error:
        where = error.where or ""
    assert where.startswith("f.yaml")


def test_the_shipped_example_file_reads_as_digests_and_as_an_access_policy():
    from pathlib import Path

    from adapters.access_config import parse_access_policy

    text = (Path(__file__).parents[2] / "deploy" / "okebot.example.yaml").read_text(encoding="utf-8")
    (digest,) = parse_digests(text)
    assert (digest.name, digest.mode) == ("payments-daily", "on-change")
    assert parse_access_policy(text).bindings


def test_a_wrongly_typed_key_does_not_hide_the_same_digests_duplicate_name_or_thresholds():
    text = """digests:
  - {name: dup, channel: C0123ABCD, schedule: every 6h}
  - name: dup
    channel: C0123ABCD
    schedule: every 6h
    mode: sometimes
    thresholds: {warning: 99, error: 50}
"""
    with pytest.raises(InputError) as raised:
        parse_digests(text)
    said = {(p.path, p.line, p.message) for p in raised.value.problems}
    assert said == {
        ("digests.1.name", 3, "digest 'dup' is defined twice (also item 0)"),
        ("digests.1.mode", 6, "Input should be 'always' or 'on-change'"),
        ("digests.1.thresholds", 7, "warning (99) must be below error (50)"),
    }


def test_an_item_that_is_not_a_mapping_is_said_without_internal_class_names():
    with pytest.raises(InputError) as raised:
        parse_digests("digests: [5]\n")
    assert [(p.path, p.message) for p in raised.value.problems] == [
        ("digests.0", "expected a mapping of keys to values here")]
