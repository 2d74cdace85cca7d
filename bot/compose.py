"""The one composition root: turns a source spec and settings into the adapters everything runs on.

`build_reader` serves every CLI command; `build_deps` builds what the Slack bot runs on (reader, state
store, access policy, group directory). Adapters and Slack's libraries load inside the functions, so
nothing is imported, opened or read from the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from engine.errors import InputError
from engine.ports import TenancyReader

if TYPE_CHECKING:
    from adapters.oci.settings import OciSettings
    from bot.slack.deps import Deps
    from bot.slack.settings import SlackSettings

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


async def build_deps(
    settings: SlackSettings, *, source: str, store_url: str | None = None, slack_groups: bool = True
) -> Deps:
    """The Slack bot's Deps: the reader for `source`, the state store, the access policy and the digests
    (OKEBOT_ACCESS_CONFIG, okebot.yaml's `access:` and `digests:`; else the default policy and no digests) and,
    with a bot token, Slack's user groups."""
    import logging
    from datetime import UTC, datetime

    from adapters.access_config import load_access_policy
    from adapters.digest_config import load_digests
    from adapters.store.factory import open_store
    from bot.slack.app import create_client
    from bot.slack.deps import Deps
    from bot.slack.groups import GroupDirectory, NoGroups, SlackGroupDirectory
    from engine.access import AccessPolicy

    reader = build_reader(source)
    path = settings.okebot_access_config
    policy = load_access_policy(path) if path is not None else AccessPolicy()
    digests = load_digests(path) if path is not None else ()
    store = await open_store(store_url or settings.okebot_store_url)
    logger = logging.getLogger("okebot.slack")
    # Group grants need Slack's answer on who is in which group; without a bot token there is no one to ask.
    groups: GroupDirectory = NoGroups()
    if slack_groups and settings.slack_bot_token is not None:
        groups = SlackGroupDirectory(create_client(settings), logger=logger)
    return Deps(reader=reader, store=store, policy=policy, clock=lambda: datetime.now(UTC), logger=logger,
                groups=groups, digests=digests)
