"""What could not be read, told where it matters: which kinds each answer uses, and what to do about a refusal.

A partial answer names what is missing only when the answer uses it (the CNI pods do not change a capacity
figure), names the cluster rather than only its OCID (`Tenancy.unreadable_for`), and says how to fix a
refusal: Kubernetes RBAC for a cluster's CNI objects, the IAM policy for OCI's.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.model import Cluster, Tenancy, Unreadable

# Read for the CNI status only: add-on versions, the CNI DaemonSet, its pods and their logs.
CNI_KINDS = frozenset({"kubernetes", "podLog", "addons", "addonOptions"})
# Read for the network rules only (security rules, routes, image age), not for capacity figures.
RULE_KINDS = frozenset({
    "securityLists", "networkSecurityGroups", "nsgSecurityRules", "routeTables", "natGateways", "serviceGateways",
    "internetGateways", "drgs", "images",
})
CAPACITY_IGNORES = CNI_KINDS | RULE_KINDS
RBAC_FILE = "deploy/kubernetes/rbac.yaml"
IAM_FILE = "deploy/iam-policy.txt"


def remedy_for(item: Unreadable) -> str | None:
    """What to do about something that could not be read; None when okebot cannot tell."""
    refused = item.status in (401, 403) or (item.code or "").lower() in ("forbidden", "notauthorizedornotfound")
    if item.kind in ("kubernetes", "podLog"):
        if refused:
            return (f"okebot's Kubernetes identity may not read the CNI pods in kube-system: apply {RBAC_FILE} to "
                    "the cluster (docs/kubernetes-access.md), then ask again")
        return "check that okebot can reach the cluster's Kubernetes API endpoint (docs/kubernetes-access.md)"
    if refused:
        return f"grant okebot read access with the IAM policy in {IAM_FILE} (docs/oci-source.md), then ask again"
    if item.status is not None and (item.status >= 500 or item.status == 429):
        return "OCI did not answer this time; ask again (Refresh, or --fresh)"
    return None


def unreadable_for(tenancy: Tenancy, clusters: Iterable[Cluster], *, ignore: Iterable[str] = ()) -> list[Unreadable]:
    """What could not be read that matters to these clusters and this answer (kinds in `ignore` left out),
    each naming its cluster or pool and saying what to do when okebot knows."""
    return [
        item if item.remedy is not None else item.model_copy(update={"remedy": remedy_for(item)})
        for item in tenancy.unreadable_for(clusters, ignore=frozenset(ignore))
    ]
