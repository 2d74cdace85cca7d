"""What OKE cannot change on an existing cluster: a plan that changes it needs a new cluster instead.

Plans may name VCNs and subnets by name where the live tenancy uses OCIDs, so a VCN or subnet counts as
the same when its id, its name or its CIDR blocks match (a display name can be edited in OCI; renaming is not
moving).
"""

from __future__ import annotations

from engine.findings import Finding
from engine.model import Cluster, Tenancy
from engine.rules._common import finding


def compare_against(
    live: Cluster, planned: Cluster, *, live_tenancy: Tenancy, planned_tenancy: Tenancy
) -> list[Finding]:
    """Findings for every change from the live cluster to the planned one that OKE does not allow."""
    subject = f"cluster:{live.name}"
    found: list[Finding] = []
    if planned.cni is not live.cni:
        found.append(
            finding(
                "CNI_IMMUTABLE",
                subject,
                f"Cluster {live.name} uses {live.cni.value}; the plan changes it to {planned.cni.value}.",
                details={"live": live.cni.value, "planned": planned.cni.value},
            )
        )
    for code, label, was, will in (
        ("PODS_CIDR_IMMUTABLE", "pods CIDR", live.pods_cidr, planned.pods_cidr),
        ("SERVICES_CIDR_IMMUTABLE", "services CIDR", live.services_cidr, planned.services_cidr),
    ):
        # A plan that leaves a CIDR out keeps the live one; only a stated, different value is a change.
        if was is not None and will is not None and was != will:
            found.append(
                finding(
                    code,
                    subject,
                    f"Cluster {live.name} {label} is {was}; the plan changes it to {will}.",
                    details={"live": str(was), "planned": str(will)},
                )
            )
    found += _vcn_change(live, planned, live_tenancy, planned_tenancy)
    found += _endpoint_subnet_change(live, planned, live_tenancy, planned_tenancy)
    return found


def _vcn_change(
    live: Cluster, planned: Cluster, live_tenancy: Tenancy, planned_tenancy: Tenancy
) -> list[Finding]:
    if live.vcn_id is None or planned.vcn_id is None or live.vcn_id == planned.vcn_id:
        return []
    was, will = live_tenancy.vcn(live.vcn_id), planned_tenancy.vcn(planned.vcn_id)
    was_name = was.name if was else live.vcn_id
    will_name = will.name if will else planned.vcn_id
    if was_name == will_name or (was and will and set(was.cidrs) == set(will.cidrs)):
        return []
    return [
        finding(
            "VCN_IMMUTABLE",
            f"cluster:{live.name}",
            f"Cluster {live.name} is in VCN {was_name}; the plan puts it in VCN {will_name}.",
            details={"live": was_name, "planned": will_name},
        )
    ]


def _endpoint_subnet_change(
    live: Cluster, planned: Cluster, live_tenancy: Tenancy, planned_tenancy: Tenancy
) -> list[Finding]:
    live_id, planned_id = live.endpoint_subnet_id, planned.endpoint_subnet_id
    if live_id is None or planned_id is None or live_id == planned_id:
        return []
    was, will = live_tenancy.subnet(live_id), planned_tenancy.subnet(planned_id)
    was_name = was.name if was else live_id
    will_name = will.name if will else planned_id
    if was_name == will_name or (was and will and was.cidrs and set(was.cidrs) == set(will.cidrs)):
        return []
    return [
        finding(
            "API_ENDPOINT_SUBNET_IMMUTABLE",
            f"cluster:{live.name}",
            f"Cluster {live.name} API endpoint is in subnet {was_name}; the plan moves it to {will_name}.",
            details={"live": was_name, "planned": will_name},
        )
    ]
