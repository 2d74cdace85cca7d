"""The one composition root: turns a source spec and settings into adapters."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from engine.errors import InputError
from engine.ports import TenancyReader

if TYPE_CHECKING:
    from adapters.oci.settings import OciSettings

SOURCE_HELP = "where to read the tenancy: demo (the bundled demo tenancy), snapshot:FILE, or oci"


def build_reader(source: str) -> TenancyReader:
    """Build the tenancy reader for a --source value; InputError names a bad one."""
    if source == "demo":
        from adapters.snapshot.demo import load_demo_reader

        return load_demo_reader()
    if source.startswith("snapshot:"):
        from adapters.snapshot.reader import SnapshotTenancyReader

        path = source.removeprefix("snapshot:")
        if not path:
            raise InputError("snapshot: needs a file, as in snapshot:tenancy.json", where="--source")
        return SnapshotTenancyReader(Path(path))
    if source == "oci":
        from adapters.oci.reader import OciTenancyReader

        return OciTenancyReader(oci_settings())
    raise InputError(f"unknown source {source!r}; expected demo, snapshot:FILE or oci", where="--source")


def oci_settings() -> OciSettings:
    """OKEBOT_OCI_* settings from the environment; InputError names a variable that is wrong."""
    from adapters.oci.settings import OciSettings

    try:
        return OciSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "OKEBOT_OCI_" + "_".join(str(part) for part in first["loc"]).upper()
        raise InputError(f"{first['msg']}", where=name, remedy="fix or unset that environment variable") from None
