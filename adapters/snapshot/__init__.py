"""Snapshots: OCI and Kubernetes wire JSON, grouped by kind, read into the engine model.

The format is documented in docs/snapshot-format.md.
"""

from __future__ import annotations

from adapters.snapshot.convert import tenancy_from_document
from adapters.snapshot.demo import load_demo_reader
from adapters.snapshot.parse import SNAPSHOT_FORMAT, parse_snapshot_text
from adapters.snapshot.reader import SnapshotTenancyReader, load_snapshot_file

__all__ = [
    "SNAPSHOT_FORMAT",
    "SnapshotTenancyReader",
    "load_demo_reader",
    "load_snapshot_file",
    "parse_snapshot_text",
    "tenancy_from_document",
]
