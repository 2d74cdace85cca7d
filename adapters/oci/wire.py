"""SDK model objects back to OCI's REST wire JSON (camelCase keys, ISO 8601 times, no nulls)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Json = dict[str, Any]


def to_wire(client: Any, data: Any) -> Any:
    """Serialise what an SDK call returned exactly as the REST API spelled it, via the models' attribute maps."""
    return client.base_client.sanitize_for_serialization(data)


def wire_list(client: Any, data: Any) -> list[Json]:
    """Serialise the items of a list answer."""
    return [item for item in to_wire(client, list(data)) if isinstance(item, dict)]


def merged(groups: Iterable[Iterable[Json]]) -> list[Json]:
    """Concatenate lists read per compartment, keeping the first copy of each id and the servers' order."""
    seen: dict[str, Json] = {}
    for group in groups:
        for item in group:
            seen.setdefault(str(item.get("id")), item)
    return list(seen.values())


def replaced(items: list[Json], details: Mapping[str, Json]) -> list[Json]:
    """Swap list summaries for the full objects a `get_*` returned, where it succeeded."""
    return [details.get(str(item.get("id")), item) for item in items]
