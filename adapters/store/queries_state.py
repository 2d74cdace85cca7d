"""The bot's own state, in SQL written once for both databases: the audit trail, channel bindings, role grants
and idempotency claims (the StateStore's own methods in engine/ports.py).
"""

from __future__ import annotations

from adapters.store import rows
from adapters.store.base import SqlBase
from engine.access import ChannelBinding, GrantKind, RoleGrant
from engine.audit import JOB_COMMAND_PREFIX, AuditEntry, AuditKind

_AUDIT_COLUMNS = "at_us, user_id, channel, command, arguments, outcome, error_id, duration_ms"
_BINDING_COLUMNS = "channel, clusters, compartments, default_cluster"


class StateQueries(SqlBase):
    """Audit, bindings, grants and claims; part of `SqlStore`."""

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit trail."""
        await self._execute(
            f"INSERT INTO audit_log ({_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.audit_row(entry)
        )

    async def list_audit(
        self, *, limit: int = 50, user: str | None = None, channel: str | None = None, kind: AuditKind | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries, newest first, optionally only one user's or one channel's, only people's
        or only scheduled jobs'."""
        rows.check_limit(limit)
        where, params = _audit_filter(user, channel, kind)
        found = await self._fetch(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log{where} ORDER BY at_us DESC, id DESC LIMIT ?", (*params, limit)
        )
        return [rows.audit_entry(row) for row in found]

    async def put_binding(self, binding: ChannelBinding) -> None:
        """Create or replace the binding of `binding.channel`."""
        await self._execute(
            f"INSERT INTO channel_bindings ({_BINDING_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (channel)"
            " DO UPDATE SET clusters = excluded.clusters, compartments = excluded.compartments,"
            " default_cluster = excluded.default_cluster",
            rows.binding_row(binding),
        )

    async def get_binding(self, channel: str) -> ChannelBinding | None:
        """The stored binding of a channel, if any."""
        found = await self._fetch(
            f"SELECT {_BINDING_COLUMNS} FROM channel_bindings WHERE channel = ?", (rows.binding_key(channel),)
        )
        return rows.channel_binding(found[0]) if found else None

    async def list_bindings(self) -> list[ChannelBinding]:
        """Every stored binding, ordered by channel."""
        found = await self._fetch(f"SELECT {_BINDING_COLUMNS} FROM channel_bindings ORDER BY channel{{binary}}")
        return [rows.channel_binding(row) for row in found]

    async def delete_binding(self, channel: str) -> bool:
        """Remove a channel's binding; False when there was none."""
        return await self._execute("DELETE FROM channel_bindings WHERE channel = ?", (rows.binding_key(channel),)) > 0

    async def put_role_grant(self, grant: RoleGrant) -> None:
        """Create or replace the grant of one user or group."""
        await self._execute(
            "INSERT INTO role_grants (kind, subject_key, subject, role) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, subject_key) DO UPDATE SET subject = excluded.subject, role = excluded.role",
            rows.grant_row(grant),
        )

    async def get_role_grant(self, kind: GrantKind, subject: str) -> RoleGrant | None:
        """The stored grant of one user or group, if any."""
        found = await self._fetch(
            "SELECT kind, subject, role FROM role_grants WHERE kind = ? AND subject_key = ?",
            rows.grant_key(kind, subject),
        )
        return rows.role_grant(found[0]) if found else None

    async def list_role_grants(self) -> list[RoleGrant]:
        """Every stored grant, ordered by kind then subject."""
        found = await self._fetch(
            "SELECT kind, subject, role FROM role_grants ORDER BY kind{binary}, subject_key{binary}"
        )
        return [rows.role_grant(row) for row in found]

    async def delete_role_grant(self, kind: GrantKind, subject: str) -> bool:
        """Remove a grant; False when there was none."""
        sql = "DELETE FROM role_grants WHERE kind = ? AND subject_key = ?"
        return await self._execute(sql, rows.grant_key(kind, subject)) > 0

    async def claim_once(self, key: str, *, ttl_seconds: int) -> bool:
        """Claim `key` for `ttl_seconds`: True for exactly one caller, across replicas, until it expires."""
        rows.check_ttl(ttl_seconds)
        # One statement, so the check and the write are atomic across processes; the database's clock, not
        # each replica's, decides expiry.
        claimed = await self._execute(
            "INSERT INTO claims (claim_key, expires_at) VALUES (?, {now} + ?) ON CONFLICT (claim_key)"
            " DO UPDATE SET expires_at = excluded.expires_at WHERE claims.expires_at <= {now}",
            (rows.text(key), float(ttl_seconds)),
        )
        if claimed:
            await self._execute("DELETE FROM claims WHERE expires_at < {now}")
        return claimed > 0


def _audit_filter(user: str | None, channel: str | None, kind: AuditKind | None) -> tuple[str, list[str]]:
    chosen = (("user_id", user), ("channel", channel))
    conditions = [(f"{column} = ?", rows.text(value)) for column, value in chosen if value is not None]
    if kind is not None:
        # A prefix match both databases do alike: "job:" holds no LIKE wildcard and no letter case differs.
        conditions.append(("command LIKE ?" if kind == "jobs" else "command NOT LIKE ?", JOB_COMMAND_PREFIX + "%"))
    where = " WHERE " + " AND ".join(condition for condition, _ in conditions) if conditions else ""
    return where, [value for _, value in conditions]
