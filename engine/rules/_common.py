"""What several rule families share: subnets the source could not read, and wording for messages.

Findings are made with `engine.catalogue.finding`; which subnets a cluster uses is `engine.topology`.
"""

from __future__ import annotations

from engine.model import Subnet, Tenancy


def unread_subnet_ids(tenancy: Tenancy) -> set[str] | None:
    """Subnet ids the source could not read; None when it read no subnet at all (a missing kind)."""
    unread = [item.id for item in tenancy.unreadable if item.kind == "subnets"]
    return None if None in unread else {subnet_id for subnet_id in unread if subnet_id is not None}


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
