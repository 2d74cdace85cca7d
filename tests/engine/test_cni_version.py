from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cni.version import compare_versions, is_on_delete_version, parse_plugin_version


@pytest.mark.parametrize(
    ("left", "right", "order"),
    [
        ("2.3.0", "2.10.1", -1),
        ("2.10.1", "2.3.0", 1),
        ("v2.3.0", "2.3", 0),
        ("2.3.0-oke.1", "2.2.9", 1),
        ("V3.2.0", "v3.2.0+build7", 0),
        ("2.2.99", "2.3", -1),
        ("garbage", "2.3.0", None),
        (None, "2.3.0", None),
    ],
)
def test_versions_compare_numerically_tolerating_a_v_and_suffixes(left, right, order):
    assert compare_versions(left, right) == order


@pytest.mark.parametrize(
    ("version", "on_delete"),
    [("2.2.9", False), ("2.3.0", True), ("2.3", True), ("v2.10.1", True), ("3", True), ("1.99", False),
     ("latest", None), (None, None)],
)
def test_cni_2_3_0_and_later_update_on_delete(version, on_delete):
    assert is_on_delete_version(version) == on_delete


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=5), st.text(max_size=10))
def test_any_dotted_version_parses_to_its_numbers_whatever_follows(parts, suffix):
    text = ".".join(map(str, parts))
    trailing = suffix if not suffix[:1].isdigit() and not suffix.startswith(".") else ""
    assert parse_plugin_version(f"v{text}{trailing}") == tuple(parts)


@given(st.text(max_size=20))
def test_no_text_makes_version_parsing_raise(text):
    parsed = parse_plugin_version(text)
    assert parsed is None or all(part >= 0 for part in parsed)
