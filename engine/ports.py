"""Ports: what the engine's use cases need from the outside world, as `typing.Protocol`s.

Adapters satisfy them structurally; none subclasses a port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from engine.access import ChannelBinding, GrantKind, RoleGrant
from engine.audit import AuditEntry
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


class StateStore(Protocol):
    """Keeps what the bot must remember: the audit trail, runtime channel bindings and role grants, and
    idempotency claims shared by every replica. SQLite or PostgreSQL; both behave the same.

    Every method raises `SourceError` when the database cannot be reached; a failed write changes nothing.
    """

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit trail."""
        ...

    async def list_audit(
        self, *, limit: int = 50, user: str | None = None, channel: str | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first, optionally only one user's or one channel's."""
        ...

    async def put_binding(self, binding: ChannelBinding) -> None:
        """Create or replace the binding of `binding.channel`."""
        ...

    async def get_binding(self, channel: str) -> ChannelBinding | None:
        """The stored binding of a channel, if any."""
        ...

    async def list_bindings(self) -> list[ChannelBinding]:
        """Every stored binding, ordered by channel."""
        ...

    async def delete_binding(self, channel: str) -> bool:
        """Remove a channel's binding; False when there was none."""
        ...

    async def put_role_grant(self, grant: RoleGrant) -> None:
        """Create or replace the grant of `grant.subject` (a user id or a group id/handle)."""
        ...

    async def get_role_grant(self, kind: GrantKind, subject: str) -> RoleGrant | None:
        """The stored grant of one user or group, if any."""
        ...

    async def list_role_grants(self) -> list[RoleGrant]:
        """Every stored grant, ordered by kind then subject."""
        ...

    async def delete_role_grant(self, kind: GrantKind, subject: str) -> bool:
        """Remove a grant; False when there was none."""
        ...

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        """Claim `key` for `ttl_seconds`: True for exactly one caller across all replicas until it expires.

        Used to drop Slack retries (key on the event id) and to post each scheduled digest slot once
        (key on job and slot). An expired key can be claimed again.
        """
        ...

    async def close(self) -> None:
        """Release the connection(s). The store cannot be used afterwards."""
        ...
