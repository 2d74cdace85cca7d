"""The configuration area of `okebot config check`: settings, which okebot.yaml applies, its `access:` policy
and its `digests:` section, read without touching the network."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from adapters.oci.settings import OciSettings
from bot.checks import Check
from bot.config_file import DEFAULT_PATHS, FoundConfig, find_config, load_policy
from bot.slack.settings import SlackSettings, Transport, load_slack_settings
from engine.access import AccessPolicy
from engine.errors import InputError
from engine.words import plural

CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
_DIGESTS_REMEDY = "fix the digests: section of okebot.yaml (docs/digests.md, docs/configuration.md)"


@dataclass
class Loaded:
    """What the configuration checks could read, for the checks that follow."""

    slack: SlackSettings | None = None
    oci: OciSettings | None = None
    found: FoundConfig | None = None
    policy: AccessPolicy | None = None
    digest_channels: list[str] = field(default_factory=list)


def check_configuration(*, defaults: Sequence[Path] = DEFAULT_PATHS) -> tuple[list[Check], Loaded]:
    """Settings (SLACK_*, OKEBOT_*, OKEBOT_OCI_*), okebot.yaml (which file, `access:`, `digests:`)."""
    loaded = Loaded()
    checks = [*_slack_settings(loaded), *_oci_settings(loaded)]
    if loaded.slack is not None:
        checks += _config_file(loaded, defaults)
    return checks, loaded


def _failure(area: str, name: str, error: InputError, *, unreadable: bool = True) -> Check:
    return Check(area, name, "fail", error.message, error.remedy, unreadable=unreadable)


def _slack_settings(loaded: Loaded) -> list[Check]:
    try:
        loaded.slack = settings = load_slack_settings()
    except InputError as error:
        return [_failure("settings", "SLACK_* and OKEBOT_*", error)]
    checks = [Check("settings", "SLACK_* and OKEBOT_*", "pass", "read")]
    token_problems = [p for p in settings.problems(Transport.HTTP) if p[0] == "SLACK_BOT_TOKEN"]
    if token_problems:
        name, what, fix = token_problems[0]
        what = what.replace("(http mode needs it)", "(both Socket Mode and HTTP mode need it)")
        checks.append(Check("settings", name, "fail", f"{name} {what}", fix))
    else:
        checks.append(Check("settings", "SLACK_BOT_TOKEN", "pass", "set (xoxb-…)"))
    socket = [p for p in settings.problems(Transport.SOCKET) if p[0] == "SLACK_APP_TOKEN"]
    http = [p for p in settings.problems(Transport.HTTP) if p[0] == "SLACK_SIGNING_SECRET"]
    if settings.slack_app_token is not None and socket:
        checks.append(Check("settings", "transport", "fail", f"SLACK_APP_TOKEN {socket[0][1]}", socket[0][2]))
    elif not socket or not http:
        modes = [mode for mode, problems in (("Socket Mode (SLACK_APP_TOKEN)", socket),
                                             ("HTTP mode (SLACK_SIGNING_SECRET)", http)) if not problems]
        checks.append(Check("settings", "transport", "pass", "can serve over " + " and ".join(modes)))
    else:
        checks.append(Check("settings", "transport", "fail",
                            "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is set",
                            "set SLACK_APP_TOKEN=xapp-… for Socket Mode, or SLACK_SIGNING_SECRET for "
                            "`okebot serve --http PORT`"))
    return checks


def _oci_settings(loaded: Loaded) -> list[Check]:
    from bot.compose import oci_settings

    try:
        loaded.oci = settings = oci_settings()
    except InputError as error:
        return [_failure("settings", "OKEBOT_OCI_*", error)]
    scope = plural(len(settings.compartment_ids), "compartment") if settings.compartment_ids else "the tenancy root"
    return [Check("settings", "OKEBOT_OCI_*", "pass", f"auth {settings.auth}, {scope}"
                  + (", recursive" if settings.recursive else ""))]


def _config_file(loaded: Loaded, defaults: Sequence[Path]) -> list[Check]:
    assert loaded.slack is not None
    try:
        loaded.found = found = find_config(loaded.slack, defaults=defaults)
    except InputError as error:
        return [_failure("config", "okebot.yaml", error)]
    checks: list[Check] = []
    if found.path is None:
        checks.append(Check("config", "okebot.yaml", "warn", found.reason,
                            "create okebot.yaml (deploy/okebot.example.yaml) in the working directory or "
                            "/etc/okebot/, or point OKEBOT_CONFIG at it"))
    else:
        checks.append(Check("config", "okebot.yaml", "pass", f"loaded {found.path} ({found.reason})"))
    if found.warning:
        checks.append(Check("config", "OKEBOT_ACCESS_CONFIG", "warn", found.warning, "set OKEBOT_CONFIG instead"))
    try:
        loaded.policy = policy = load_policy(found)
    except InputError as error:
        checks.append(_failure("config", "access:", error))
        return checks
    checks.append(Check("config", "access:", "pass",
                        f"{plural(len(policy.bindings), 'channel binding')}, "
                        f"{plural(len(policy.grants), 'grant')}, default role "
                        f"{policy.default_role.value if policy.default_role else 'none'}"))
    if found.path is not None:
        checks.append(_digests(found.path, loaded))
    return checks


def _digests(path: Path, loaded: Loaded) -> Check:
    """The `digests:` section, read by the one reader `okebot serve` uses (adapters/digest_config.py)."""
    from adapters.digest_config import load_digests

    try:
        digests = load_digests(path)
    except InputError as error:
        return _failure("config", "digests:", error)
    if not digests:
        return Check("config", "digests:", "pass", "no digests configured")
    loaded.digest_channels = channels = [d.channel for d in digests]
    return Check("config", "digests:", "pass",
                 f"{plural(len(channels), 'digest')}: schedules, time zones and channels valid")
