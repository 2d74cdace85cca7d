"""The Kubernetes part of a recording: a VCN-native cluster's CNI objects, read through adapters/kube.

With OKEBOT_KUBECONFIG, that kubeconfig is used for the cluster it points at (its OKE exec names the cluster,
or its server is one of the cluster's endpoints). With only OKEBOT_KUBE_ENABLED, OCI's `create_kubeconfig`
gives the endpoint and CA, and the token is signed in-process with the same credentials as the OCI reads.
"""

from __future__ import annotations

import asyncio
from typing import Any

import oci.regions

from adapters.kube.kubeconfig import ClusterAccess, load_kubeconfig, parse_kubeconfig
from adapters.kube.reader import read_cni_daemonset, read_cni_objects
from adapters.kube.token import DEFAULT_REALM_DOMAIN, OkeTokenSource
from adapters.oci.clients import OciClients
from adapters.oci.errors import error_entry
from adapters.oci.executor import OciExecutor
from adapters.oci.settings import OciSettings
from adapters.oci.wire import Json
from engine.errors import EngineError, InputError, SourceError


class KubeLink:
    """Reads the `kubernetes` snapshot entry of one cluster at a time."""

    def __init__(self, clients: OciClients, settings: OciSettings) -> None:
        self._clients = clients
        self._settings = settings

    async def read(self, cluster: Json, *, executor: OciExecutor, errors: list[Json]) -> Json | None:
        """The cluster's CNI objects, or None (with an `errors` entry when something failed)."""
        cluster_id = str(cluster.get("id"))
        try:
            access = await self._access(cluster, executor)
            if access is None:
                return None
            entry = await read_cni_objects(
                access.endpoint, ca_pem=access.ca_pem, token=self._token(access, cluster_id),
                verify_tls=access.verify_tls, timeout=self._settings.read_timeout,
            )
        except EngineError as error:
            source = error if isinstance(error, SourceError) else SourceError(error.message, code=type(error).__name__)
            errors.append(error_entry(source, kind="kubernetes", object_id=cluster_id))
            return None
        errors.extend(_entry_errors(entry, cluster_id))
        return {key: value for key, value in entry.items() if key != "errors"}

    async def check(self, cluster: Json, *, executor: OciExecutor) -> bool:
        """Read only the cluster's CNI DaemonSet, as a recording would reach it: True when it was read, False
        when the configured kubeconfig is for another cluster. SourceError (or InputError) says why not."""
        access = await self._access(cluster, executor)
        if access is None:
            return False
        token = self._token(access, str(cluster.get("id")))
        await read_cni_daemonset(access.endpoint, ca_pem=access.ca_pem, token=token, verify_tls=access.verify_tls,
                                 timeout=self._settings.read_timeout)
        return True

    async def _access(self, cluster: Json, executor: OciExecutor) -> ClusterAccess | None:
        kubeconfig = self._settings.kubeconfig
        if kubeconfig is not None:
            access = await asyncio.to_thread(load_kubeconfig, kubeconfig)
            return access if _points_at(access, cluster) else None
        ce = self._clients.container_engine
        cluster_id = str(cluster.get("id"))
        body = await executor.stream("create_kubeconfig", ce.create_kubeconfig, cluster_id)
        return parse_kubeconfig(body.decode("utf-8", "replace"), source=f"create_kubeconfig({cluster_id})")

    def _token(self, access: ClusterAccess, cluster_id: str) -> Any:
        if access.token is not None:
            return access.token
        region = (access.oke_exec.region if access.oke_exec else None) or self._clients.region
        if not region:
            raise InputError("the region is unknown, so no OKE token can be signed", where="OKEBOT_OCI_REGION")
        signer = self._clients.container_engine.base_client.signer
        return OkeTokenSource(signer, region, cluster_id=cluster_id, realm_domain=realm_domain(region))


def _points_at(access: ClusterAccess, cluster: Json) -> bool:
    if access.oke_exec is not None:
        return access.oke_exec.cluster_id == cluster.get("id")
    endpoints = cluster.get("endpoints") or {}
    hosts = {str(value) for value in endpoints.values() if value} if isinstance(endpoints, dict) else set()
    server = access.endpoint.split("://", 1)[-1].rstrip("/")
    return server in hosts


def _entry_errors(entry: Json, cluster_id: str) -> list[Json]:
    found = entry.get("errors") or []
    return [
        {**item, "kind": item.get("kind", "kubernetes"), "id": item.get("id", cluster_id)}
        for item in found
        if isinstance(item, dict) and item.get("message")
    ]


def realm_domain(region: str) -> str:
    """The realm's second-level domain for a region (oraclecloud.com in OC1, oraclegovcloud.com in OC2, ...).

    `oci ce cluster generate-token` hard-codes oraclecloud.com (oci-cli's generate_token), which only works
    in OC1; the SDK's own region table knows the others. An unknown region falls back to OC1's domain.
    """
    realm = oci.regions.REGION_REALMS.get(region)
    return str(oci.regions.REALMS.get(realm, DEFAULT_REALM_DOMAIN)) if realm else DEFAULT_REALM_DOMAIN
