"""The bundled demo tenancy: a snapshot shipped inside the package, for `--source demo` and first looks."""

from __future__ import annotations

from importlib import resources

from adapters.snapshot.parse import parse_snapshot_text
from adapters.snapshot.reader import SnapshotTenancyReader

DEMO_FILE = "demo-tenancy.json"


def demo_document() -> dict[str, object]:
    """The demo snapshot document, parsed from the packaged JSON."""
    data = resources.files("adapters").joinpath("demo", DEMO_FILE).read_bytes()
    return parse_snapshot_text(data, source=DEMO_FILE)


def load_demo_reader() -> SnapshotTenancyReader:
    """A reader over the bundled demo tenancy."""
    return SnapshotTenancyReader(demo_document(), label=DEMO_FILE)
