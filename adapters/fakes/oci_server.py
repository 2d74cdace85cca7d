"""A fake OCI REST server: serves a snapshot document on OCI's own paths and wire format.

The real `oci` SDK talks to it over HTTP (point the clients' `service_endpoint` at `url`). It pages lists with
`opc-next-page`, stamps every answer with an `opc-request-id`, counts calls per path and per route, and injects
faults per path pattern: an HTTP error status, added latency, a hang, a connection reset or a malformed body.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

Json = dict[str, Any]
FaultKind = Literal["status", "latency", "hang", "reset", "malformed"]
CE, CORE = "/20180222", "/20160918"

# Lists that answer GET <base>/<kind>?compartmentId=...[&vcnId=...][&clusterId=...].
_COMPARTMENT_LISTS = {
    f"{CE}/clusters": "clusters",
    f"{CE}/nodePools": "nodePools",
    f"{CE}/virtualNodePools": "virtualNodePools",
    f"{CORE}/vcns": "vcns",
    f"{CORE}/subnets": "subnets",
    f"{CORE}/securityLists": "securityLists",
    f"{CORE}/networkSecurityGroups": "networkSecurityGroups",
    f"{CORE}/routeTables": "routeTables",
    f"{CORE}/natGateways": "natGateways",
    f"{CORE}/serviceGateways": "serviceGateways",
    f"{CORE}/internetGateways": "internetGateways",
}
_GETS = {
    f"{CE}/clusters": "clusters",
    f"{CE}/nodePools": "nodePools",
    f"{CE}/virtualNodePools": "virtualNodePools",
    f"{CORE}/vcns": "vcns",
    f"{CORE}/subnets": "subnets",
    f"{CORE}/routeTables": "routeTables",
    f"{CORE}/instances": "instances",
    f"{CORE}/images": "images",
}
# Query parameters that filter a list on the object field of the same name.
_FILTERS = ("vcnId", "clusterId", "subnetId", "vnicId", "instanceId", "availabilityDomain")
_SUMMARY_DROPS = {"nodePools": ("nodes",)}
# SDK operation -> the path it requests (a regex), for `deny`.
OPERATION_PATHS = {
    "list_clusters": rf"^{CE}/clusters$",
    "list_node_pools": rf"^{CE}/nodePools$",
    "list_vcns": rf"^{CORE}/vcns$",
    "list_subnets": rf"^{CORE}/subnets$",
    "list_security_lists": rf"^{CORE}/securityLists$",
    "list_route_tables": rf"^{CORE}/routeTables$",
    "list_shapes": rf"^{CORE}/shapes$",
    "list_private_ips": rf"^{CORE}/privateIps$",
    "list_compartments": rf"^{CORE}/compartments$",
    "get_instance": rf"^{CORE}/instances/[^/]+$",
    "create_kubeconfig": rf"^{CE}/clusters/[^/]+/kubeconfig/content$",
}


@dataclass
class Fault:
    """A fault injected on paths matching `pattern` (a regex searched in the path), `times` times or forever.

    `query` narrows it to requests carrying those query parameters (for example one compartmentId).
    """

    pattern: str
    kind: FaultKind
    status: int = 500
    code: str = "InternalServerError"
    seconds: float = 0.0
    times: int | None = None
    query: Mapping[str, str] | None = None
    hits: int = 0

    def matches(self, path: str, query: Mapping[str, str] | None = None) -> bool:
        """Whether this fault still applies to a request for `path` with `query`."""
        if self.times is not None and self.times <= 0:
            return False
        if re.search(self.pattern, path) is None:
            return False
        asked = query or {}
        return all(asked.get(name) == value for name, value in (self.query or {}).items())


class _Reply(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class FakeOciServer:
    """Serve `document` (a snapshot) as OCI would; `page_size` small exercises pagination."""

    def __init__(self, document: Mapping[str, Any], *, page_size: int = 1000, latency: float = 0.0) -> None:
        self.document = document
        self.page_size = page_size
        self.latency = latency
        self.faults: list[Fault] = []
        self.calls: Counter[str] = Counter()
        self.routes: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""
        # Cluster id -> Kubernetes API URL that create_kubeconfig names (a fake Kubernetes server, in tests).
        self.kube_endpoints: dict[str, str] = {}
        self._index: dict[tuple[str, str], dict[str, list[Json]]] = {}
        self._by_id = {kind: {o["id"]: o for o in _items(document, kind)} for kind in set(_GETS.values())}

    def inject(self, pattern: str, kind: FaultKind, **options: Any) -> Fault:
        """Add a fault on paths matching `pattern` and return it."""
        fault = Fault(pattern, kind, **options)
        self.faults.append(fault)
        return fault

    def deny(self, operation: str, *, compartment: str | None = None, status: int = 404) -> Fault:
        """Refuse an SDK operation as OCI does when no policy grants it: 404 NotAuthorizedOrNotFound (or 403
        NotAuthorized), for every compartment or only `compartment`. KeyError names the operations it knows."""
        if operation not in OPERATION_PATHS:
            raise KeyError(f"unknown operation {operation!r}; known: {', '.join(sorted(OPERATION_PATHS))}")
        code = "NotAuthorizedOrNotFound" if status == 404 else "NotAuthorized"
        query = {"compartmentId": compartment} if compartment is not None else None
        return self.inject(OPERATION_PATHS[operation], "status", status=status, code=code, query=query)

    @property
    def total_calls(self) -> int:
        """Requests answered (or failed on purpose) so far."""
        return sum(self.calls.values())

    @property
    def open_connections(self) -> int:
        """Client connections open now (kept alive between requests, or busy)."""
        server = self._runner.server if self._runner is not None else None
        return len(server.connections) if server is not None else 0

    async def start(self) -> str:
        """Listen on 127.0.0.1 on a free port and return the base URL."""
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        app.router.add_route("POST", f"{CE}/clusters/{{cluster_id}}/kubeconfig/content", self._kubeconfig)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def close(self) -> None:
        """Stop listening and drop open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeOciServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.calls[path] += 1
        self.routes[_route_name(path)] += 1
        request_id = f"fake-{next(self._ids):08d}"
        if self.latency:
            await asyncio.sleep(self.latency)
        injected = await self._inject(request, path, request_id)
        if injected is not None:
            return injected
        try:
            body, next_page = self._answer(path, request.query)
        except _Reply as reply:
            return _error(reply.status, reply.code, reply.message, request_id)
        headers = {"opc-request-id": request_id}
        if next_page is not None:
            headers["opc-next-page"] = next_page
        return web.json_response(body, headers=headers)

    async def _kubeconfig(self, request: web.Request) -> web.StreamResponse:
        """create_kubeconfig: an OKE kubeconfig whose user runs `oci ce cluster generate-token` (JSON is YAML)."""
        self.calls[request.path] += 1
        self.routes[_route_name(request.path)] += 1
        request_id = f"fake-{next(self._ids):08d}"
        injected = await self._inject(request, request.path, request_id)
        if injected is not None:
            return injected
        cluster_id = request.match_info["cluster_id"]
        cluster = self._by_id["clusters"].get(cluster_id)
        if cluster is None:
            return _error(404, "NotAuthorizedOrNotFound", f"{cluster_id} not found or not authorized", request_id)
        endpoint = (cluster.get("endpoints") or {}).get("privateEndpoint")
        server = self.kube_endpoints.get(cluster_id) or f"https://{endpoint}"
        region = str(self.document.get("region") or "us-ashburn-1")
        args = ["ce", "cluster", "generate-token", "--cluster-id", cluster_id, "--region", region]
        kubeconfig = {
            "apiVersion": "v1", "kind": "Config", "current-context": "ctx",
            "clusters": [{"name": "c", "cluster": {"server": server}}],
            "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
            "users": [{"name": "u", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                                      "command": "oci", "args": args}}}],
        }
        return web.Response(text=json.dumps(kubeconfig), content_type="application/octet-stream",
                            headers={"opc-request-id": request_id})

    async def _inject(self, request: web.Request, path: str, request_id: str) -> web.StreamResponse | None:
        for fault in self.faults:
            if not fault.matches(path, request.query):
                continue
            if fault.times is not None:
                fault.times -= 1
            fault.hits += 1
            if fault.kind == "latency":
                await asyncio.sleep(fault.seconds)
                continue
            if fault.kind == "hang":
                await asyncio.sleep(fault.seconds or 3600.0)
            if fault.kind == "status":
                return _error(fault.status, fault.code, f"injected {fault.status} on {path}", request_id)
            if fault.kind == "reset" and request.transport is not None:
                request.transport.abort()
                return web.Response(status=500)
            if fault.kind == "malformed":
                return web.Response(
                    text='{"id": "ocid1.truncated", "items": [', content_type="application/json",
                    headers={"opc-request-id": request_id},
                )
        return None

    def _answer(self, path: str, query: Mapping[str, str]) -> tuple[Any, str | None]:
        if path in _COMPARTMENT_LISTS:
            kind = _COMPARTMENT_LISTS[path]
            items = _filtered(self._candidates(kind, query), query, by_compartment=True)
            return self._page(_summaries(kind, items), query)
        handler = self._special(path)
        if handler is not None:
            return handler(query)
        base, _, object_id = path.rpartition("/")
        if base in _GETS:
            found = self._by_id[_GETS[base]].get(object_id)
            if found is None:
                raise _Reply(404, "NotAuthorizedOrNotFound", f"{object_id} not found or not authorized")
            return found, None
        raise _Reply(404, "NotFound", f"no such path {path}")

    def _special(self, path: str) -> Callable[[Mapping[str, str]], tuple[Any, str | None]] | None:
        for key, pattern in (
            ("addons", rf"{CE}/clusters/([^/]+)/addons"),
            ("nsgSecurityRules", rf"{CORE}/networkSecurityGroups/([^/]+)/securityRules"),
        ):
            nested = re.fullmatch(pattern, path)
            if nested:
                return functools.partial(self._nested, key, nested.group(1))
        lists: dict[str, Callable[[Mapping[str, str]], list[Json]]] = {
            f"{CE}/addonOptions": self._addon_options,
            f"{CORE}/privateIps": self._private_ips,
            f"{CORE}/shapes": lambda q: _items(self.document, "shapes"),
            f"{CORE}/vnicAttachments": lambda q: _filtered(self._candidates("vnicAttachments", q), q),
            f"{CORE}/compartments": self._compartments,
        }
        lister = lists.get(path)
        return None if lister is None else (lambda query: self._page(lister(query), query))

    def _candidates(self, kind: str, query: Mapping[str, str]) -> list[Json]:
        """The objects of `kind` that can match the query's most selective filter, from a cached index."""
        for name in ("subnetId", "instanceId", "clusterId", "vcnId"):
            if name in query:
                key = (kind, name)
                if key not in self._index:
                    index: dict[str, list[Json]] = {}
                    for item in _items(self.document, kind):
                        index.setdefault(str(item.get(name)), []).append(item)
                    self._index[key] = index
                return self._index[key].get(query[name], [])
        return _items(self.document, kind)

    def _nested(self, key: str, owner: str, query: Mapping[str, str]) -> tuple[list[Json], str | None]:
        return self._page(self._mapped(key, owner), query)

    def _private_ips(self, query: Mapping[str, str]) -> list[Json]:
        read = self.document.get("privateIpSubnetIds")
        subnet = query.get("subnetId")
        if isinstance(read, list) and subnet is not None and subnet not in read:
            # The snapshot never read this subnet's IPs: answering "none" would invent data.
            raise _Reply(404, "NotAuthorizedOrNotFound", f"private IPs of {subnet} are not in the snapshot")
        return _filtered(self._candidates("privateIps", query), query)

    def _mapped(self, key: str, object_id: str) -> list[Json]:
        mapping = self.document.get(key) or {}
        if object_id not in mapping:
            raise _Reply(404, "NotAuthorizedOrNotFound", f"{object_id} not found or not authorized")
        return list(mapping[object_id])

    def _addon_options(self, query: Mapping[str, str]) -> list[Json]:
        version = query.get("kubernetesVersion")
        options: dict[str, Json] = {}
        clusters = {c["id"]: c for c in _items(self.document, "clusters")}
        for cluster_id, entries in (self.document.get("addonOptions") or {}).items():
            cluster = clusters.get(cluster_id, {})
            if version is None or cluster.get("kubernetesVersion") in (None, version):
                for entry in entries:
                    options.setdefault(entry.get("name", ""), entry)
        return list(options.values())

    def _compartments(self, query: Mapping[str, str]) -> list[Json]:
        everything = _items(self.document, "compartments")
        parent = query.get("compartmentId")
        if query.get("compartmentIdInSubtree") != "true":
            return [c for c in everything if c.get("compartmentId") == parent]
        found: list[Json] = []
        frontier = {parent}
        while frontier:
            children = [c for c in everything if c.get("compartmentId") in frontier]
            found.extend(children)
            frontier = {c["id"] for c in children}
        return found

    def _page(self, items: list[Json], query: Mapping[str, str]) -> tuple[list[Json], str | None]:
        start = int(query.get("page", "0") or 0)
        size = min(int(query.get("limit", self.page_size)), self.page_size)
        end = start + size
        return items[start:end], (str(end) if end < len(items) else None)


def _items(document: Mapping[str, Any], kind: str) -> list[Json]:
    value = document.get(kind) or []
    return list(value) if isinstance(value, list) else []


def _filtered(items: Iterable[Json], query: Mapping[str, str], *, by_compartment: bool = False) -> list[Json]:
    wanted = {name: query[name] for name in _FILTERS if name in query}
    if by_compartment and "compartmentId" in query:
        # An object without compartmentId is served in every compartment; readers dedupe by id.
        wanted["compartmentId"] = query["compartmentId"]
    states = set(query.getall("lifecycleState", [])) if hasattr(query, "getall") else set()
    return [
        item for item in items
        if all(item.get(name, value) == value for name, value in wanted.items())
        and (not states or item.get("lifecycleState") in states)
    ]


def _summaries(kind: str, items: list[Json]) -> list[Json]:
    drops = _SUMMARY_DROPS.get(kind, ())
    return [{k: v for k, v in item.items() if k not in drops} for item in items] if drops else items


def _route_name(path: str) -> str:
    """Collapse OCIDs so calls can be counted per operation: /20180222/nodePools/{id}."""
    return re.sub(r"/[^/]*\.[^/]*", "/{id}", path)


def _error(status: int, code: str, message: str, request_id: str) -> web.Response:
    return web.Response(
        text=json.dumps({"code": code, "message": message}),
        status=status,
        content_type="application/json",
        headers={"opc-request-id": request_id},
    )
