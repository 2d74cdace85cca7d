"""Redact a snapshot document so it can be shared with support.

OCIDs, names, DNS labels and public IP addresses are replaced by tokens, consistently: the same input always
becomes the same token, so references (a pool's clusterId, an NSG's rules keyed by its id) still line up and
the redacted snapshot gives the same capacity answers. CIDRs and private IPs are kept; they are the subject.
Tags are emptied because they often hold names and cost centres.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

_OCID = re.compile(r"ocid1\.([a-z0-9_]+)\.([a-z0-9_-]*)\.([a-z0-9_-]*)\.[A-Za-z0-9_.:-]+")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.]|/\d)")
_NAME_KEYS = {"name", "displayName", "dnsLabel", "hostnameLabel", "subnetDomainName", "vcnDomainName"}
_TAG_KEYS = {"definedTags", "freeformTags", "systemTags"}
# Kinds whose names say what a customer calls things. Add-on, shape, image and Kubernetes names are kept:
# they are product names the answers depend on.
_NAMED_KINDS = {
    "compartments", "clusters", "nodePools", "virtualNodePools", "vcns", "subnets", "securityLists",
    "networkSecurityGroups", "routeTables", "natGateways", "serviceGateways", "internetGateways", "instances",
}


class _Tokens:
    def __init__(self) -> None:
        self.ocids: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.ips: dict[str, str] = {}

    def ocid(self, match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole not in self.ocids:
            kind, realm, region = match.group(1), match.group(2), match.group(3)
            self.ocids[whole] = f"ocid1.{kind}.{realm}.{region}.redacted{len(self.ocids) + 1:06d}"
        return self.ocids[whole]

    def name(self, value: str, kind: str) -> str:
        if value not in self.names:
            self.names[value] = f"redacted-{kind.removesuffix('s') or 'name'}-{len(self.names) + 1}"
        return self.names[value]

    def ip(self, match: re.Match[str]) -> str:
        text = match.group(1)
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:
            return text
        if not address.is_global:
            return text
        if text not in self.ips:
            # Documentation ranges first, then the reserved 240/4 block: obviously not anyone's address.
            n = len(self.ips)
            self.ips[text] = f"203.0.113.{n + 1}" if n < 254 else str(ipaddress.IPv4Address("240.0.0.1") + n)
        return self.ips[text]

    def text(self, value: str) -> str:
        return _IPV4.sub(self.ip, _OCID.sub(self.ocid, value))


def _walk(value: Any, tokens: _Tokens, *, kind: str) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            new_key = tokens.text(key)
            if key in _TAG_KEYS:
                out[new_key] = {}
            elif key in _NAME_KEYS and kind in _NAMED_KINDS and isinstance(item, str):
                out[new_key] = tokens.name(item, kind)
            else:
                out[new_key] = _walk(item, tokens, kind=kind)
        return out
    if isinstance(value, list):
        return [_walk(item, tokens, kind=kind) for item in value]
    if isinstance(value, str):
        return tokens.text(value)
    return value


def redact_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a redacted copy of a snapshot document; the input is not changed."""
    tokens = _Tokens()
    return {key: _walk(value, tokens, kind=key) for key, value in doc.items()}
