"""The configuration area of `okebot config check`: every settings group, which okebot.yaml applies, its shape,
its `access:` policy and its `digests:` section, read without touching the network. Every group and section is
checked even when another fails, and a failed one lists every problem it has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from adapters.access_config import REMEDY as ACCESS_REMEDY
from adapters.digest_config import REMEDY as DIGESTS_REMEDY
from adapters.oci.settings import OciSettings
from adapters.yaml_lines import SECTIONS, describe
from adapters.yaml_lines import problems_error as file_error
from bot.checks import Check
from bot.config_file import DEFAULT_PATHS, FoundConfig, find_config
from bot.env import SettingProblem, problems_error
from bot.settings import JOBS, OCI, SLACK, SettingsRead, read_settings
from bot.slack.settings import SlackSettings, Transport
from engine.access import CHANNEL_ID_HELP, AccessPolicy, is_channel_id
from engine.errors import InputError, InputProblem
from engine.words import plural


@dataclass
class Loaded:
    """What the configuration checks could read, for the checks that follow."""

    slack: SlackSettings | None = None
    oci: OciSettings | None = None
    found: FoundConfig | None = None
    policy: AccessPolicy | None = None
    digest_channels: list[str] = field(default_factory=list)
    store_url_readable: bool = True

    @property
    def channels(self) -> list[str]:
        """The channels okebot.yaml names by ID (bound in `access:` or posted to by a digest), each once."""
        bound = [b.channel.removeprefix("#") for b in (self.policy.bindings if self.policy else ())]
        return list(dict.fromkeys(c for c in [*bound, *self.digest_channels] if is_channel_id(c)))


def check_configuration(*, defaults: Sequence[Path] = DEFAULT_PATHS) -> tuple[list[Check], Loaded]:
    """Settings (SLACK_* and OKEBOT_*, the scheduled jobs' OKEBOT_*, OKEBOT_OCI_*), okebot.yaml (which file, its
    sections, `access:`, `digests:`)."""
    settings = read_settings(oci=True)
    loaded = Loaded(slack=settings.slack, oci=settings.oci)
    loaded.store_url_readable = all(p.variable != "OKEBOT_STORE_URL" for p in settings.problems.get(SLACK, []))
    checks = [*_slack_settings(settings), *_group(settings, JOBS, "read"), *_oci_settings(settings)]
    if loaded.slack is not None:
        checks += _config_file(loaded, defaults)
    return checks, loaded


def _failure(area: str, name: str, error: InputError) -> Check:
    """A failed line for what okebot cannot start with (exit code 2), listing each of the error's problems."""
    return Check(area, name, "fail", error.message, error.remedy, unreadable=True, problems=error.problems)


def _group(settings: SettingsRead, group: str, detail: str) -> list[Check]:
    """The group's line: passed with `detail`, or failed listing every variable that is wrong."""
    problems = settings.problems.get(group, [])
    if problems:
        return [_failure("settings", group, problems_error(problems))]
    return [Check("settings", group, "pass", detail)]


def _slack_settings(read: SettingsRead) -> list[Check]:
    checks = _group(read, SLACK, "read")
    settings = read.slack
    if settings is None:
        return checks
    token_problems = [p for p in settings.problems(Transport.HTTP) if p.variable == "SLACK_BOT_TOKEN"]
    if token_problems:
        problem = token_problems[0]
        what = problem.what.replace("(http mode needs it)", "(both Socket Mode and HTTP mode need it)")
        checks.append(_token_failure(SettingProblem(problem.variable, what, problem.fix)))
    else:
        checks.append(Check("settings", "SLACK_BOT_TOKEN", "pass", "set (xoxb-…)"))
    socket = [p for p in settings.problems(Transport.SOCKET) if p.variable == "SLACK_APP_TOKEN"]
    http = [p for p in settings.problems(Transport.HTTP) if p.variable == "SLACK_SIGNING_SECRET"]
    if settings.slack_app_token is not None and socket:
        checks.append(_token_failure(socket[0], name="transport"))
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


def _token_failure(problem: SettingProblem, *, name: str | None = None) -> Check:
    error = problems_error([problem])
    return Check("settings", name or problem.variable, "fail", problem.line, problem.fix, problems=error.problems)


def _oci_settings(read: SettingsRead) -> list[Check]:
    settings = read.oci
    if settings is None:
        return _group(read, OCI, "")
    scope = plural(len(settings.compartment_ids), "compartment") if settings.compartment_ids else "the tenancy root"
    return [Check("settings", OCI, "pass", f"auth {settings.auth}, {scope}"
                  + (", recursive" if settings.recursive else ""))]


def _config_file(loaded: Loaded, defaults: Sequence[Path]) -> list[Check]:
    from adapters.okebot_yaml import REMEDY, read_config

    assert loaded.slack is not None
    try:
        loaded.found = found = find_config(loaded.slack, defaults=defaults)
    except InputError as error:
        return [_failure("config", "okebot.yaml", error)]
    checks: list[Check] = []
    if found.warning:
        checks.append(Check("config", "OKEBOT_ACCESS_CONFIG", "warn", found.warning, "set OKEBOT_CONFIG instead"))
    if found.path is None:
        loaded.policy = AccessPolicy()
        return [Check("config", "okebot.yaml", "warn", found.reason,
                      "create okebot.yaml (deploy/okebot.example.yaml) in the working directory or "
                      "/etc/okebot/, or point OKEBOT_CONFIG at it"), *checks, _access_passed(loaded.policy)]
    try:
        read = read_config(found.path)
    except InputError as error:  # not a file okebot can read, or not YAML: nothing more to check in it
        return [_failure("config", "okebot.yaml", error), *checks]
    by_section: dict[str, list[InputProblem]] = {}
    for problem in read.problems:
        section = problem.path.split(".", 1)[0]
        by_section.setdefault(section if section in SECTIONS else "", []).append(problem)
    shape = by_section.get("", [])
    if shape:
        checks.insert(0, _problems("okebot.yaml", shape, REMEDY))
    else:
        checks.insert(0, Check("config", "okebot.yaml", "pass", f"loaded {found.path} ({found.reason})"))
    loaded.policy = read.policy
    if read.policy is not None:
        checks.append(_access_passed(read.policy))
    elif by_section.get("access"):  # else the file is no mapping at all, which its own line says
        checks.append(_problems("access:", by_section["access"], ACCESS_REMEDY))
    checks += [Check("config", warning.path, "warn", describe(warning), CHANNEL_ID_HELP) for warning in read.warnings]
    loaded.digest_channels = [digest.channel for digest in read.digests]
    if by_section.get("digests"):
        checks.append(_problems("digests:", by_section["digests"], DIGESTS_REMEDY))
    elif any(not found.path for found in shape):
        pass  # a file that is no mapping has no digests to speak of: its own line says what is wrong
    elif not read.digests:
        checks.append(Check("config", "digests:", "pass", "no digests configured"))
    else:
        checks.append(Check("config", "digests:", "pass", f"{plural(len(read.digests), 'digest')}: schedules, "
                                                          "time zones and channels valid"))
    return checks


def _problems(name: str, problems: list[InputProblem], remedy: str) -> Check:
    """A failed line listing every problem, one per line; okebot cannot start with it (exit code 2)."""
    return _failure("config", name, file_error(problems, remedy=remedy))


def _access_passed(policy: AccessPolicy) -> Check:
    return Check("config", "access:", "pass",
                 f"{plural(len(policy.bindings), 'channel binding')}, {plural(len(policy.grants), 'grant')}, "
                 f"default role {policy.default_role.value if policy.default_role else 'none'}")
