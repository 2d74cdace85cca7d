"""The security rules OKE requires per subnet role.

Source: Oracle's network-configuration page for OKE
(https://docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/contengnetworkconfig.htm), its tables for the
Kubernetes API endpoint, worker node, pod and load balancer subnets.

Optional rows (client access to 6443, SSH, internet egress) are left out: their absence is a choice. The load
balancer rows are kept, flagged `load_balancer`: OKE's cloud controller manager adds them per Service while
its security-list management is on, so a missing one is a warning unless the cluster says its load-balancer
rules are managed by hand (`Cluster.load_balancer_rules == "manual"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from engine.model import Cni, Direction, SubnetRole

Peer = Literal["workers", "pods", "api-endpoint", "load-balancers", "anywhere", "services", "clients"]
Protocol = Literal["6", "1", "all"]

TCP: Final = "6"
ICMP: Final = "1"
ALL: Final = "all"
PATH_DISCOVERY = (3, 4)  # ICMP type 3 code 4: fragmentation needed, for path MTU discovery
NODE_PORTS: Final = (30000, 32767)  # Kubernetes' NodePort range, the LB's backends
KUBE_PROXY_HEALTH: Final = (10256, 10256)  # kube-proxy's health check port, probed by the LB

PortRange = tuple[int, int]


@dataclass(frozen=True)
class Requirement:
    """One required rule: traffic of `protocol`/`ports` in `direction` between `role` and `peer`.

    `ports` is an inclusive (low, high) destination-port range, None for all ports; a rule meets it only when
    the rules together allow every port of the range. `icmp` is (type, code) for ICMP rows; `cni` None means
    both CNIs. `load_balancer` marks rows OKE's cloud controller manager can add per Service. The peer
    "clients" means any CIDR outside the cluster's VCN, on any TCP port: the listener ports of a load
    balancer depend on the Services, which okebot cannot see.
    """

    role: SubnetRole
    direction: Direction
    peer: Peer
    protocol: Protocol
    purpose: str
    ports: PortRange | None = None
    icmp: tuple[int, int] | None = None
    cni: Cni | None = None
    load_balancer: bool = False

    @property
    def port(self) -> int | None:
        """The single port of a one-port row; None for all ports or a range."""
        if self.ports is None or self.ports[0] != self.ports[1]:
            return None
        return self.ports[0]


_API, _WORKERS, _PODS, _LB = SubnetRole.API_ENDPOINT, SubnetRole.WORKERS, SubnetRole.PODS, SubnetRole.LOAD_BALANCERS
_FLANNEL, _NATIVE = Cni.FLANNEL, Cni.VCN_NATIVE


def _req(
    role: SubnetRole,
    direction: Direction,
    peer: Peer,
    protocol: Protocol,
    purpose: str,
    *,
    port: int | PortRange | None = None,
    cni: Cni | None = None,
    load_balancer: bool = False,
) -> Requirement:
    icmp = PATH_DISCOVERY if protocol == ICMP else None
    ports = (port, port) if isinstance(port, int) else port
    return Requirement(
        role=role,
        direction=direction,
        peer=peer,
        protocol=protocol,
        purpose=purpose,
        ports=ports,
        icmp=icmp,
        cni=cni,
        load_balancer=load_balancer,
    )


REQUIREMENTS: tuple[Requirement, ...] = (
    _req(_API, "ingress", "workers", TCP, "worker to Kubernetes API", port=6443),
    _req(_API, "ingress", "workers", TCP, "worker to OKE control plane", port=12250),
    _req(_API, "ingress", "pods", TCP, "pod to Kubernetes API", port=6443, cni=_NATIVE),
    _req(_API, "ingress", "pods", TCP, "pod to OKE control plane", port=12250, cni=_NATIVE),
    _req(_API, "ingress", "workers", ICMP, "path discovery"),
    _req(_API, "egress", "services", TCP, "API endpoint to OKE", port=443),
    _req(_API, "egress", "workers", TCP, "control plane to workers", cni=_FLANNEL),
    _req(_API, "egress", "pods", ALL, "control plane to pods", cni=_NATIVE),
    _req(_API, "egress", "workers", ICMP, "path discovery"),
    # The table's "TCP 10250, ICMP" row: ICMP to workers is already the path-discovery row above.
    _req(_API, "egress", "workers", TCP, "control plane to kubelet", port=10250, cni=_NATIVE),
    _req(_WORKERS, "ingress", "workers", ALL, "node to node"),
    _req(_WORKERS, "ingress", "pods", ALL, "pods to nodes", cni=_NATIVE),
    _req(_WORKERS, "ingress", "api-endpoint", TCP, "control plane to workers"),
    _req(_WORKERS, "ingress", "anywhere", ICMP, "path discovery"),
    _req(_WORKERS, "ingress", "api-endpoint", TCP, "control plane to kubelet", port=10250, cni=_NATIVE),
    _req(_WORKERS, "ingress", "load-balancers", TCP, "load balancer to NodePorts", port=NODE_PORTS,
         load_balancer=True),
    _req(_WORKERS, "ingress", "load-balancers", TCP, "load balancer health check to kube-proxy",
         port=KUBE_PROXY_HEALTH, load_balancer=True),
    _req(_WORKERS, "egress", "workers", ALL, "node to node"),
    _req(_WORKERS, "egress", "pods", ALL, "nodes to pods", cni=_NATIVE),
    _req(_WORKERS, "egress", "anywhere", ICMP, "path discovery"),
    _req(_WORKERS, "egress", "services", TCP, "workers to Oracle services"),
    _req(_WORKERS, "egress", "api-endpoint", TCP, "worker to Kubernetes API", port=6443),
    _req(_WORKERS, "egress", "api-endpoint", TCP, "worker to OKE control plane", port=12250),
    _req(_PODS, "ingress", "api-endpoint", ALL, "control plane to pods (webhooks)", cni=_NATIVE),
    _req(_PODS, "ingress", "workers", ALL, "nodes to pods", cni=_NATIVE),
    _req(_PODS, "ingress", "pods", ALL, "pod to pod", cni=_NATIVE),
    _req(_PODS, "egress", "pods", ALL, "pod to pod", cni=_NATIVE),
    _req(_PODS, "egress", "services", ICMP, "path discovery", cni=_NATIVE),
    _req(_PODS, "egress", "services", TCP, "pods to Oracle services", cni=_NATIVE),
    _req(_PODS, "egress", "api-endpoint", TCP, "pod to Kubernetes API", port=6443, cni=_NATIVE),
    _req(_PODS, "egress", "api-endpoint", TCP, "pod to OKE control plane", port=12250, cni=_NATIVE),
    _req(_LB, "ingress", "clients", TCP, "clients to the load balancer's listeners", load_balancer=True),
    _req(_LB, "egress", "workers", TCP, "load balancer to NodePorts", port=NODE_PORTS, load_balancer=True),
    _req(_LB, "egress", "workers", TCP, "load balancer health check to kube-proxy", port=KUBE_PROXY_HEALTH,
         load_balancer=True),
)


def requirements_for(cni: Cni) -> tuple[Requirement, ...]:
    """The rows that apply to a cluster of this CNI."""
    return tuple(req for req in REQUIREMENTS if req.cni in (None, cni))


def describe(req: Requirement) -> str:
    """'TCP port 6443', 'TCP ports 30000-32767', 'ICMP type 3 code 4', 'all protocols' and so on, for messages."""
    if req.protocol == ALL:
        return "all protocols"
    if req.protocol == ICMP and req.icmp is not None:
        return f"ICMP type {req.icmp[0]} code {req.icmp[1]}"
    if req.peer == "clients":
        return "TCP on some port"
    if req.ports is None:
        return "TCP all ports"
    low, high = req.ports
    return f"TCP port {low}" if low == high else f"TCP ports {low}-{high}"
