"""The state store: audit trail, channel bindings, role grants and idempotency claims.

SQLite for one host, PostgreSQL for replicas; `open_store(url)` picks by URL.
"""

from __future__ import annotations

from adapters.store.factory import open_store

__all__ = ["open_store"]
