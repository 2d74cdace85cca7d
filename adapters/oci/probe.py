"""Probes for `okebot config check`: which IAM permissions the OCI reader needs and which ones the principal
lacks, and whether each VCN-native cluster's CNI DaemonSet can be read from Kubernetes.

Each `Permission` is one statement of deploy/iam-policy.txt (a test keeps them in agreement). `probe` makes one
list call per service and compartment (`limit=1`, no paging) through the executor, as the reader would: OCI
answers 404 NotAuthorizedOrNotFound (sometimes 403) when a policy statement is missing, for a compartment the
principal may not see as for one that does not exist, so either is reported against the statement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adapters.oci.clients import OciClients, build_clients
from adapters.oci.executor import OciExecutor
from adapters.oci.settings import AuthMode, OciSettings
from engine.errors import EngineError, SourceError


@dataclass(frozen=True)
class Permission:
    """One IAM statement: `verb` (inspect, read, use) on `resource` (a resource type or family), granted
    `in tenancy` or `in compartment <compartment>`."""

    verb: str
    resource: str
    scope: str = "compartment"

    def statement(self, subject: str, compartment: str) -> str:
        """"Allow group okebot to read virtual-network-family in compartment ocid1.compartment…"."""
        where = "tenancy" if self.scope == "tenancy" else f"compartment {compartment}"
        return f"Allow {subject} to {self.verb} {self.resource} in {where}"


CLUSTER_FAMILY = Permission("read", "cluster-family")
NETWORK_FAMILY = Permission("read", "virtual-network-family")
INSTANCES = Permission("read", "instances")
COMPARTMENTS = Permission("inspect", "compartments", scope="tenancy")

# (client attribute, SDK list operation, the permission it needs): one cheap call per service the reader uses.
PROBES: tuple[tuple[str, str, Permission], ...] = (
    ("container_engine", "list_clusters", CLUSTER_FAMILY),
    ("network", "list_vcns", NETWORK_FAMILY),
    ("network", "list_subnets", NETWORK_FAMILY),
    ("compute", "list_shapes", INSTANCES),
)
DENIED_STATUSES = (403, 404)

_SUBJECTS: dict[AuthMode, str] = {
    "config": "group <the group of the OCI config's user>",
    "instance_principal": "dynamic-group <a dynamic group matching the instances>",
    "resource_principal": "dynamic-group <a dynamic group matching the resource>",
    "oke_workload_identity": "any-user",
}
_WORKLOAD_CONDITION = (
    " where all {request.principal.type='workload', request.principal.namespace='<namespace>',"
    " request.principal.service_account='<service account>', request.principal.cluster_id='<cluster OCID>'}"
)


def subject_for(auth: AuthMode) -> str:
    """Who a policy statement names for this auth mode ("group <…>", "dynamic-group <…>", "any-user")."""
    return _SUBJECTS[auth]


def missing_statement(permission: Permission, auth: AuthMode, compartment: str) -> str:
    """The statement that would grant `permission` to the principal of `auth` (workload identity's condition
    included)."""
    text = permission.statement(subject_for(auth), compartment)
    return text + _WORKLOAD_CONDITION if auth == "oke_workload_identity" else text


@dataclass(frozen=True)
class ProbeResult:
    """One probe call: `operation` in `compartment` (None for tenancy-wide), the permission it needs, and its
    error (None when OCI answered). `denied` is a 403/404: the permission is missing (or the OCID is wrong)."""

    operation: str
    compartment: str | None
    permission: Permission
    error: SourceError | None

    @property
    def denied(self) -> bool:
        return self.error is not None and self.error.status in DENIED_STATUSES


def compartments_of(settings: OciSettings, clients: OciClients) -> list[str]:
    """The compartments the reader would read: OKEBOT_OCI_COMPARTMENTS, else the tenancy (root compartment)."""
    if settings.compartment_ids:
        return list(settings.compartment_ids)
    return [clients.tenancy_id] if clients.tenancy_id else []


async def probe(settings: OciSettings, clients: OciClients | None = None) -> tuple[list[str], list[ProbeResult]]:
    """Probe every permission in every configured compartment; returns the compartments and one result per call.

    Raises SourceError when the clients cannot be built (the auth mode or its key is unusable). Clients built
    here are closed here; the calls retry little (2 attempts) so a check finishes in seconds.
    """
    quick = settings.model_copy(update={"retry_max_attempts": 2, "retry_total_seconds": 20.0,
                                        "breaker_failure_threshold": 0})
    built: OciClients = clients if clients is not None else await asyncio.to_thread(build_clients, quick)
    executor = OciExecutor(max(2, min(settings.concurrency, 8)))
    try:
        compartments = compartments_of(settings, built)
        calls = [_call(executor, built, attribute, operation, permission, compartment)
                 for compartment in compartments for attribute, operation, permission in PROBES]
        if settings.recursive and built.tenancy_id:
            calls.append(_call(executor, built, "identity", "list_compartments", COMPARTMENTS, built.tenancy_id,
                               tenancy_wide=True))
        return compartments, list(await asyncio.gather(*calls))
    finally:
        executor.close()
        if clients is None:
            await asyncio.to_thread(built.close)


async def _call(executor: OciExecutor, clients: OciClients, attribute: str, operation: str,
                permission: Permission, compartment: str, *, tenancy_wide: bool = False) -> ProbeResult:
    client: Any = getattr(clients, attribute)
    try:
        await executor.first_page(operation, getattr(client, operation), compartment_id=compartment, limit=1)
    except SourceError as error:
        return ProbeResult(operation, None if tenancy_wide else compartment, permission, error)
    return ProbeResult(operation, None if tenancy_wide else compartment, permission, None)


def operations_needing(permission: Permission) -> Sequence[str]:
    """The probe operations that stand for `permission` (for messages)."""
    return [operation for _, operation, needed in PROBES if needed == permission]


@dataclass(frozen=True)
class KubeProbe:
    """One VCN-native cluster's CNI DaemonSet read: `read` True when it was read, False when the kubeconfig
    given is for another cluster (nothing to check); `error` says why it could not be read."""

    cluster: str
    read: bool
    error: EngineError | None = None


async def probe_kubernetes(settings: OciSettings, *, limit: int = 10) -> list[KubeProbe]:
    """Read the CNI DaemonSet of each active VCN-native cluster in the configured compartments (at most
    `limit`), as a recording would reach it (OKEBOT_KUBECONFIG, or create_kubeconfig and an OKE token).

    Raises SourceError when the clients cannot be built or no compartment's clusters can be listed.
    """
    from adapters.oci import refs
    from adapters.oci.kube_link import KubeLink
    from adapters.oci.wire import wire_list

    quick = settings.model_copy(update={"retry_max_attempts": 2, "retry_total_seconds": 20.0,
                                        "breaker_failure_threshold": 0})
    clients = await asyncio.to_thread(build_clients, quick)
    executor = OciExecutor(max(2, min(settings.concurrency, 8)))
    try:
        clusters: list[dict[str, Any]] = []
        for compartment in compartments_of(settings, clients):
            ce = clients.container_engine
            items = await executor.list_all("list_clusters", ce.list_clusters, compartment_id=compartment,
                                            lifecycle_state=["ACTIVE"])
            clusters += wire_list(ce, items)
        link = KubeLink(clients, quick)
        results: list[KubeProbe] = []
        for cluster in [c for c in clusters if refs.is_vcn_native(c)][:limit]:
            name = str(cluster.get("name") or cluster.get("id"))
            try:
                results.append(KubeProbe(name, await link.check(cluster, executor=executor)))
            except EngineError as error:
                results.append(KubeProbe(name, False, error))
        return results
    finally:
        executor.close()
        await asyncio.to_thread(clients.close)
