"""Reading a plan's CIDR strings: each bad one becomes a CIDR_INVALID finding with a remedy, not an error."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, ip_network

from engine.catalogue import finding
from engine.codes import Code
from engine.findings import Finding
from engine.plan.problems import FieldPath, format_path
from engine.words import sentence


class CidrReader:
    """Parses CIDR strings and keeps a finding for every one that is not a valid IPv4 block."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def one(self, text: str, *, path: FieldPath, subject: str) -> IPv4Network | None:
        """The block, or None (and a finding) when the text is not a valid IPv4 CIDR."""
        try:
            if "/" in text:
                return IPv4Network(text)
        except ValueError:
            pass
        reason, remedy, suggestion = _diagnose(text)
        self.findings.append(
            finding(
                Code.CIDR_INVALID,
                subject,
                sentence(f"{format_path(path)} {text!r} is not a valid CIDR: {reason}"),
                details={"field": format_path(path), "value": text, "suggestion": suggestion},
                fields={"fix": remedy},
            )
        )
        return None

    def many(self, texts: Sequence[str], *, path: FieldPath, subject: str) -> tuple[IPv4Network, ...]:
        """The valid blocks among the texts, in order; a finding for each invalid one."""
        blocks = (self.one(text, path=(*path, i), subject=subject) for i, text in enumerate(texts))
        return tuple(block for block in blocks if block is not None)


def _diagnose(text: str) -> tuple[str, str, str | None]:
    """Why the text is not a CIDR, what to do, and the CIDR it most likely meant (when there is one)."""
    if text.strip() and text != text.strip():
        reason, remedy, suggestion = _diagnose(text.strip()) if not _is_block(text.strip()) else ("", "", None)
        if not reason:
            return "it has spaces around it", f"write it as {text.strip()!r}", text.strip()
        return f"it has spaces around it, and {reason}", remedy, suggestion
    address, slash, prefix = text.partition("/")
    if _is_ipv6(text):
        return "it is an IPv6 block", "okebot checks IPv4 networks only; give an IPv4 block", None
    if not _is_ipv4(address):
        return (
            f"{address!r} is not an IPv4 address",
            "write four numbers from 0 to 255 separated by dots, then /prefix, e.g. 10.0.0.0/16",
            None,
        )
    if not slash:
        return "it has no prefix length", f"add one: {address}/32 for one address, or the block's size", None
    network = _loose(address, prefix)
    if network is None:
        return f"the prefix length {prefix!r} is not 0 to 32", "use a prefix length from 0 to 32", None
    return (
        f"{address} has host bits set for a /{prefix}",
        f"did you mean {network}? A block starts at its network address.",
        str(network),
    )


def _is_block(text: str) -> bool:
    try:
        IPv4Network(text)
    except ValueError:
        return False
    return True


def _loose(address: str, prefix: str) -> IPv4Network | None:
    if not (prefix.isascii() and prefix.isdigit() and int(prefix) <= 32):
        return None
    return IPv4Network(f"{address}/{int(prefix)}", strict=False)


def _is_ipv4(text: str) -> bool:
    try:
        IPv4Address(text)
    except ValueError:
        return False
    return True


def _is_ipv6(text: str) -> bool:
    try:
        return ip_network(text, strict=False).version == 6
    except ValueError:
        return False
