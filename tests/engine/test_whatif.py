"""What-if: the live model, changed; what was observed and still holds is kept."""

from __future__ import annotations

import pytest

from engine.capacity.pods import pods_per_node
from engine.errors import InputError, NotFoundError
from engine.model import Cni
from engine.shapes import ShapeCatalogue
from engine.usecases.whatif import WhatIfChange, apply_whatif
from tests.engine.builders import cluster, nodes, pool, tenancy


def _flex_pool_seen_with_four_vnics():
    return pool("np1", shape="VM.Standard.E4.Flex", ocpus=None, nodes=nodes(3, max_vnics=4))


def test_resizing_a_pool_keeps_the_vnic_limit_read_from_its_instances():
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    changed = apply_whatif(tenancy(c), c, WhatIfChange(pool="np1", size=50))
    (after,) = changed.cluster.node_pools
    assert after.nodes is None
    assert after.size == 50
    assert pods_per_node(after, Cni.VCN_NATIVE, ShapeCatalogue()).max_pods == 93


def test_changing_the_shape_drops_the_vnic_limit_of_the_old_instances():
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    changed = apply_whatif(tenancy(c), c, WhatIfChange(pool="np1", shape="VM.Standard.E4.Flex", ocpus=2))
    (after,) = changed.cluster.node_pools
    assert after.observed_vnics is None
    assert pods_per_node(after, Cni.VCN_NATIVE, ShapeCatalogue()).max_pods == 31


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (WhatIfChange(pool="np1"), InputError),
        (WhatIfChange(pool="nope", size=3), NotFoundError),
        (WhatIfChange(size=3), InputError),
        (WhatIfChange(add_pool="np1"), InputError),
    ],
)
def test_a_what_if_that_changes_nothing_or_names_nothing_is_refused(change, error):
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    with pytest.raises(error):
        apply_whatif(tenancy(c), c, change)


def test_adding_a_pool_models_it_on_the_template_with_the_new_size():
    c = cluster("prod", pools=[_flex_pool_seen_with_four_vnics()])
    changed = apply_whatif(tenancy(c), c, WhatIfChange(add_pool="np2", pool="np1", size=7))
    new = changed.cluster.node_pools[-1]
    assert (new.name, new.size, new.nodes) == ("np2", 7, None)
    assert "add node pool np2 modelled on np1" in changed.changes
