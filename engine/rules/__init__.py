"""Every rule okebot checks a cluster with, network and capacity alike.

A rule is a pure function `(Check) -> list[Finding]` (`engine.check`). Each rule module ends with its own
`RULES` tuple; adding a rule to a family touches only that module (and the catalogue entry of its code).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.capacity import rules as capacity
from engine.check import Check
from engine.findings import Finding
from engine.rules import (
    cidr_overlap,
    cidr_sizes,
    endpoint_access,
    node_pools,
    routes,
    security,
    subnets,
    versions,
)

Rule = Callable[[Check], list[Finding]]

# Every rule but capacity's: what a capacity answer, which has its own capacity findings, counts beside them.
NETWORK_RULES: tuple[Rule, ...] = (
    *cidr_sizes.RULES,
    *cidr_overlap.RULES,
    *subnets.RULES,
    *node_pools.RULES,
    *versions.RULES,
    *routes.RULES,
    *security.RULES,
    *endpoint_access.RULES,
)

RULES: tuple[Rule, ...] = (*NETWORK_RULES, *capacity.RULES)
