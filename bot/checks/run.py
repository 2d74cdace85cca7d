"""Run every area of `okebot config check` in order and add the admin check, which needs the store's grants."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from bot.checks import Check, CheckReport
from bot.checks.config import check_configuration
from bot.checks.oci import check_kubernetes, check_oci
from bot.checks.slack import check_slack
from bot.checks.store import check_store
from bot.config_file import DEFAULT_PATHS, FoundConfig, admins, no_admin_warning
from engine.access import AccessPolicy, RoleGrant

NETWORK_AREAS = ("slack", "oci", "kubernetes")


async def run_checks(*, network: bool = True, source: str = "oci",
                     defaults: Sequence[Path] = DEFAULT_PATHS) -> CheckReport:
    """Every check. Without `network`, Slack, OCI, Kubernetes and a PostgreSQL store are skipped (and say so);
    with a `source` other than oci, OCI and Kubernetes are (the bot reads no tenancy), and a snapshot source's
    file is checked instead."""
    checks, loaded = check_configuration(defaults=defaults)
    report = CheckReport([*checks, *await asyncio.to_thread(_source, source)])
    if not network:
        report.checks += [Check(area, "all", "skip", "skipped: --no-network") for area in NETWORK_AREAS]
    else:
        if loaded.slack is not None:
            # A channel bound by its name is warned about with the configuration; Slack only knows IDs.
            report.checks += await check_slack(loaded.slack, loaded.channels)
        else:
            report.checks.append(Check("slack", "all", "skip", "the Slack settings could not be read"))
        if source != "oci":
            report.checks += [Check(area, "all", "skip", f"--source {source} reads no live tenancy")
                              for area in ("oci", "kubernetes")]
        elif loaded.oci is None:
            report.checks += [Check(area, "all", "skip", "the OKEBOT_OCI_* settings could not be read")
                              for area in ("oci", "kubernetes")]
        else:
            report.checks += await check_oci(loaded.oci)
            report.checks += await check_kubernetes(loaded.oci)
    grants = None
    if loaded.slack is not None and not loaded.store_url_readable:
        report.checks.append(Check("store", "all", "skip", "OKEBOT_STORE_URL cannot be read (see settings)"))
    elif loaded.slack is not None:
        store_checks, grants = await check_store(loaded.slack.okebot_store_url, network=network)
        report.checks += store_checks
    if loaded.policy is not None and loaded.found is not None:
        # Shown with the configuration, though it needs the store's grants.
        after = max(i for i, check in enumerate(report.checks) if check.area in ("settings", "config")) + 1
        report.checks.insert(after, _admin_check(loaded.policy, loaded.found, grants))
    return report


def _source(source: str) -> list[Check]:
    """A source other than oci: the snapshot file is there to read (the chart mounts it with extraVolumes);
    demo needs nothing. An unknown source fails as `okebot serve` would refuse it."""
    if source in ("oci", "demo"):
        return []
    if not source.startswith("snapshot:"):
        return [Check("source", source, "fail", f"unknown source {source!r}; expected demo, snapshot:FILE or oci",
                      "pass --source demo, snapshot:FILE or oci (chart: source)", unreadable=True)]
    path = Path(source.removeprefix("snapshot:"))
    if path.is_file() and os.access(path, os.R_OK):
        return [Check("source", str(path), "pass", "the snapshot file is there and readable")]
    problem = "is not readable" if path.is_file() else "is a directory" if path.is_dir() else "does not exist"
    return [Check("source", str(path), "fail", f"the snapshot file {path} {problem}",
                  "mount the snapshot where --source names it (chart: extraVolumes and extraVolumeMounts), or "
                  "fix --source (chart: source)")]


def _admin_check(policy: AccessPolicy, found: FoundConfig, grants: Sequence[RoleGrant] | None) -> Check:
    named = admins(policy, grants or ())
    where = "okebot.yaml and the store" if grants is not None else "okebot.yaml; the store was not read"
    if named:
        return Check("config", "admins", "pass", f"{', '.join(named)} ({where})")
    return Check("config", "admins", "warn", f"nobody is an admin in {where}", no_admin_warning(found).split("; ")[-1])
