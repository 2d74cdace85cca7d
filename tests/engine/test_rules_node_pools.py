"""Node pool / CNI compatibility."""

from __future__ import annotations

import pytest

from engine.check import Check
from engine.model import Cni, NodePoolType
from engine.rules.node_pools import cni_compat_findings
from tests.engine.builders import codes
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy


@pytest.mark.parametrize(
    ("cni", "pool_type", "pod_subnets", "expected"),
    [
        (Cni.FLANNEL, NodePoolType.MANAGED, (), []),
        (Cni.FLANNEL, NodePoolType.VIRTUAL, (), ["FLANNEL_VIRTUAL_NODE_POOL"]),
        (Cni.FLANNEL, NodePoolType.MANAGED, ("pods",), ["FLANNEL_POD_SUBNET_IGNORED"]),
        (Cni.VCN_NATIVE, NodePoolType.VIRTUAL, ("pods",), []),
    ],
)
def test_flannel_supports_managed_pools_without_pod_subnets_only(
    cni: Cni, pool_type: NodePoolType, pod_subnets: tuple[str, ...], expected: list[str]
) -> None:
    the_cluster = cluster(cni, node_pools=(pool(type=pool_type, pod_subnet_ids=pod_subnets),))
    found = cni_compat_findings(Check(tenancy(the_cluster), the_cluster))
    assert codes(found) == expected
    assert all(f.subject == "nodePool:np1" for f in found)
