"""What several rule families share: subnets the source could not read, and wording for messages.

Findings are made with `engine.catalogue.finding`; which subnets a cluster uses is `engine.topology`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from ipaddress import IPv4Network, collapse_addresses

from engine.check import Check
from engine.memo import derived
from engine.model import Cluster, Subnet, Tenancy


def unread_subnet_ids(tenancy: Tenancy) -> set[str] | None:
    """Subnet ids the source could not read; None when it read no subnet at all (a missing kind)."""
    unread = [item.id for item in tenancy.unreadable if item.kind == "subnets"]
    return None if None in unread else {subnet_id for subnet_id in unread if subnet_id is not None}


def touched_vcn_ids(check: Check) -> set[str]:
    """The ids of the cluster's VCN and of every VCN a subnet the cluster uses lies in."""
    vcn_ids = {check.cluster.vcn_id} if check.cluster.vcn_id else set()
    for subnet_id in check.used.all_ids():
        subnet = check.subnets.get(subnet_id)
        if subnet is not None and subnet.vcn_id is not None:
            vcn_ids.add(subnet.vcn_id)
    return vcn_ids


def subnets_in(tenancy: Tenancy, vcn_ids: set[str]) -> list[Subnet]:
    """The tenancy's subnets that lie in one of these VCNs, in the tenancy's order."""
    return [subnet for subnet in tenancy.subnets if subnet.vcn_id in vcn_ids]


def cidr_text(subnet: Subnet) -> str:
    """A subnet's CIDR blocks as one string for messages."""
    return ", ".join(str(block) for block in subnet.cidrs)


def names(items: list[str], limit: int = 5) -> str:
    """A short list of names for a message: the first few and how many more."""
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def is_all_services_label(label: str) -> bool:
    """True for an 'All <region> Services in Oracle Services Network' label, not an Object Storage one."""
    folded = label.casefold().replace(" ", "-")
    return "objectstorage" not in folded and "object-storage" not in folded


_SERVICES_LABEL = re.compile(r"all-(?P<key>[a-z0-9]+)-services-in-oracle-services-network")
GENERIC_SERVICES = "All <region> Services in Oracle Services Network"


def services_label(tenancy: Tenancy) -> str:
    """The name of the region's "All Services" service-gateway destination, as the Console shows it ("All IAD
    Services In Oracle Services Network"), from a label the tenancy's own routes or rules use; the generic
    "All <region> Services ..." when the tenancy names none (a plan, or a tenancy without a service gateway).
    Worked out once per tenancy object (engine.memo)."""
    return derived(tenancy, "services-label", lambda: _services_label(tenancy))


def _services_label(tenancy: Tenancy) -> str:
    for subnet in tenancy.subnets:
        for label in [r.destination for r in subnet.route_rules or ()] + [r.peer for r in subnet.security_rules or ()]:
            found = _SERVICES_LABEL.fullmatch(label.strip().casefold())
            if found:
                return f"All {found['key'].upper()} Services In Oracle Services Network"
    return GENERIC_SERVICES


def parse_network(text: str) -> IPv4Network | None:
    """A rule's CIDR peer as a network; None for anything else (a label, an OCID, a malformed block)."""
    try:
        return IPv4Network(text.strip(), strict=False)
    except ValueError:
        return None


def vcn_blocks(tenancy: Tenancy, cluster: Cluster, subnets: Iterable[Subnet] = ()) -> list[IPv4Network]:
    """The CIDR blocks of the cluster's VCN, collapsed into disjoint blocks.

    The VCN is the cluster's own, else the VCN of the first given subnet that names one. When the tenancy does
    not hold that VCN, the blocks of every subnet it holds in that VCN stand in for it (a smaller "inside").
    """
    chosen = list(subnets)
    vcn_id = cluster.vcn_id or next((s.vcn_id for s in chosen if s.vcn_id), None)
    vcn = tenancy.vcn(vcn_id)
    if vcn is not None and vcn.cidrs:
        return list(collapse_addresses(vcn.cidrs))
    members = [s for s in tenancy.subnets if vcn_id is not None and s.vcn_id == vcn_id] or chosen
    return list(collapse_addresses(block for s in members for block in s.cidrs))


def outside(network: IPv4Network, blocks: list[IPv4Network]) -> bool:
    """True when `network` holds addresses outside the collapsed `blocks` (0.0.0.0/0 always does).

    Collapsed blocks are maximal, so a network inside their union lies inside one of them.
    """
    return not any(network.subnet_of(block) for block in blocks)


def not_read_phrase(tenancy: Tenancy) -> str:
    """How to say that something was not known, for the source at hand: a plan that did not state it, a
    snapshot that did not hold it, a live tenancy that could not be read."""
    return {
        "plan": "were not stated in the plan",
        "snapshot": "are not in the snapshot (not read when it was recorded; see unreadable, if it says why)",
        "live": "could not be read from the tenancy (see unreadable)",
        None: "were not read (or not stated in the plan)",
    }[tenancy.source_kind]


def how_to_state(tenancy: Tenancy, *, plan_key: str, read_what: str, grant: str) -> str:
    """The remedy's `{how}` for unknown rules or routes, for the source at hand."""
    return {
        "plan": f"State them in the plan ({plan_key}) to have them checked; [] says there are none.",
        "snapshot": f"Record the snapshot again with read access to {read_what} ({grant}), or check them by hand.",
        "live": f"Grant okebot read access to {read_what} ({grant}) and ask again.",
        None: f"Grant read access to {read_what}, or state them in the plan ({plan_key}), to have them checked.",
    }[tenancy.source_kind]
