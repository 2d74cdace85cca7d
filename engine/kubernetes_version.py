"""Kubernetes versions as OKE writes them ("v1.31.1", "1.31", "v1.28.2-oke"): the one parser.

Rules compare them (VCN-native needs 1.22, service mesh 1.26) and plans validate them with it.
"""

from __future__ import annotations

import re

KubernetesVersion = tuple[int, int, int]

_VERSION = re.compile(
    r"^\s*v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?:[-+][0-9A-Za-z.+-]*)?\s*$", re.IGNORECASE
)


def parse_kubernetes_version(text: str | None) -> KubernetesVersion | None:
    """(major, minor, patch) from "v1.28.2", "1.28" or "1.28.2-oke" (patch 0 when left out); None when the
    text is not such a version."""
    match = _VERSION.match(text or "")
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def version_text(version: KubernetesVersion) -> str:
    """"1.28.2" for (1, 28, 2)."""
    return ".".join(str(part) for part in version)
