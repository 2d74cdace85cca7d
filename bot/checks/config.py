"""The configuration area of `okebot config check`: settings, which okebot.yaml applies, its `access:` policy
and its `digests:` section, read without touching the network."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.oci.settings import OciSettings
from bot.checks import Check
from bot.config_file import DEFAULT_PATHS, FoundConfig, find_config, load_policy
from bot.slack.settings import SlackSettings, Transport, load_slack_settings
from engine.access import AccessPolicy
from engine.errors import InputError

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
    scope = f"{len(settings.compartment_ids)} compartment(s)" if settings.compartment_ids else "the tenancy root"
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
                        f"{len(policy.bindings)} channel binding(s), {len(policy.grants)} grant(s), default role "
                        f"{policy.default_role.value if policy.default_role else 'none'}"))
    if found.path is not None:
        checks.append(_digests(found.path, loaded))
    return checks


def _digests(path: Path, loaded: Loaded) -> Check:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:  # load_policy read it; this is a race
        return Check("config", "digests:", "fail", f"{path}: {error}", _DIGESTS_REMEDY, unreadable=True)
    section = document.get("digests") if isinstance(document, Mapping) else None
    if not section:
        return Check("config", "digests:", "pass", "no digests configured")
    try:
        channels = digest_channels(section, source=str(path))
    except InputError as error:
        return _failure("config", "digests:", error)
    loaded.digest_channels = channels
    return Check("config", "digests:", "pass", f"{len(channels)} digest(s): schedules, time zones and channels valid")


def digest_channels(section: Any, *, source: str = "okebot.yaml") -> list[str]:
    """Validate a `digests:` section and return its channels.

    The section is a list of digests (or a mapping of name → digest); each digest is a mapping whose
    `channel` is a Slack channel id, `schedule` a 5-field cron or an interval ("every 6h") and `timezone` an
    IANA zone (default UTC), all checked with adapters/schedule/cron.py. Other keys belong to the digests'
    own reader and are not judged here. InputError names the digest and the key.
    """
    from adapters.schedule.cron import parse_schedule

    if isinstance(section, Mapping):
        entries = [(f"digests.{name}", entry) for name, entry in section.items()]
    elif isinstance(section, list):
        entries = [(f"digests[{index}]", entry) for index, entry in enumerate(section)]
    else:
        raise InputError("expected a list of digests", where=f"{source} (digests)", remedy=_DIGESTS_REMEDY)
    channels: list[str] = []
    for where, entry in entries:
        place = f"{source} ({where})"
        if not isinstance(entry, Mapping):
            raise InputError("expected a mapping with channel and schedule", where=place, remedy=_DIGESTS_REMEDY)
        channel = str(entry.get("channel") or "").strip().removeprefix("#")
        if not CHANNEL_ID.fullmatch(channel):
            shown = repr(entry.get("channel")) if entry.get("channel") else "missing"
            raise InputError(f"channel {shown} is not a Slack channel id (C…, G…)", where=f"{place}.channel",
                             remedy="use the channel's id (channel details → About), not its name")
        schedule = entry.get("schedule")
        if not isinstance(schedule, str):
            raise InputError("schedule is missing; give a cron such as '0 9 * * 1-5' or 'every 6h'",
                             where=f"{place}.schedule", remedy=_DIGESTS_REMEDY)
        timezone = entry.get("timezone", "UTC")
        try:
            parse_schedule(schedule, str(timezone))
        except InputError as error:
            key = error.where or "schedule"
            raise InputError(error.message.removeprefix(f"{key}: "), where=f"{place}.{key}",
                             remedy=error.remedy or _DIGESTS_REMEDY) from None
        channels.append(channel)
    return channels
