"""CIDR overlap rules: a VCN's blocks apart, a subnet's blocks apart, subnets inside their VCN, subnets apart,
pods and services CIDRs clear of the network.

Two CIDR blocks overlap only when one contains the other, so sorting blocks by network address (then prefix
length) and sweeping with a stack of the blocks still open finds every overlapping pair in O(n log n + k)
for k pairs, instead of comparing every pair.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from ipaddress import IPv4Network
from typing import NamedTuple, TypeVar

from engine.catalogue import finding
from engine.check import Check
from engine.cidr import VCN_LARGEST_PREFIX, VCN_SMALLEST_PREFIX, subnet_block_too_small, vcn_block_size_allowed
from engine.codes import Code
from engine.findings import Detail, Finding, Severity
from engine.model import Cni, Subnet, Tenancy
from engine.rules._common import cidr_text, subnets_in, touched_vcn_ids

K = TypeVar("K", bound=Hashable)


def overlapping_pairs(blocks: Sequence[tuple[IPv4Network, K]]) -> list[tuple[K, K]]:
    """Every pair of keys whose blocks overlap, as (containing key, contained key), by a sorted sweep."""
    ordered = sorted(blocks, key=lambda item: (int(item[0].network_address), item[0].prefixlen))
    open_blocks: list[tuple[int, K]] = []
    pairs: list[tuple[K, K]] = []
    for block, key in ordered:
        start = int(block.network_address)
        while open_blocks and open_blocks[-1][0] < start:
            open_blocks.pop()
        pairs.extend((open_key, key) for _, open_key in open_blocks)
        open_blocks.append((int(block.broadcast_address), key))
    return pairs


def vcn_cidr_overlap_findings(check: Check) -> list[Finding]:
    """VCN_CIDR_OVERLAP once for each CIDR block of one of the cluster's VCNs that overlaps another block of it:
    a block inside a larger one (naming every block that holds it), or a block listed again.

    Source: `oci network vcn create` ("They must not overlap with each other"); adding a block that overlaps
    another of the VCN is refused too (Adding an IPv4 CIDR Block to a VCN).
    """
    wanted = touched_vcn_ids(check)
    found: list[Finding] = []
    for vcn in (vcn for vcn in check.tenancy.vcns if vcn.id in wanted):
        owner = _Owner(code=Code.VCN_CIDR_OVERLAP, subject=f"vcn:{vcn.name}", title=f"VCN {vcn.name}", kind="VCN",
                       blocks="the VCN's CIDR blocks", details={"vcn": vcn.name},
                       size_allowed=vcn_block_size_allowed, size_code=Code.VCN_CIDR_SIZE)
        found += _block_overlaps(owner, vcn.cidrs)
    return found


def subnet_cidr_overlap_findings(check: Check) -> list[Finding]:
    """SUBNET_CIDR_OVERLAP once for each CIDR block of a subnet of the cluster's VCNs that overlaps another block
    of the same subnet: a block inside a larger one, or a block listed again. Its addresses are counted once
    (`engine.cidr.usable_ips`), so capacity is not inflated; this says the plan is wrong all the same.

    Assumed, as for a VCN's blocks: OCI refuses a subnet block that overlaps another block of the subnet (the
    catalogue entry says so).
    """
    found: list[Finding] = []
    for subnet in subnets_in(check.tenancy, touched_vcn_ids(check)):
        owner = _Owner(code=Code.SUBNET_CIDR_OVERLAP, subject=f"subnet:{subnet.name}", title=f"Subnet {subnet.name}",
                       kind="subnet", blocks=f"the CIDR blocks of subnet {subnet.name}",
                       details={"subnet": subnet.name}, size_allowed=_subnet_block_size_allowed,
                       size_code=Code.SUBNET_CIDR_SIZE)
        found += _block_overlaps(owner, subnet.cidrs)
    return found


def _subnet_block_size_allowed(block: IPv4Network) -> bool:
    """True for a subnet block of a size OCI takes: /16 to /30 (SUBNET_CIDR_SIZE)."""
    return block.prefixlen >= VCN_LARGEST_PREFIX and not subnet_block_too_small(block)


class _Owner(NamedTuple):
    """What holds the blocks (a VCN or a subnet), as its overlap findings name it."""

    code: Code
    subject: str
    title: str  # "VCN prod-vcn", "Subnet workers"
    kind: str  # "VCN", "subnet"
    blocks: str  # "the VCN's CIDR blocks", "the CIDR blocks of subnet workers"
    details: dict[str, Detail]
    size_allowed: Callable[[IPv4Network], bool]
    size_code: Code  # the finding that refuses a block of the wrong size


def _block_overlaps(owner: _Owner, cidrs: Sequence[IPv4Network]) -> list[Finding]:
    """One finding for each block of `cidrs` that overlaps another, by a sorted sweep."""
    holders: dict[int, list[int]] = {}
    # The sweep names the containing block first; of two equal blocks, the one listed first (stable sort).
    for outer, inner in overlapping_pairs([(block, i) for i, block in enumerate(cidrs)]):
        holders.setdefault(inner, []).append(outer)
    found: list[Finding] = []
    for inner, outers in sorted(holders.items()):
        made = _overlap_finding(owner, cidrs, inner, sorted(outers))
        if made is not None:
            found.append(made)
    return found


def _overlap_finding(owner: _Owner, cidrs: Sequence[IPv4Network], inner: int, outers: list[int]) -> Finding | None:
    """The finding for block `inner`, held by blocks `outers`; None for a block listed again later (its last
    listing says it once)."""
    block = cidrs[inner]
    listed = [i for i, other in enumerate(cidrs) if other == block]
    if inner != listed[-1]:
        return None
    larger = list(dict.fromkeys(cidrs[i] for i in outers if cidrs[i] != block))
    said: list[str] = []
    if len(listed) > 1:
        times = "twice" if len(listed) == 2 else f"{len(listed)} times"
        said.append(f"is listed {times}")
    if larger:
        said.append(f"lies inside {' and '.join(f'{b} ({_span(b)})' for b in larger)}")
    return finding(
        owner.code,
        owner.subject,
        f"{owner.title} CIDR block {block} ({_span(block)}) {' and '.join(said)}; "
        f"the {owner.kind}'s blocks must not overlap.",
        details={**owner.details, "cidr": str(block),
                 "overlaps": ", ".join(dict.fromkeys(str(cidrs[i]) for i in outers))},
        fields={"fix": _overlap_fix(owner, block, larger)},
    )


def _overlap_fix(owner: _Owner, block: IPv4Network, larger: list[IPv4Network]) -> str:
    """Remove the held block, when a holder of a size OCI takes keeps its addresses; otherwise replace the
    oversized holder (keeping it would trade one refused block for another)."""
    if not larger:
        return f"List {block} once."
    kept = next((outer for outer in larger if owner.size_allowed(outer)), None)
    if kept is not None:
        return f"Remove {block} from {owner.blocks}: {kept} already holds all its addresses."
    holder = larger[0]
    stays = f"; {block} can stay" if owner.size_allowed(block) else ""
    return (
        f"Replace {holder} with /{VCN_LARGEST_PREFIX} to /{VCN_SMALLEST_PREFIX} blocks that do not overlap the "
        f"{owner.kind}'s other blocks (OCI refuses a /{holder.prefixlen} as a {owner.kind} block, "
        f"{owner.size_code}){stays}."
    )


def _span(block: IPv4Network) -> str:
    """A block's first and last address, "10.0.0.0-10.0.255.255", the working behind an overlap."""
    return f"{block.network_address}-{block.broadcast_address}"


def subnet_outside_vcn_findings(check: Check) -> list[Finding]:
    """SUBNET_OUTSIDE_VCN for subnets of the cluster's VCNs whose CIDR lies in none of the VCN's CIDRs."""
    tenancy = check.tenancy
    vcn_ids = touched_vcn_ids(check)
    vcns = {vcn.id: vcn for vcn in tenancy.vcns if vcn.id in vcn_ids}
    found: list[Finding] = []
    for subnet in subnets_in(tenancy, set(vcns)):
        vcn = vcns[subnet.vcn_id or ""]
        if not vcn.cidrs:
            continue  # the VCN has no valid CIDR (CIDR_INVALID says so); every subnet would be "outside" it
        for block in subnet.cidrs:
            if not any(block.subnet_of(outer) for outer in vcn.cidrs):
                found.append(
                    finding(
                        Code.SUBNET_OUTSIDE_VCN,
                        f"subnet:{subnet.name}",
                        f"Subnet {subnet.name} CIDR {block} is not inside VCN {vcn.name} "
                        f"({', '.join(str(c) for c in vcn.cidrs) or 'no CIDRs'}).",
                        details={"subnet": subnet.name, "cidr": str(block), "vcn": vcn.name},
                    )
                )
    return found


def subnet_overlap_findings(check: Check) -> list[Finding]:
    """SUBNET_OVERLAP for each pair of subnets of one of the cluster's VCNs whose CIDRs overlap."""
    tenancy = check.tenancy
    by_vcn: dict[str, list[Subnet]] = {}
    for subnet in subnets_in(tenancy, touched_vcn_ids(check)):
        by_vcn.setdefault(subnet.vcn_id or "", []).append(subnet)
    found: list[Finding] = []
    for vcn_id, subnets in sorted(by_vcn.items()):
        index = {subnet.id: subnet for subnet in subnets}
        blocks = [(block, subnet.id) for subnet in subnets for block in subnet.cidrs]
        seen: set[tuple[str, str]] = set()
        for outer_id, inner_id in overlapping_pairs(blocks):
            pair = (min(outer_id, inner_id), max(outer_id, inner_id))
            if outer_id != inner_id and pair not in seen:
                seen.add(pair)
                found.append(_overlap(index[pair[0]], index[pair[1]], tenancy, vcn_id))
    return found


def _overlap(first: Subnet, second: Subnet, tenancy: Tenancy, vcn_id: str) -> Finding:
    a, b = sorted((first, second), key=lambda s: (s.name, s.id))
    vcn = tenancy.vcn(vcn_id)
    return finding(
        Code.SUBNET_OVERLAP,
        f"subnet:{b.name}",
        f"Subnets {a.name} ({cidr_text(a)}) and {b.name} ({cidr_text(b)}) in VCN "
        f"{vcn.name if vcn else vcn_id} overlap.",
        details={"subnet": b.name, "otherSubnet": a.name, "cidrs": cidr_text(b), "otherCidrs": cidr_text(a)},
    )


def cluster_cidr_overlap_findings(check: Check) -> list[Finding]:
    """PODS_CIDR_OVERLAP / SERVICES_CIDR_OVERLAP against the VCN, the cluster's subnets and each other."""
    cluster = check.cluster
    # VCN-native pods take subnet IPs, so an overlapping (unused) pods CIDR is a warning there, not an error.
    pods_severity = Severity.ERROR if cluster.cni is Cni.FLANNEL else Severity.WARNING
    found: list[Finding] = []
    for code, label, cidr, severity in (
        (Code.PODS_CIDR_OVERLAP, "pods", cluster.pods_cidr, pods_severity),
        (Code.SERVICES_CIDR_OVERLAP, "services", cluster.services_cidr, Severity.ERROR),
    ):
        if cidr is not None:
            found += _network_overlaps(check, code=code, label=label, cidr=cidr, severity=severity)
    pods, services = cluster.pods_cidr, cluster.services_cidr
    if pods is not None and services is not None and pods.overlaps(services):
        found.append(
            finding(
                Code.PODS_CIDR_OVERLAP,
                f"cluster:{cluster.name}",
                f"Cluster {cluster.name} pods CIDR {pods} overlaps its services CIDR {services}.",
                severity=pods_severity,
                details={"podsCidr": str(pods), "servicesCidr": str(services), "field": "cluster.podsCidr"},
            )
        )
    return found


def _network_overlaps(
    check: Check, *, code: Code, label: str, cidr: IPv4Network, severity: Severity
) -> list[Finding]:
    tenancy, cluster = check.tenancy, check.cluster
    found: list[Finding] = []
    reported: list[IPv4Network] = []
    vcn = tenancy.vcn(cluster.vcn_id)
    for block in vcn.cidrs if vcn is not None else ():
        if block.overlaps(cidr) and vcn is not None:
            reported.append(block)
            found.append(
                finding(
                    code,
                    f"vcn:{vcn.name}",
                    f"Cluster {cluster.name} {label} CIDR {cidr} overlaps VCN {vcn.name} CIDR {block}.",
                    severity=severity,
                    # "cidr": the VCN block it is about, whose own line a plan file's finding is placed on.
                    details={f"{label}Cidr": str(cidr), "vcnCidr": str(block), "cidr": str(block)},
                )
            )
    for subnet in _existing(check.subnets, check.used.all_ids()):
        # A subnet inside an already reported VCN block adds nothing but noise.
        clashing = [b for b in subnet.cidrs if b.overlaps(cidr) and not any(b.overlaps(r) for r in reported)]
        if clashing:
            found.append(
                finding(
                    code,
                    f"subnet:{subnet.name}",
                    f"Cluster {cluster.name} {label} CIDR {cidr} overlaps subnet {subnet.name} "
                    f"({', '.join(str(b) for b in clashing)}).",
                    severity=severity,
                    details={
                        f"{label}Cidr": str(cidr),
                        "subnet": subnet.name,
                        "subnetCidrs": ", ".join(str(b) for b in clashing),
                        # The one block it is about, when it is one: a plan file's finding goes on its line.
                        **({"cidr": str(clashing[0])} if len(clashing) == 1 else {}),
                    },
                )
            )
    return found


def _existing(index: dict[str, Subnet], ids: Iterable[str]) -> list[Subnet]:
    return [index[subnet_id] for subnet_id in ids if subnet_id in index]


# The rules of this family, in the order `engine.rules.RULES` runs them.
RULES = (
    vcn_cidr_overlap_findings,
    subnet_cidr_overlap_findings,
    subnet_outside_vcn_findings,
    subnet_overlap_findings,
    cluster_cidr_overlap_findings,
)
