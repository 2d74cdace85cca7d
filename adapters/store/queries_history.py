"""Capacity history, in SQL written once for both databases: samples stored, read back and thinned out with
age (the HistoryStore of engine/ports.py; the retention rule is engine.digest.history.retained).

A sample belongs to a series (cluster, kind, key), stored once in capacity_series with its display names;
capacity_samples holds the figures, one row per series and whole second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from adapters.store import rows
from adapters.store.base import SqlBase
from engine.digest.history import Sample


class HistoryQueries(SqlBase):
    """Capacity samples; part of `SqlStore`."""

    async def record_samples(self, samples: Sequence[Sample]) -> int:
        """Store samples (to the whole second); one already stored for the same series and second is replaced."""
        if not samples:
            return 0
        series = {s.series: (s.cluster_name, s.name) for s in samples}
        async with self._transaction() as tx:
            await tx.execute_many(
                "INSERT INTO capacity_series (cluster_id, kind, series_key, cluster_name, name) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (cluster_id, kind, series_key) DO UPDATE SET cluster_name = excluded.cluster_name,"
                " name = excluded.name",
                [(rows.text(c), k, rows.text(key), rows.text(cn), rows.text(n)) for (c, k, key), (cn, n) in
                 series.items()],
            )
            ids = {
                (c, k, key): int(i)
                for i, c, k, key in await tx.fetch("SELECT id, cluster_id, kind, series_key FROM capacity_series")
            }
            await tx.execute_many(
                "INSERT INTO capacity_samples (series_id, at, usable, used, reserved, nodes, max_pods)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, at) DO UPDATE SET usable = excluded.usable,"
                " used = excluded.used, reserved = excluded.reserved, nodes = excluded.nodes,"
                " max_pods = excluded.max_pods",
                [rows.sample_row(ids[(rows.text(s.cluster_id), s.kind, rows.text(s.key))], s) for s in samples],
            )
        return len(samples)

    async def read_samples(
        self, *, since: datetime | None = None, cluster_ids: Sequence[str] | None = None
    ) -> list[Sample]:
        """Samples at or after `since` (all when None), of these clusters (all when None); grouped by series,
        oldest first within each. Series names are read once, not once per sample (a month of 15-minute
        samples of 100 clusters is 600,000 rows)."""
        series_where = ""
        params: list[str] = []
        if cluster_ids is not None:
            if not cluster_ids:
                return []
            series_where = " WHERE cluster_id IN (" + ", ".join("?" for _ in cluster_ids) + ")"
            params = [rows.text(c) for c in cluster_ids]
        async with self._transaction() as tx:
            series = {
                int(found[0]): found[1:]
                for found in await tx.fetch(
                    f"SELECT id, cluster_id, cluster_name, kind, series_key, name FROM capacity_series{series_where}",
                    params)
            }
            if not series:
                return []
            chosen = f" AND series_id IN (SELECT id FROM capacity_series{series_where})" if series_where else ""
            found = await tx.fetch(
                "SELECT series_id, at, usable, used, reserved, nodes, max_pods FROM capacity_samples"
                f" WHERE at >= ?{chosen} ORDER BY series_id, at",
                [int(rows.seconds(since) // 1) if since is not None else 0, *params],
            )
        return await asyncio.to_thread(rows.samples, series, found)

    async def prune_samples(self, *, keep_days: int, full_resolution_days: int) -> int:
        """The retention rule of engine.digest.history.retained, in SQL, at the database's now."""
        if not 0 <= full_resolution_days <= keep_days:
            raise ValueError(f"full_resolution_days ({full_resolution_days}) must be between 0 and keep_days "
                             f"({keep_days})")
        async with self._transaction() as tx:
            deleted = await tx.execute(
                "DELETE FROM capacity_samples WHERE at < CAST({now} AS BIGINT) - ?"
                " OR (at < CAST({now} AS BIGINT) - ? AND EXISTS (SELECT 1 FROM capacity_samples t"
                " WHERE t.series_id = capacity_samples.series_id AND t.at > capacity_samples.at"
                " AND t.at < (capacity_samples.at / 86400 + 1) * 86400))",
                (keep_days * 86_400, full_resolution_days * 86_400),
            )
            await tx.execute("DELETE FROM capacity_series WHERE NOT EXISTS"
                             " (SELECT 1 FROM capacity_samples p WHERE p.series_id = capacity_series.id)")
        return deleted
