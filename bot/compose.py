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
    from adapters.offload import Offload
    from bot.slack.deps import Deps
    from bot.slack.settings import SlackSettings
    from bot.work import WorkService

SOURCE_HELP = "where to read the tenancy: demo (the bundled demo tenancy), snapshot:FILE, or oci"


def build_reader(source: str, *, offload: Offload | None = None) -> TenancyReader:
    """Build the tenancy reader for a --source value; InputError names a bad one.

    `offload` runs the readers' CPU-bound conversion (the bot's work service); a thread when left out.
    """
    if source == "demo":
        from adapters.snapshot.demo import load_demo_reader

        return load_demo_reader()
    if source.startswith("snapshot:"):
        from adapters.snapshot.reader import SnapshotTenancyReader

        path = source.removeprefix("snapshot:")
        if not path:
            raise InputError("snapshot: needs a file, as in snapshot:tenancy.json", where="--source")
        return SnapshotTenancyReader(Path(path), offload=offload)
    if source == "oci":
        from adapters.oci.reader import OciTenancyReader

        return OciTenancyReader(oci_settings(), offload=offload)
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
    settings: SlackSettings,
    *,
    source: str,
    store_url: str | None = None,
    slack_groups: bool = True,
    work: WorkService | None = None,
) -> Deps:
    """The Slack bot's Deps: the work service (OKEBOT_ANSWER_CONCURRENCY, OKEBOT_WORK_POOL) unless given, the
    reader for `source` (converting in that service), the state store, the access policy
    (OKEBOT_ACCESS_CONFIG, else the default), the in-flight registry and, with a bot token, Slack's user
    groups. The caller closes the store and the work service."""
    import logging
    from datetime import UTC, datetime

    from adapters.access_config import load_access_policy
    from adapters.store.factory import open_store
    from bot.inflight import InFlight
    from bot.slack.answer_job import WORKER_MODULES
    from bot.slack.app import create_client
    from bot.slack.deps import Deps
    from bot.slack.groups import GroupDirectory, NoGroups, SlackGroupDirectory
    from bot.work import WorkService
    from engine.access import AccessPolicy

    logger = logging.getLogger("okebot.slack")
    if work is None:
        work = WorkService(concurrency=settings.okebot_answer_concurrency, kind=settings.okebot_work_pool,
                           preload=WORKER_MODULES, logger=logging.getLogger("okebot.work"))
    reader = build_reader(source, offload=work.run)
    path = settings.okebot_access_config
    policy = load_access_policy(path) if path is not None else AccessPolicy()
    store = await open_store(store_url or settings.okebot_store_url)
    # Group grants need Slack's answer on who is in which group; without a bot token there is no one to ask.
    groups: GroupDirectory = NoGroups()
    if slack_groups and settings.slack_bot_token is not None:
        groups = SlackGroupDirectory(create_client(settings), logger=logger)
    return Deps(reader=reader, store=store, policy=policy, clock=lambda: datetime.now(UTC), logger=logger,
                groups=groups, work=work, inflight=InFlight(logger=logging.getLogger("okebot.inflight")))
