"""What a rule looks at: one cluster of a tenancy, counted at its current or planned size.

Every rule in `engine.rules.RULES` is a pure function `(Check) -> list[Finding]`. A `Check` builds the
subnet index, the cluster's subnets by role and the shape catalogue once, so rules do not rebuild them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.model import Cluster, Subnet, Tenancy
from engine.shapes import ShapeCatalogue
from engine.topology import ClusterSubnets, cluster_subnets, tenancy_subnets

At = Literal["current", "planned"]
"""How node pools are counted: "current" takes observed nodes, then size (a live cluster); "planned" takes
maxSize, then size, then observed nodes (a plan, or a what-if)."""


@dataclass(frozen=True)
class Check:
    """One cluster to check. `at` says how its node pools are counted; `catalogue` (default: the tenancy's own
    shapes over the built-in table) says how many VNICs each shape has.

    `baseline` is the tenancy as read, when `tenancy` is a what-if's change of it: what is observed now (IPs
    in use, which of them no known pool's nodes hold, the pools' reservations today) is then taken from the
    baseline, so a change adds or frees only the IPs its nodes reserve, and findings say "planned size".
    `topology` is the cluster's subnets by role when already worked out (a resized pool names the same
    subnets); by default it is worked out here.
    """

    tenancy: Tenancy
    cluster: Cluster
    at: At = "planned"
    catalogue: ShapeCatalogue | None = None
    baseline: Tenancy | None = None
    topology: ClusterSubnets | None = None
    shapes: ShapeCatalogue = field(init=False)
    subnets: dict[str, Subnet] = field(init=False)
    used: ClusterSubnets = field(init=False)

    def __post_init__(self) -> None:
        shapes = self.catalogue if self.catalogue is not None else ShapeCatalogue(self.tenancy.shapes)
        object.__setattr__(self, "shapes", shapes)
        # A what-if changes clusters, never subnets: its subnets are the baseline's, indexed once for both.
        same = self.baseline is not None and self.baseline.subnets is self.tenancy.subnets
        object.__setattr__(self, "subnets", tenancy_subnets(self.baseline if same and self.baseline else self.tenancy))
        object.__setattr__(self, "used", self.topology if self.topology is not None else cluster_subnets(self.cluster))
