"""Cluster references name clusters by OCID, else exact name, else case-insensitive name; never silently one of two."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.snapshot.selection import matching_ids

NAMES = st.text(alphabet="abAB-", min_size=1, max_size=4)
CLUSTERS = st.lists(NAMES, max_size=6).map(lambda names: [(f"ocid1.cluster.{i}", n) for i, n in enumerate(names)])


@given(CLUSTERS, NAMES)
def test_a_reference_matches_only_clusters_with_that_id_or_name(clusters: list[tuple[str, str]], ref: str) -> None:
    found = matching_ids(ref, clusters)
    named = {cid for cid, name in clusters if name.casefold() == ref.casefold()}
    assert set(found) <= named
    assert bool(found) == bool(named)


@given(CLUSTERS)
def test_an_ocid_always_names_exactly_its_cluster(clusters: list[tuple[str, str]]) -> None:
    for cid, _ in clusters:
        assert matching_ids(cid, clusters) == [cid]


def test_an_exact_name_wins_over_a_case_insensitive_one() -> None:
    assert matching_ids("prod", [("a", "Prod"), ("b", "prod")]) == ["b"]
    assert matching_ids("PROD", [("a", "Prod"), ("b", "prod")]) == ["a", "b"]
