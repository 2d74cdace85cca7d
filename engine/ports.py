"""Ports: what the engine's use cases need from the outside world, as `typing.Protocol`s.

Adapters satisfy them structurally; none subclasses a port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from engine.model import Tenancy


class TenancyReader(Protocol):
    """Reads a tenancy (live, snapshot or demo) into the engine model."""

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        """Read the tenancy.

        Args:
            clusters: cluster names or OCIDs to restrict the read to; None reads every cluster.
            fresh: bypass any cache the reader keeps.

        Returns:
            The tenancy; what could not be read is listed in `Tenancy.unreadable`, never silently dropped.
        """
        ...

    @property
    def description(self) -> str:
        """A short, human description of the source, such as "snapshot demo.json (us-ashburn-1)"."""
        ...
