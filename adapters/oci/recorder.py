"""Record a live tenancy into a snapshot document (docs/snapshot-format.md), read-only.

Reads fan out per compartment and per object on the bounded executor, so the critical path is
compartments → lists → gets → follow-ups (private IPs, one instance per flex pool). The number of calls grows
with compartments, clusters, node pools and subnets, never with nodes. What fails is named in `errors`;
what was not read stays absent.

A read of named clusters also reads the clusters whose node pools share a worker or pod subnet with theirs
(found in the compartments' node pool lists, which are read anyway): their nodes take IPs from that subnet,
so without them a named cluster's subnet answers would differ from a full read's.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.oci import refs
from adapters.oci.clients import OciClients, build_clients
from adapters.oci.errors import error_entry
from adapters.oci.executor import OciExecutor, gather
from adapters.oci.kube_link import KubeLink
from adapters.oci.settings import OciSettings
from adapters.oci.snapshot_doc import DocumentParts, assemble
from adapters.oci.wire import Json, to_wire, wire_list
from adapters.snapshot.selection import ClusterListing
from engine.errors import SourceError
from engine.words import plural

Progress = Callable[[str], None]
# (document kind, client attribute, SDK operation): lists read once per compartment.
_NETWORK_LISTS = (
    ("vcns", "network", "list_vcns"),
    ("subnets", "network", "list_subnets"),
    ("securityLists", "network", "list_security_lists"),
    ("routeTables", "network", "list_route_tables"),
    ("natGateways", "network", "list_nat_gateways"),
    ("serviceGateways", "network", "list_service_gateways"),
    ("internetGateways", "network", "list_internet_gateways"),
    # Which instance holds each VNIC: with privateIps[].vnicId it says whose IPs a subnet's are.
    ("vnicAttachments", "compute", "list_vnic_attachments"),
)


async def record_snapshot(
    settings: OciSettings, *, clusters: Sequence[str] | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Read the tenancy the settings name into a snapshot document.

    Raises SourceError when no compartment's clusters could be listed, as a read of that document would:
    a snapshot with no cluster list would replay as "no clusters".
    """
    built = await asyncio.to_thread(build_clients, settings)
    executor = OciExecutor(settings.concurrency)
    try:
        document = await Recording(built, executor, settings=settings, progress=progress).record(clusters)
    finally:
        executor.close()
        await asyncio.to_thread(built.close)
    ClusterListing.of(document).check()
    return document


class Recording:
    """One read of a tenancy; `record()` returns the snapshot document."""

    def __init__(
        self, clients: OciClients, executor: OciExecutor, *, settings: OciSettings, progress: Progress | None = None
    ) -> None:
        self.clients = clients
        self.executor = executor
        self.settings = settings
        self.say = progress or (lambda message: None)
        self.parts = DocumentParts(region=settings.region or clients.region)
        self.kube = KubeLink(clients, settings) if settings.reads_kubernetes else None
        self._followups: dict[str, asyncio.Task[None]] = {}
        # Each compartment's node pool lists, as soon as they are read: a named cluster's neighbours are found there.
        self._pool_lists: dict[tuple[str, str], asyncio.Future[list[Json] | None]] = {}
        self._named: set[str] = set()
        self._selected: asyncio.Future[dict[str, Json]] | None = None

    async def record(self, cluster_refs: Sequence[str] | None = None) -> dict[str, Any]:
        """Read everything and return the snapshot document."""
        self._selected = asyncio.get_running_loop().create_future()
        compartments = await self._compartments()
        self.parts.compartment_order = compartments
        self.say(f"reading {plural(len(compartments), 'compartment')}")
        loop = asyncio.get_running_loop()
        kinds = ("nodePools", "virtualNodePools")
        self._pool_lists = {(kind, c): loop.create_future() for c in compartments for kind in kinds}
        try:
            await gather(
                self._clusters(compartments, cluster_refs),
                self._shapes(compartments[0]),
                *(self._compartment(compartment) for compartment in compartments),
            )
            await gather(*self._followups.values())
        finally:
            for task in self._followups.values():
                task.cancel()
        await self._missing_network()
        # .get: `details` is a defaultdict, and a "clusters" key would claim the clusters were listed.
        self.say(f"read {plural(len(self.parts.details.get('clusters', {})), 'cluster')}, "
                 f"{plural(self.executor.stats.calls, 'call')}")
        return assemble(self.parts, captured_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    async def _try(self, kind: str, object_id: str | None, operation: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await operation()
        except SourceError as error:
            self.parts.errors.append(error_entry(error, kind=kind, object_id=object_id))
            return None

    async def _list(self, kind: str, object_id: str | None, client: Any, op: str, **kwargs: Any) -> list[Json] | None:
        data = await self._try(kind, object_id, lambda: self.executor.list_all(op, getattr(client, op), **kwargs))
        return None if data is None else wire_list(client, data)

    async def _get(self, kind: str, object_id: str, client: Any, op: str, *args: Any, **kwargs: Any) -> Json | None:
        data = await self._try(kind, object_id, lambda: self.executor.call(op, getattr(client, op), *args, **kwargs))
        wire = None if data is None else to_wire(client, data)
        return wire if isinstance(wire, dict) else None

    def _follow(self, key: str, job: Callable[[], Awaitable[None]]) -> None:
        """Start a follow-up read once per key (a subnet's private IPs, an image), as soon as it is known."""
        if key not in self._followups:
            self._followups[key] = asyncio.ensure_future(job())

    async def _compartments(self) -> list[str]:
        roots = list(self.settings.compartment_ids) or [t for t in (self.clients.tenancy_id,) if t]
        if not roots:
            raise SourceError(
                "no compartment to read", code="NoCompartment",
                remedy="Set OKEBOT_OCI_COMPARTMENTS, or use an auth mode that names the tenancy.",
            )
        if not self.settings.recursive:
            return roots
        found = await gather(*(self._subtree(root) for root in roots))
        return list(dict.fromkeys([*roots, *(c for subtree in found for c in subtree)]))

    async def _subtree(self, root: str) -> list[str]:
        identity = self.clients.identity
        items = await self._list(
            "compartments", root, identity, "list_compartments", compartment_id=root,
            compartment_id_in_subtree=True, access_level="ACCESSIBLE", lifecycle_state="ACTIVE",
        )
        self.parts.compartments.extend(items or [])
        return [str(c["id"]) for c in items or [] if c.get("id")]

    async def _shapes(self, compartment: str) -> None:
        items = await self._list("shapes", compartment, self.clients.compute, "list_shapes", compartment_id=compartment)
        if items is not None:
            self.parts.shapes = list({str(s.get("shape")): s for s in items}.values())

    async def _clusters(self, compartments: list[str], cluster_refs: Sequence[str] | None) -> None:
        ce = self.clients.container_engine
        lists = await gather(
            *(self._list("clusters", c, ce, "list_clusters", compartment_id=c) for c in compartments)
        )
        summaries = refs.live(item for found in lists for item in found or [])
        try:
            chosen = refs.select_clusters(summaries, cluster_refs, complete=all(f is not None for f in lists))
            self._named = set(chosen)
            if cluster_refs is not None:
                chosen = await self._with_neighbours(summaries, chosen)
        except Exception as exc:
            assert self._selected is not None
            self._selected.set_exception(exc)
            raise
        assert self._selected is not None
        self._selected.set_result(chosen)
        if any(found is not None for found in lists):
            # Seeded in list order; each get replaces its summary in place.
            self.parts.details["clusters"] = dict(chosen)
        self.say(f"found {plural(len(chosen), 'cluster')}")
        await gather(self._addon_options(chosen), *(self._cluster(summary) for summary in chosen.values()))

    async def _with_neighbours(self, summaries: Sequence[Json], named: dict[str, Json]) -> dict[str, Json]:
        """The named clusters and those with a node pool on a worker or pod subnet a named cluster's pools use."""
        lists = await gather(*(asyncio.shield(listed) for listed in self._pool_lists.values()))
        pools = refs.live(pool for found in lists for pool in found or [])
        used = {subnet for pool in pools if pool.get("clusterId") in named for subnet in _pool_subnets(pool)}
        sharing = {str(pool.get("clusterId")) for pool in pools if not used.isdisjoint(_pool_subnets(pool))}
        # In list order, as a full read keeps them.
        return {str(c["id"]): c for c in summaries if c.get("id") in named or c.get("id") in sharing}

    async def _selected_clusters(self) -> dict[str, Json]:
        assert self._selected is not None
        return await asyncio.shield(self._selected)

    async def _cluster(self, summary: Json) -> None:
        cluster_id = str(summary["id"])
        ce = self.clients.container_engine
        full, addons = await gather(
            self._get("clusters", cluster_id, ce, "get_cluster", cluster_id),
            self._list("addons", cluster_id, ce, "list_addons", cluster_id=cluster_id),
        )
        # A cluster whose get failed keeps its list summary, so its node pools still have a home.
        self.parts.details["clusters"][cluster_id] = full or summary
        if addons is not None:
            self.parts.addons[cluster_id] = addons
        for subnet_id in refs.cluster_subnets(full or summary):
            self.parts.wanted_subnets.add(subnet_id)
        # A neighbour read only for its node pools' subnet use needs no Kubernetes read.
        if self.kube is not None and cluster_id in self._named and refs.is_vcn_native(full or summary):
            entry = await self.kube.read(full or summary, executor=self.executor, errors=self.parts.errors)
            if entry is not None:
                self.parts.kubernetes[cluster_id] = entry

    async def _addon_options(self, chosen: dict[str, Json]) -> None:
        versions = sorted({str(c["kubernetesVersion"]) for c in chosen.values() if c.get("kubernetesVersion")})
        ce = self.clients.container_engine
        found = await gather(
            *(self._list("addonOptions", v, ce, "list_addon_options", kubernetes_version=v) for v in versions)
        )
        self.parts.addon_options_by_version.update(
            {version: items for version, items in zip(versions, found, strict=True) if items is not None}
        )

    async def _compartment(self, compartment: str) -> None:
        await gather(
            self._node_pools(compartment),
            self._virtual_node_pools(compartment),
            self._nsgs(compartment),
            *(self._network_list(kind, compartment, client, op) for kind, client, op in _NETWORK_LISTS),
        )

    async def _network_list(self, kind: str, compartment: str, client_name: str, op: str) -> None:
        client = getattr(self.clients, client_name)
        items = await self._list(kind, compartment, client, op, compartment_id=compartment)
        if items is not None:
            self.parts.lists[kind][compartment] = refs.live(items)

    async def _node_pools(self, compartment: str) -> None:
        ce = self.clients.container_engine
        items = await self._list("nodePools", compartment, ce, "list_node_pools", compartment_id=compartment)
        self._listed("nodePools", compartment, items)
        chosen = await self._selected_clusters()
        pools = [p for p in refs.live(items or []) if p.get("clusterId") in chosen]
        if items is not None:
            self.parts.lists["nodePools"][compartment] = pools
        for pool in pools:
            self._want_private_ips(refs.node_pool_subnets(pool))
            image = refs.pool_image_id(pool)
            if image:
                self._follow(f"image:{image}", functools.partial(self._image, image))
        await gather(*(self._node_pool(str(pool["id"]), chosen[str(pool["clusterId"])]) for pool in pools))

    def _listed(self, kind: str, compartment: str, items: list[Json] | None) -> None:
        listed = self._pool_lists[kind, compartment]
        if not listed.done():
            listed.set_result(items)

    async def _node_pool(self, pool_id: str, cluster: Json) -> None:
        full = await self._get("nodePools", pool_id, self.clients.container_engine, "get_node_pool", pool_id)
        if full is None:
            return
        self.parts.details["nodePools"][pool_id] = full
        node_id = refs.sample_node(full) if refs.is_vcn_native(cluster, full) else None
        if node_id is not None:
            await self._instance(node_id)

    async def _instance(self, instance_id: str) -> None:
        # Its shapeConfig.maxVnicAttachments is the pool's real VNIC limit; all nodes of a pool share a shape.
        instance = await self._get("instances", instance_id, self.clients.compute, "get_instance", instance_id)
        if instance is not None:
            self.parts.instances.append(instance)

    async def _virtual_node_pools(self, compartment: str) -> None:
        ce = self.clients.container_engine
        op = "list_virtual_node_pools"
        items = await self._list("virtualNodePools", compartment, ce, op, compartment_id=compartment)
        self._listed("virtualNodePools", compartment, items)
        chosen = await self._selected_clusters()
        pools = [p for p in refs.live(items or []) if p.get("clusterId") in chosen]
        if items is not None:
            self.parts.lists["virtualNodePools"][compartment] = pools
        for pool in pools:
            self._want_private_ips(refs.virtual_pool_subnets(pool))
        fulls = await gather(
            *(self._get("virtualNodePools", str(p["id"]), ce, "get_virtual_node_pool", str(p["id"])) for p in pools)
        )
        self.parts.details["virtualNodePools"].update({str(f["id"]): f for f in fulls if f})

    def _want_private_ips(self, subnet_ids: Sequence[str]) -> None:
        for subnet_id in subnet_ids:
            self.parts.wanted_subnets.add(subnet_id)
            self._follow(f"privateIps:{subnet_id}", functools.partial(self._private_ips, subnet_id))

    async def _private_ips(self, subnet_id: str) -> None:
        network = self.clients.network
        items = await self._list("privateIps", subnet_id, network, "list_private_ips", subnet_id=subnet_id, limit=1000)
        if items is not None:
            self.parts.private_ips[subnet_id] = items

    async def _image(self, image_id: str) -> None:
        image = await self._get("images", image_id, self.clients.compute, "get_image", image_id)
        if image is not None:
            self.parts.images.append(image)

    async def _nsgs(self, compartment: str) -> None:
        network = self.clients.network
        op = "list_network_security_groups"
        items = await self._list("networkSecurityGroups", compartment, network, op, compartment_id=compartment)
        nsgs = refs.live(items or [])
        if items is not None:
            self.parts.lists["networkSecurityGroups"][compartment] = nsgs
        await gather(*(self._nsg_rules(str(nsg["id"])) for nsg in nsgs))

    async def _nsg_rules(self, nsg_id: str) -> None:
        op = "list_network_security_group_security_rules"
        rules = await self._list("nsgSecurityRules", nsg_id, self.clients.network, op, network_security_group_id=nsg_id)
        if rules is not None:
            self.parts.nsg_rules[nsg_id] = rules

    async def _missing_network(self) -> None:
        """Get subnets and route tables the clusters use that no listed compartment held (cross-compartment)."""
        network = self.clients.network
        listed = {str(s.get("id")) for group in self.parts.lists["subnets"].values() for s in group}
        missing = sorted(self.parts.wanted_subnets - listed)
        subnets = await gather(*(self._get("subnets", s, network, "get_subnet", s) for s in missing))
        self.parts.extra["subnets"].extend(s for s in subnets if s)
        tables = {str(t.get("id")) for group in self.parts.lists["routeTables"].values() for t in group}
        wanted = [t for t in refs.route_table_ids(s for s in subnets if s) if t not in tables]
        found = await gather(*(self._get("routeTables", t, network, "get_route_table", t) for t in wanted))
        self.parts.extra["routeTables"].extend(t for t in found if t)


def _pool_subnets(pool: Json) -> set[str]:
    """Worker and pod subnets of a managed or virtual node pool (each helper reads only its own kind's fields)."""
    return {*refs.node_pool_subnets(pool), *refs.virtual_pool_subnets(pool)}
