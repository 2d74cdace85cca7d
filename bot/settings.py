"""Every environment setting okebot reads, read together, so one run names every variable that is wrong.

Three groups, each a pydantic-settings model:

    SLACK_* and OKEBOT_*          bot/slack/settings.py   tokens, store URL, logs, serving (OKEBOT_STORE_URL is
                                                          also checked as a URL okebot can open)
    OKEBOT_* scheduled jobs       bot/jobs/settings.py    sampler, history, digests' grace, leases, retries
    OKEBOT_OCI_*, OKEBOT_KUBE_*   adapters/oci/settings.py   only for --source oci

`read_settings` reads every group whatever another's problems (`okebot config check` shows each group);
`require_settings` is what `okebot serve` starts from: the settings, or one InputError listing every problem of
them and of okebot.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.env import SettingProblem, problems_error, read
from engine.errors import InputError, merged

if TYPE_CHECKING:
    from adapters.oci.settings import OciSettings
    from bot.jobs.settings import JobSettings
    from bot.slack.settings import SlackSettings, Transport

SLACK, JOBS, OCI = "SLACK_* and OKEBOT_*", "OKEBOT_* scheduled jobs", "OKEBOT_OCI_*"
"""The groups' names, as `okebot config check` shows them."""


@dataclass(frozen=True)
class SettingsRead:
    """Each group as read, and what is wrong with it.

    Attributes:
        slack: SlackSettings; when a variable of the group is wrong, the others as read and that one at its
            default (so the tokens, the store and okebot.yaml can still be checked). None only if even that
            cannot be made.
        jobs: JobSettings, or None when one of its variables is wrong.
        oci: OciSettings, or None when one of its variables is wrong or it was not read.
        problems: every problem, by group name (SLACK, JOBS, OCI); a group with none is absent or empty.
    """

    slack: SlackSettings | None
    jobs: JobSettings | None
    oci: OciSettings | None
    problems: dict[str, list[SettingProblem]] = field(default_factory=dict)

    def every_problem(self) -> list[SettingProblem]:
        """Every group's problems, in group order."""
        return [problem for group in (SLACK, JOBS, OCI) for problem in self.problems.get(group, [])]


@dataclass(frozen=True)
class Settings:
    """Every setting okebot serve needs, all readable; `oci` is None for a source other than oci."""

    slack: SlackSettings
    jobs: JobSettings
    oci: OciSettings | None


def read_settings(*, oci: bool = True) -> SettingsRead:
    """Read every group from the environment (OKEBOT_OCI_* only with `oci`); never raises for a bad value."""
    from adapters.oci.settings import OciSettings
    from bot.jobs.settings import JobSettings
    from bot.slack.settings import SlackSettings

    slack, slack_problems = read(SlackSettings, prefix="")
    if slack is None:
        slack = _with_defaults(SlackSettings, slack_problems)
    if slack is not None:
        slack_problems += _store_url_problems(slack.okebot_store_url)
    jobs, job_problems = read(JobSettings, prefix="")
    oci_settings, oci_problems = read(OciSettings, prefix="OKEBOT_OCI_") if oci else (None, [])
    return SettingsRead(slack=slack, jobs=jobs, oci=oci_settings,
                        problems={SLACK: slack_problems, JOBS: job_problems, OCI: oci_problems})


def require_settings(transport: Transport, *, source: str) -> Settings:
    """What `okebot serve` starts from: every group (OKEBOT_OCI_* for `source` oci), the variables `transport`
    needs, and okebot.yaml (when the settings that find it could be read). InputError naming every problem of
    them all, one per line: the variables first, then the file's."""
    from bot.config_file import find_config, load_config

    found = read_settings(oci=source == "oci")
    problems = found.every_problem() + (found.slack.problems(transport) if found.slack is not None else [])
    errors = [problems_error(problems)] if problems else []
    if found.slack is not None:
        try:
            load_config(find_config(found.slack))
        except InputError as error:
            errors.append(error)
    if errors:
        raise merged(errors)
    # A group that could not be read has a problem, named above.
    assert found.slack is not None
    assert found.jobs is not None
    return Settings(slack=found.slack, jobs=found.jobs, oci=found.oci)


def _with_defaults(model: type[SlackSettings], problems: list[SettingProblem]) -> SlackSettings | None:
    """The model with each variable it could not read at its default, so the rest can still be checked."""
    defaults = {name: info.get_default(call_default_factory=True) for name, info in model.model_fields.items()
                if name.upper() in {problem.variable for problem in problems}}
    try:
        return model(**defaults)
    except ValidationError:
        return None


def _store_url_problems(url: str) -> list[SettingProblem]:
    from adapters.store.factory import check_url
    from engine.errors import SourceError

    try:
        check_url(url)
    except SourceError as error:
        return [SettingProblem("OKEBOT_STORE_URL", f"is not valid: {error.message}",
                               error.remedy or "fix OKEBOT_STORE_URL")]
    return []
