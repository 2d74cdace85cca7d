"""Which clusters a read answers about: the rules a live read and the replay of its snapshot share.

Both apply them to the same snapshot document, so both raise the same errors: no cluster list at all is a
SourceError; a name that is not found while some compartment's clusters could not be listed is a SourceError
too (that compartment may hold it), not "no such cluster"; a name two clusters share is an InputError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import ClusterNotFoundError, InputError, SourceError
from engine.model import Cluster, Tenancy

_REMEDY = (
    "Check that OCI Container Engine answers (the network path, OKEBOT_OCI_ENDPOINT/ENDPOINTS) and "
    "that the principal has the policy in deploy/iam-policy.txt, then try again."
)


@dataclass(frozen=True)
class ClusterListing:
    """Whether a document holds a cluster list, and the list_clusters calls that failed (per compartment)."""

    listed: bool
    failures: tuple[Mapping[str, Any], ...]

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> ClusterListing:
        """Read the listing facts from a snapshot document."""
        errors = document.get("errors")
        entries = [e for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []
        # A failed get_cluster is also kind "clusters", but its id is the cluster's, not a compartment's.
        failed = tuple(
            e for e in entries if e.get("kind") == "clusters" and not str(e.get("id")).startswith("ocid1.cluster.")
        )
        return cls(listed=document.get("clusters") is not None, failures=failed)

    def check(self) -> None:
        """Raise SourceError when no compartment's clusters could be listed."""
        if not self.listed and self.failures:
            raise self.unreadable("could not list the clusters of any compartment")

    def unreadable(self, what: str) -> SourceError:
        """A SourceError naming the compartments whose cluster lists failed, with the first failure's details."""
        first = self.failures[0] if self.failures else {}
        where = ", ".join(str(e.get("id")) for e in self.failures) or "none"
        return SourceError(
            f"{what} (failed in: {where}): {first.get('message') or 'no answer'}",
            status=first.get("status"),
            code=first.get("code"),
            request_id=first.get("opcRequestId"),
            remedy=_REMEDY,
        )


def matching_ids(ref: str, clusters: Iterable[tuple[str, str]]) -> list[str]:
    """Ids of the (id, name) pairs `ref` names: by OCID, else exact name, else case-insensitive name."""
    pairs = list(clusters)
    folded = ref.casefold()
    for found in (
        [cid for cid, _ in pairs if cid == ref],
        [cid for cid, name in pairs if name == ref],
        [cid for cid, name in pairs if name.casefold() == folded],
    ):
        if found:
            return list(dict.fromkeys(found))
    return []


def ambiguous(ref: str, ids: Sequence[str]) -> InputError:
    """The error for a name more than one cluster has."""
    return InputError(
        f"{len(ids)} clusters are named {ref!r}: {', '.join(ids)}; name one by OCID", where="cluster"
    )


def select_clusters(tenancy: Tenancy, refs: Sequence[str], *, source: str, listing: ClusterListing) -> Tenancy:
    """Keep the named clusters (and every network object), by the rules in this module's docstring.

    Clusters whose node pools share a worker or pod subnet with a named one are kept too: their nodes
    take IPs from that subnet, so a capacity answer about the named cluster needs them.
    """
    listing.check()
    chosen: dict[str, None] = {}
    pairs = [(c.id, c.name) for c in tenancy.clusters]
    for ref in refs:
        ids = matching_ids(ref, pairs)
        if len(ids) > 1:
            raise ambiguous(ref, ids)
        if not ids:
            if listing.failures:
                raise listing.unreadable(f"cluster {ref!r} was not among those read")
            raise ClusterNotFoundError(ref, (c.name for c in tenancy.clusters), where=source)
        chosen[ids[0]] = None
    used = {subnet for c in tenancy.clusters if c.id in chosen for subnet in _pool_subnet_ids(c)}
    kept = tuple(c for c in tenancy.clusters if c.id in chosen or not used.isdisjoint(_pool_subnet_ids(c)))
    return tenancy.model_copy(update={"clusters": kept})


def _pool_subnet_ids(cluster: Cluster) -> set[str]:
    return {s for pool in cluster.node_pools for s in (*pool.worker_subnet_ids, *pool.pod_subnet_ids)}
