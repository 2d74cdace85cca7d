"""Errors say what was wrong and what to do, and never name what the asker may not see."""

from __future__ import annotations

from engine.errors import ClusterNotFoundError


def test_a_missing_cluster_suggests_the_closest_name_and_lists_the_rest():
    error = ClusterNotFoundError("paymnts-native", ["retail-flannel", "payments-native"], where="snapshot t.json")
    assert error.message == ("no cluster 'paymnts-native' in snapshot t.json; did you mean 'payments-native'? "
                             "(clusters: payments-native, retail-flannel)")


def test_a_missing_cluster_seen_from_a_channel_names_only_what_it_may_see():
    error = ClusterNotFoundError("nope", ["retail-flannel", "payments-native"])
    assert error.among(["payments-native"]).message == "no cluster 'nope' (clusters: payments-native)"
    assert error.among(None).message == "no cluster 'nope'"
