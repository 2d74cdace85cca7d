from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.digest.headroom import headroom_text, more_nodes, pods_cidr_headroom_text
from engine.reports import PodsCidrCapacity, PoolHeadroom


def room(pool: str, ips: int, more: int | None) -> PoolHeadroom:
    return PoolHeadroom(cluster="c", node_pool=pool, ips_per_node=ips, more_nodes=more)


@pytest.mark.parametrize(
    ("headroom", "free", "text"),
    [
        ([room("payments-core", 32, 2), room("payments-edge", 32, 2)], None,
         "≈ 2 more nodes of payments-core, ≈ 2 of payments-edge"),
        ([room("general", 64, 1)], None, "≈ 1 more node of general"),
        ([room("general", 64, 120), room("compute", 128, 60)], 200, "≈ 3 more nodes of general, ≈ 1 of compute"),
        ([room("a", 1, 1), room("b", 1, 2), room("c", 1, 3), room("d", 1, 4), room("e", 1, 5)], None,
         "≈ 1 more node of a, ≈ 2 of b, ≈ 3 of c, 2 more pools"),
        ([room("a", 32, None)], None, None),  # capacity did not know the fill
        ([], None, None),
    ],
)
def test_headroom_is_worded_as_more_nodes_per_pool(headroom, free, text):
    assert headroom_text(headroom, free_ips=free) == text


@given(st.integers(min_value=-100, max_value=10_000), st.integers(min_value=1, max_value=256))
def test_more_nodes_never_overfills_and_never_goes_negative(free, ips):
    count = more_nodes(free, room("p", ips, None))
    assert count >= 0
    assert count * ips <= max(free, 0) < (count + 1) * ips


@pytest.mark.parametrize(("used", "text"), [(14, "≈ 2 more nodes (any pool)"), (16, "≈ 0 more nodes (any pool)"),
                                            (None, None)])
def test_a_pods_cidr_has_room_for_one_node_per_free_slot(used, text):
    cidr = PodsCidrCapacity(cidr="10.244.0.0/21", node_slots=16, node_slots_used=used, pods_capacity=1760)
    assert pods_cidr_headroom_text(cidr) == text
