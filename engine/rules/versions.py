"""Version and image rules: Kubernetes versions for VCN-native and service mesh, OKE image age."""

from __future__ import annotations

import re
from datetime import date

from engine.catalogue import finding
from engine.check import Check
from engine.codes import Code
from engine.findings import Finding
from engine.kubernetes_version import KubernetesVersion, parse_kubernetes_version, version_text
from engine.model import Cluster, Cni, NodeImage, NodePool

VCN_NATIVE_MIN_VERSION: KubernetesVersion = (1, 22, 0)
SERVICE_MESH_MIN_VERSION: KubernetesVersion = (1, 26, 0)
VCN_NATIVE_MIN_IMAGE_DATE = date(2022, 6, 1)

# OKE image names carry their build date: "Oracle-Linux-8.9-2024.01.26-0-OKE-1.28.2-668".
_IMAGE_DATE = re.compile(r"(?<!\d)(20\d\d)\.(\d\d)\.(\d\d)(?!\d)")


def image_release_date(image: NodeImage | None) -> date | None:
    """When an image was released: its `released` date, else the date in an OKE image name; else None."""
    if image is None:
        return None
    if image.released:
        try:
            return date.fromisoformat(image.released[:10])
        except ValueError:
            pass
    match = _IMAGE_DATE.search(image.name or "")
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _subjects(cluster: Cluster) -> list[tuple[str, str, str | None]]:
    """(subject, label, version text) for the cluster and every pool that states its own version."""
    rows: list[tuple[str, str, str | None]] = [
        (f"cluster:{cluster.name}", f"Cluster {cluster.name}", cluster.kubernetes_version)
    ]
    rows += [
        (f"nodePool:{p.name}", f"Node pool {p.name}", p.kubernetes_version)
        for p in cluster.node_pools
        if p.kubernetes_version is not None
    ]
    return rows


def version_findings(check: Check) -> list[Finding]:
    """K8S_VERSION_UNPARSABLE, K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE and SERVICE_MESH_K8S_VERSION."""
    cluster = check.cluster
    found: list[Finding] = []
    for subject, label, text in _subjects(cluster):
        if text is None:
            continue
        version = parse_kubernetes_version(text)
        if version is None:
            found.append(
                finding(
                    Code.K8S_VERSION_UNPARSABLE,
                    subject,
                    f"{label} Kubernetes version {text!r} is not a version like v1.28.2.",
                    details={"version": text},
                )
            )
            continue
        if cluster.cni is Cni.VCN_NATIVE and version < VCN_NATIVE_MIN_VERSION:
            found.append(
                finding(
                    Code.K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE,
                    subject,
                    f"{label} runs Kubernetes {text}; VCN-native pod networking needs 1.22 or later.",
                    details={"version": version_text(version), "minimum": version_text(VCN_NATIVE_MIN_VERSION)},
                )
            )
        if cluster.service_mesh and version < SERVICE_MESH_MIN_VERSION:
            found.append(
                finding(
                    Code.SERVICE_MESH_K8S_VERSION,
                    subject,
                    f"{label} runs Kubernetes {text}; service mesh needs worker nodes on 1.26 or later.",
                    details={"version": version_text(version), "minimum": version_text(SERVICE_MESH_MIN_VERSION)},
                )
            )
    return found


def image_findings(check: Check) -> list[Finding]:
    """NODE_IMAGE_TOO_OLD for VCN-native pools on an image released before June 2022 (unknown dates pass)."""
    cluster = check.cluster
    if cluster.cni is not Cni.VCN_NATIVE:
        return []
    return [f for pool in cluster.node_pools if (f := _image_finding(pool)) is not None]


def _image_finding(pool: NodePool) -> Finding | None:
    released = image_release_date(pool.image)
    if released is None or released >= VCN_NATIVE_MIN_IMAGE_DATE:
        return None
    image = pool.image.name or pool.image.id if pool.image else None
    return finding(
        Code.NODE_IMAGE_TOO_OLD,
        f"nodePool:{pool.name}",
        f"Node pool {pool.name} uses image {image or 'unnamed'} released {released.isoformat()}; VCN-native "
        "pod networking needs an OKE image released in June 2022 or later.",
        details={"nodePool": pool.name, "image": image, "released": released.isoformat()},
    )


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (version_findings, image_findings)
