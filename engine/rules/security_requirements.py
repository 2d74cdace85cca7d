"""The security rules OKE requires per subnet role (from Oracle's network-configuration page, contengnetworkconfig.htm).

Optional rows (client access to 6443, SSH, internet egress) are left out: their absence is a choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from engine.model import Cni, Direction, SubnetRole

Peer = Literal["workers", "pods", "api-endpoint", "anywhere", "services"]
Protocol = Literal["6", "1", "all"]

TCP: Final = "6"
ICMP: Final = "1"
ALL: Final = "all"
PATH_DISCOVERY = (3, 4)  # ICMP type 3 code 4: fragmentation needed, for path MTU discovery


@dataclass(frozen=True)
class Requirement:
    """One required rule: traffic of `protocol`/`port` in `direction` between `role` and `peer`.

    `port` None means all ports; `icmp` is (type, code) for ICMP rows; `cni` None means both CNIs.
    """

    role: SubnetRole
    direction: Direction
    peer: Peer
    protocol: Protocol
    purpose: str
    port: int | None = None
    icmp: tuple[int, int] | None = None
    cni: Cni | None = None


_API, _WORKERS, _PODS = SubnetRole.API_ENDPOINT, SubnetRole.WORKERS, SubnetRole.PODS
_FLANNEL, _NATIVE = Cni.FLANNEL, Cni.VCN_NATIVE


def _req(
    role: SubnetRole,
    direction: Direction,
    peer: Peer,
    protocol: Protocol,
    purpose: str,
    *,
    port: int | None = None,
    cni: Cni | None = None,
) -> Requirement:
    icmp = PATH_DISCOVERY if protocol == ICMP else None
    return Requirement(
        role=role,
        direction=direction,
        peer=peer,
        protocol=protocol,
        purpose=purpose,
        port=port,
        icmp=icmp,
        cni=cni,
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
)


def requirements_for(cni: Cni) -> tuple[Requirement, ...]:
    """The rows that apply to a cluster of this CNI."""
    return tuple(req for req in REQUIREMENTS if req.cni in (None, cni))


def describe(req: Requirement) -> str:
    """'TCP port 6443', 'ICMP type 3 code 4', 'all protocols' and so on, for messages."""
    if req.protocol == ALL:
        return "all protocols"
    if req.protocol == ICMP and req.icmp is not None:
        return f"ICMP type {req.icmp[0]} code {req.icmp[1]}"
    return f"TCP port {req.port}" if req.port is not None else "TCP all ports"
