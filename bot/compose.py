"""The one composition root: turns a source spec and settings into the adapters everything runs on.

`build_reader` serves every CLI command; `build_deps` builds what the Slack bot runs on (reader, state
store, access policy, group directory, metrics). Adapters and Slack's libraries load inside the functions, so
nothing is imported, opened or read from the environment at import time.

With a `Metrics`, the adapters report into it through plain callbacks (adapters never import bot): every OCI
request by operation and status, every failed store operation, and each tenancy read's duration.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import InputError
from engine.model import Tenancy
from engine.ports import TenancyReader

if TYPE_CHECKING:
    from adapters.oci.settings import OciSettings
    from adapters.offload import Offload
    from bot.metrics import Metrics
    from bot.slack.deps import Deps
    from bot.slack.settings import SlackSettings
    from bot.work import WorkService

SOURCE_HELP = "where to read the tenancy: demo (the bundled demo tenancy), snapshot:FILE, or oci"


def source_kind(source: str) -> str:
    """"demo", "snapshot" or "oci" for a --source value (the `source` label of okebot_read_seconds)."""
    return "snapshot" if source.startswith("snapshot:") else source


class TimedReader:
    """A TenancyReader that times each read of the one it wraps into okebot_read_seconds{source}.

    Failed reads are timed too: a read that times out after 60 s is the slow read worth seeing.
    """

    def __init__(self, reader: TenancyReader, *, metrics: Metrics, source: str) -> None:
        self.inner = reader
        self._metrics = metrics
        self._source = source

    @property
    def description(self) -> str:
        """The wrapped reader's description."""
        return self.inner.description

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        """Read through the wrapped reader, timing it (cache hits included: they are what callers wait)."""
        started = time.perf_counter()
        try:
            return await self.inner.read(clusters=clusters, fresh=fresh)
        finally:
            self._metrics.read_finished(self._source, time.perf_counter() - started)

    async def close(self) -> None:
        """Close the wrapped reader when it holds anything (the live OCI reader's SDK sessions)."""
        close: Any = getattr(self.inner, "close", None)
        if close is not None:
            await close()


def build_reader(
    source: str, *, metrics: Metrics | None = None, offload: Offload | None = None
) -> TenancyReader:
    """Build the tenancy reader for a --source value; InputError names a bad one.

    With `metrics`, reads are timed and OCI requests counted in it; `offload` runs the readers' CPU-bound
    conversion (the bot's work service), a thread when left out.
    """
    reader = _reader(source, metrics, offload)
    return TimedReader(reader, metrics=metrics, source=source_kind(source)) if metrics is not None else reader


def check_source(source: str) -> None:
    """For a long-running command (`okebot serve`): InputError now, naming --source, when a snapshot file does
    not exist, is a directory or cannot be read, or when OCI's config file (OKEBOT_OCI_AUTH=config) cannot be
    loaded, rather than an error in every answer later (SourceError then). OCI principals and the network are
    checked as they are read (and by `okebot config check`)."""
    if source == "oci":
        settings = oci_settings()
        if settings.auth == "config":  # a file read here; principals are asked over the network, later
            from adapters.oci.auth import build_auth

            build_auth(settings)
        return
    if not source.startswith("snapshot:"):
        return
    path = Path(source.removeprefix("snapshot:"))
    problem = ("does not exist" if not path.exists() else "is a directory" if path.is_dir()
               else "cannot be read (permissions)" if not os.access(path, os.R_OK) else None)
    if problem is not None:
        raise InputError(f"the snapshot {path} {problem}", where="--source",
                         remedy="name a snapshot file okebot can read (okebot snapshot -o FILE records one)")


def _reader(source: str, metrics: Metrics | None, offload: Offload | None) -> TenancyReader:
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

        return OciTenancyReader(
            oci_settings(), observer=metrics.oci_request if metrics is not None else None, offload=offload
        )
    raise InputError(f"unknown source {source!r}; expected demo, snapshot:FILE or oci", where="--source")


def oci_settings() -> OciSettings:
    """OKEBOT_OCI_* settings from the environment; InputError names a variable that is wrong."""
    from adapters.oci.settings import OciSettings
    from bot.env import load

    return load(OciSettings, prefix="OKEBOT_OCI_")


async def build_deps(
    settings: SlackSettings,
    *,
    source: str,
    store_url: str | None = None,
    slack_groups: bool = True,
    metrics: Metrics | None = None,
    announce: bool = True,
    work: WorkService | None = None,
) -> Deps:
    """The Slack bot's Deps: the work service (OKEBOT_ANSWER_CONCURRENCY, OKEBOT_WORK_POOL) unless given, the
    reader for `source` (converting in that service), the state store, the in-flight registry, the access
    policy of the okebot.yaml
    `find_config` selects (else the built-in default), with a bot token Slack's user groups, and `metrics`
    (a new registry when None) that the reader, the store and the Slack client report into; the file's `digests:`
    (read-only from Slack) ride along in `Deps.digests`.

    With `announce` (serve's start-up), logs (logger "okebot") which okebot.yaml was loaded or that none was,
    a deprecated variable, the file's warnings (a channel bound by its name) and a warning when nobody is an
    admin. InputError when the file named cannot be read or holds mistakes (every one listed); SourceError when
    the store cannot be opened. The caller closes the store and the
    work service.
    """
    import logging
    from datetime import UTC, datetime

    from adapters.store.factory import open_store
    from adapters.yaml_lines import describe
    from bot.config_file import admins, find_config, load_config, no_admin_warning
    from bot.inflight import InFlight
    from bot.metrics import Metrics
    from bot.slack.answer_job import WORKER_MODULES
    from bot.slack.app import create_client
    from bot.slack.deps import Deps
    from bot.slack.groups import GroupDirectory, NoGroups, SlackGroupDirectory
    from bot.work import WorkService

    metrics = metrics if metrics is not None else Metrics()
    logger = logging.getLogger("okebot.slack")
    found = find_config(settings)
    config = load_config(found)
    policy, digests = config.policy, config.digests
    startup = logging.getLogger("okebot")
    if announce:
        startup.info("configuration: %s", found.reason)
        for warning in ([found.warning] if found.warning else []) + [describe(w) for w in config.warnings]:
            startup.warning("%s", warning)
    if work is None:
        work = WorkService(concurrency=settings.okebot_answer_concurrency, kind=settings.okebot_work_pool,
                           preload=WORKER_MODULES, logger=logging.getLogger("okebot.work"))
    reader = build_reader(source, metrics=metrics, offload=work.run)
    store = await open_store(store_url or settings.okebot_store_url, observer=metrics.store_error)
    try:
        if announce and not admins(policy, await store.list_role_grants()):
            startup.warning("%s", no_admin_warning(found))
    except BaseException:
        await store.close()
        raise
    # Group grants need Slack's answer on who is in which group; without a bot token there is no one to ask.
    groups: GroupDirectory = NoGroups()
    if slack_groups and settings.slack_bot_token is not None:
        groups = SlackGroupDirectory(create_client(settings, metrics=metrics), logger=logger)
    return Deps(reader=reader, store=store, policy=policy, clock=lambda: datetime.now(UTC), logger=logger,
                groups=groups, metrics=metrics, digests=digests, work=work,
                inflight=InFlight(logger=logging.getLogger("okebot.inflight")))
