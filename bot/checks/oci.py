"""The OCI and Kubernetes areas of `okebot config check`: the auth mode works, each configured compartment
answers one cheap list call per service the reader uses, and a denied call is named as the IAM statement of
deploy/iam-policy.txt that is missing; with OKEBOT_KUBE_ENABLED, each VCN-native cluster's CNI DaemonSet is
readable."""

from __future__ import annotations

from collections import defaultdict

from adapters.oci.probe import KubeProbe, Permission, ProbeResult, missing_statement, probe, probe_kubernetes
from adapters.oci.settings import OciSettings
from bot.checks import Check
from engine.errors import SourceError


async def check_oci(settings: OciSettings) -> list[Check]:
    """The auth mode, then one check per compartment and permission."""
    try:
        compartments, results = await probe(settings)
    except SourceError as error:
        return [Check("oci", f"auth {settings.auth}", "fail", error.message,
                      error.remedy or "check OKEBOT_OCI_AUTH and its credentials")]
    checks = [Check("oci", f"auth {settings.auth}", "pass", "credentials loaded; signing requests")]
    if not compartments:
        return [*checks, Check("oci", "compartments", "fail", "no compartment to read: OKEBOT_OCI_COMPARTMENTS is "
                               "unset and this auth mode does not name the tenancy",
                               "set OKEBOT_OCI_COMPARTMENTS to the compartment OCIDs okebot should read")]
    grouped: dict[tuple[str | None, Permission], list[ProbeResult]] = defaultdict(list)
    for result in results:
        grouped[(result.compartment, result.permission)].append(result)
    for (compartment, permission), group in grouped.items():
        checks.append(_permission_check(settings, compartment, permission, group))
    return checks


def _permission_check(settings: OciSettings, compartment: str | None, permission: Permission,
                      group: list[ProbeResult]) -> Check:
    where = compartment or "tenancy"
    name = f"{permission.verb} {permission.resource} in {where}"
    operations = ", ".join(result.operation for result in group)
    denied = [result for result in group if result.denied]
    failed = [result for result in group if result.error is not None and not result.denied]
    if denied:
        first = denied[0].error
        assert first is not None
        statement = missing_statement(permission, settings.auth, compartment or "")
        wrong_id = "" if compartment is None else " (or the compartment OCID is wrong: OCI answers 404 for both)"
        return Check("oci", name, "fail",
                     f"{', '.join(r.operation for r in denied)}: {first.status} {first.code}"
                     + (f" (opc-request-id {first.request_id})" if first.request_id else ""),
                     f"missing: {statement}{wrong_id}")
    if failed:
        error = failed[0].error
        assert error is not None
        detail = error.message + (f" (opc-request-id {error.request_id})" if error.request_id else "")
        return Check("oci", name, "fail", detail, error.remedy or "retry; if it persists, check the OCI endpoint")
    return Check("oci", name, "pass", f"{operations} answered")


async def check_kubernetes(settings: OciSettings) -> list[Check]:
    """Each active VCN-native cluster's CNI DaemonSet, read as a recording reads it."""
    if not settings.reads_kubernetes:
        return [Check("kubernetes", "CNI DaemonSet", "skip",
                      "OKEBOT_KUBE_ENABLED is off and OKEBOT_KUBECONFIG unset: CNI pods are not read")]
    try:
        probes = await probe_kubernetes(settings)
    except SourceError as error:
        return [Check("kubernetes", "clusters", "fail", error.message, error.remedy or "see the OCI checks above")]
    if not probes:
        return [Check("kubernetes", "CNI DaemonSet", "skip", "no active VCN-native cluster to read")]
    return [_kube_check(result) for result in probes]


def _kube_check(result: KubeProbe) -> Check:
    name = f"CNI DaemonSet of {result.cluster}"
    if result.error is not None:
        return Check("kubernetes", name, "fail", result.error.message,
                     result.error.remedy or "grant get on daemonsets in kube-system (deploy/kubernetes/rbac.yaml) and "
                     "use clusters (deploy/iam-policy.txt)")
    if not result.read:
        return Check("kubernetes", name, "skip", "OKEBOT_KUBECONFIG is for another cluster")
    return Check("kubernetes", name, "pass", "kube-system/vcn-native-ip-cni is readable")
