"""What OKE cannot change on an existing cluster: a plan that changes it needs a new cluster instead.

Plans may name VCNs and subnets by name where the live tenancy uses OCIDs, so a VCN or subnet counts as
the same when its id or its name matches. Another name with the same CIDR blocks is most likely a rename (a
display name can be edited in OCI): a warning, not an error.
"""

from __future__ import annotations

from engine.catalogue import finding
from engine.codes import Code
from engine.findings import Finding, Severity
from engine.model import Cluster, Tenancy


def compare_against(
    live: Cluster, planned: Cluster, *, live_tenancy: Tenancy, planned_tenancy: Tenancy
) -> list[Finding]:
    """Findings for every change from the live cluster to the planned one that OKE does not allow."""
    subject = f"cluster:{live.name}"
    found: list[Finding] = []
    if planned.cni is not live.cni:
        found.append(
            finding(
                Code.CNI_IMMUTABLE,
                subject,
                f"Cluster {live.name} uses {live.cni.value}; the plan changes it to {planned.cni.value}.",
                details={"live": live.cni.value, "planned": planned.cni.value, "field": "cluster.cni"},
            )
        )
    for code, label, field, was, will in (
        (Code.PODS_CIDR_IMMUTABLE, "pods CIDR", "cluster.podsCidr", live.pods_cidr, planned.pods_cidr),
        (Code.SERVICES_CIDR_IMMUTABLE, "services CIDR", "cluster.servicesCidr", live.services_cidr,
         planned.services_cidr),
    ):
        # A plan that leaves a CIDR out keeps the live one; only a stated, different value is a change.
        if was is not None and will is not None and was != will:
            found.append(
                finding(
                    code,
                    subject,
                    f"Cluster {live.name} {label} is {was}; the plan changes it to {will}.",
                    details={"live": str(was), "planned": str(will), "field": field},
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
    if was_name == will_name:
        return []
    renamed = bool(was and will and was.cidrs and set(was.cidrs) == set(will.cidrs))
    return [_moved(Code.VCN_IMMUTABLE, live, "VCN", was_name, will_name, renamed=renamed)]


def _moved(code: Code, live: Cluster, what: str, was_name: str, will_name: str, *, renamed: bool) -> Finding:
    """A plan that names another VCN or endpoint subnet: an error, or a warning when the CIDRs say rename."""
    if not renamed:
        return finding(
            code,
            f"cluster:{live.name}",
            f"Cluster {live.name} uses {what} {was_name}; the plan puts it on {what} {will_name}.",
            details={"live": was_name, "planned": will_name},
        )
    return finding(
        code,
        f"cluster:{live.name}",
        f"Cluster {live.name} uses {what} {was_name}; the plan names {what} {will_name} with the same CIDRs, "
        "so okebot takes it for a rename. If it is another one, OKE cannot move the cluster to it.",
        severity=Severity.WARNING,
        details={"live": was_name, "planned": will_name, "assumedRename": True},
    )


def _endpoint_subnet_change(
    live: Cluster, planned: Cluster, live_tenancy: Tenancy, planned_tenancy: Tenancy
) -> list[Finding]:
    live_id, planned_id = live.endpoint_subnet_id, planned.endpoint_subnet_id
    if live_id is None or planned_id is None or live_id == planned_id:
        return []
    was, will = live_tenancy.subnet(live_id), planned_tenancy.subnet(planned_id)
    was_name = was.name if was else live_id
    will_name = will.name if will else planned_id
    if was_name == will_name:
        return []
    renamed = bool(was and will and was.cidrs and set(was.cidrs) == set(will.cidrs))
    return [
        _moved(Code.API_ENDPOINT_SUBNET_IMMUTABLE, live, "API endpoint subnet", was_name, will_name, renamed=renamed)
    ]
