"""Finding okebot.yaml: OKEBOT_CONFIG, the deprecated OKEBOT_ACCESS_CONFIG, ./okebot.yaml, /etc/okebot/okebot.yaml;
and settings that name every problem at once."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config_file import admins, find_config, load_config
from bot.slack.settings import SlackSettings, Transport
from engine.access import AccessPolicy, Role, RoleGrant
from engine.errors import InputError

ADMIN_FILE = "access:\n  users: {UADMIN: admin}\n"


def settings(**values: object) -> SlackSettings:
    return SlackSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, Path]:
    """A working-directory okebot.yaml path and an /etc one, both absent until a test writes them."""
    (tmp_path / "cwd").mkdir()
    (tmp_path / "etc").mkdir()
    return tmp_path / "cwd" / "okebot.yaml", tmp_path / "etc" / "okebot.yaml"


def test_a_file_in_the_working_directory_is_found_before_the_one_in_etc(places):
    here, etc = places
    here.write_text(ADMIN_FILE)
    etc.write_text("access: {}\n")
    found = find_config(settings(), defaults=(here, etc))
    assert found.path == here
    assert "the first default path that exists" in found.reason
    assert load_config(found).policy.role_of("UADMIN") is Role.ADMIN


def test_etc_is_used_when_the_working_directory_has_none(places):
    here, etc = places
    etc.write_text(ADMIN_FILE)
    assert find_config(settings(), defaults=(here, etc)).path == etc


def test_without_any_file_the_default_policy_applies_and_says_nobody_is_admin(places):
    found = find_config(settings(), defaults=places)
    assert found.path is None
    assert "nobody is an admin" in found.reason
    assert str(places[0]) in found.reason
    assert str(places[1]) in found.reason
    assert load_config(found).policy == AccessPolicy()


def test_okebot_config_wins_over_the_search_paths(places, tmp_path: Path):
    here, etc = places
    here.write_text("access: {}\n")
    chosen = tmp_path / "chosen.yaml"
    chosen.write_text(ADMIN_FILE)
    found = find_config(settings(okebot_config=chosen), defaults=(here, etc))
    assert found.path == chosen
    assert found.reason == f"OKEBOT_CONFIG={chosen}"
    assert found.warning is None


def test_the_deprecated_variable_still_works_with_a_warning(tmp_path: Path, places):
    legacy = tmp_path / "legacy.yaml"
    legacy.write_text(ADMIN_FILE)
    found = find_config(settings(okebot_access_config=legacy), defaults=places)
    assert found.path == legacy
    assert found.warning is not None
    assert "set OKEBOT_CONFIG instead" in found.warning


def test_both_variables_set_differently_warns_that_the_old_one_is_ignored(tmp_path: Path, places):
    new, old = tmp_path / "new.yaml", tmp_path / "old.yaml"
    new.write_text(ADMIN_FILE)
    old.write_text(ADMIN_FILE)
    found = find_config(settings(okebot_config=new, okebot_access_config=old), defaults=places)
    assert found.path == new
    assert found.warning == f"OKEBOT_ACCESS_CONFIG={old} is ignored: OKEBOT_CONFIG={new} is set"


@pytest.mark.parametrize("variable", ["okebot_config", "okebot_access_config"])
def test_a_named_file_that_does_not_exist_is_an_error_not_the_default_policy(tmp_path: Path, places, variable):
    with pytest.raises(InputError, match="does not exist") as caught:
        find_config(settings(**{variable: tmp_path / "nope.yaml"}), defaults=places)
    assert caught.value.where == variable.upper()


def test_admins_come_from_the_file_and_the_store_with_stored_grants_winning():
    policy = AccessPolicy(grants=(RoleGrant(kind="user", subject="U1", role=Role.ADMIN),))
    assert admins(policy) == ["user U1"]
    demoted = RoleGrant(kind="user", subject="U1", role=Role.VIEWER)
    assert admins(policy, [demoted]) == []
    assert admins(AccessPolicy(), [RoleGrant(kind="group", subject="@sre", role=Role.ADMIN)]) == ["group @sre"]
    assert admins(AccessPolicy(default_role=Role.ADMIN)) == ["everyone"]


def test_serve_names_every_missing_variable_at_once():
    with pytest.raises(InputError) as caught:
        settings().require(Transport.SOCKET)
    assert caught.value.message.splitlines() == ["SLACK_BOT_TOKEN is not set (socket mode needs it)",
                                                 "SLACK_APP_TOKEN is not set (socket mode needs it)"]
    assert [p.path for p in caught.value.problems] == ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]


def test_a_missing_and_a_malformed_variable_are_named_together():
    with pytest.raises(InputError) as caught:
        settings(slack_bot_token="xoxp-wrong").require(Transport.HTTP)
    message = caught.value.message
    assert "SLACK_BOT_TOKEN should start with 'xoxb-'" in message
    assert "SLACK_SIGNING_SECRET is not set (http mode needs it)" in message


def test_every_malformed_setting_is_named_at_once(monkeypatch: pytest.MonkeyPatch):
    from bot.slack.settings import load_slack_settings

    monkeypatch.setenv("OKEBOT_RATE_LIMIT_RETRIES", "many")
    monkeypatch.setenv("OKEBOT_LOG_FORMAT", "xml")
    with pytest.raises(InputError) as caught:
        load_slack_settings()
    assert "OKEBOT_RATE_LIMIT_RETRIES" in caught.value.message
    assert "OKEBOT_LOG_FORMAT" in caught.value.message
    assert "many" not in caught.value.message  # a value may be a secret: never echoed


ROOT = Path(__file__).resolve().parents[3]
_READ = re.compile(r"""(?:environ(?:\.get)?\s*[(\[]|getenv\()\s*["']((?:OKEBOT|SLACK)_[A-Z0-9_]+)["']""")


def _variables_read() -> set[str]:
    """Every SLACK_*/OKEBOT_* variable okebot reads: each settings model's fields (by their env names and aliases),
    and every os.environ/getenv lookup in the code and the tests."""
    from pydantic import AliasChoices

    from adapters.oci.settings import OciSettings
    from bot.jobs.settings import JobSettings

    names: set[str] = set()
    for model in (SlackSettings, JobSettings, OciSettings):
        prefix = str(model.model_config.get("env_prefix", ""))
        for field_name, info in model.model_fields.items():
            alias = info.validation_alias
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias] if alias else []
            names |= {c for c in choices if isinstance(c, str) and c.startswith(("OKEBOT_", "SLACK_"))}
            if not choices:
                names.add((prefix + field_name).upper())
    for folder in ("bot", "adapters", "engine", "scripts", "bench", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(_READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_variable_okebot_reads_is_in_the_configuration_docs():
    read = _variables_read()
    assert {"OKEBOT_ANSWER_CONCURRENCY", "OKEBOT_WORK_POOL", "OKEBOT_DRAIN_SECONDS", "OKEBOT_DEBUG",
            "OKEBOT_OCI_COMPARTMENT_IDS", "OKEBOT_KUBE_ENABLED", "SLACK_BOT_TOKEN"} <= read
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert sorted(name for name in read if f"`{name}`" not in docs) == []


_NUMERIC = ["OKEBOT_RATE_LIMIT_RETRIES", "OKEBOT_ANSWER_CONCURRENCY", "OKEBOT_DRAIN_SECONDS",
            "OKEBOT_SAMPLE_INTERVAL_SECONDS", "OKEBOT_SCHEDULER_TICK_SECONDS", "OKEBOT_JOB_LEASE_SECONDS",
            "OKEBOT_OCI_CONCURRENCY", "OKEBOT_OCI_CACHE_TTL", "OKEBOT_OCI_READ_TIMEOUT"]
_values = st.one_of(st.integers(-5, 2000).map(str), st.sampled_from(["0", "1", "2.5", "900", "", " 3 "]),
                    st.text(alphabet="abcxyz-_. ", min_size=1, max_size=8).map(lambda text: f"QZX{text}"))


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """These variables set (and every other SLACK_*/OKEBOT_* one unset) for the block, as they were after it."""
    saved = {name: value for name, value in os.environ.items() if name.startswith(("OKEBOT_", "SLACK_"))}
    for name in saved:
        del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        for name in values:
            os.environ.pop(name, None)
        os.environ.update(saved)


@given(st.dictionaries(st.sampled_from(_NUMERIC), _values, max_size=len(_NUMERIC)))
def test_any_values_read_into_settings_or_problems_naming_only_what_is_wrong_and_never_a_value(values):
    from bot.settings import read_settings

    with environment(values):
        found = read_settings(oci=True)
    problems = found.every_problem()
    # The lease is checked against the tick: a tick set alone can make the (default) lease too short.
    named = set(values) | ({"OKEBOT_JOB_LEASE_SECONDS"} if "OKEBOT_SCHEDULER_TICK_SECONDS" in values else set())
    assert {p.variable for p in problems} <= named
    assert all("QZX" not in p.line for p in problems)
    assert {name for name, value in values.items() if value.startswith("QZX")} <= {p.variable for p in problems}
    assert (found.jobs is None) == any(p.variable in {"OKEBOT_SAMPLE_INTERVAL_SECONDS", "OKEBOT_SCHEDULER_TICK_SECONDS",
                                                      "OKEBOT_JOB_LEASE_SECONDS"} for p in problems)
    assert found.slack is not None  # the rest of the Slack settings stays readable whatever one variable holds


def test_a_lease_shorter_than_two_scheduler_ticks_is_refused_by_name(monkeypatch):
    from bot.jobs.settings import load_job_settings
    from engine.errors import InputError

    monkeypatch.setenv("OKEBOT_SCHEDULER_TICK_SECONDS", "5")
    monkeypatch.setenv("OKEBOT_JOB_LEASE_SECONDS", "9")
    with pytest.raises(InputError) as raised:
        load_job_settings()
    assert raised.value.message == ("OKEBOT_JOB_LEASE_SECONDS is not valid: must be at least twice "
                                    "OKEBOT_SCHEDULER_TICK_SECONDS")
    monkeypatch.setenv("OKEBOT_JOB_LEASE_SECONDS", "10")
    assert load_job_settings().okebot_job_lease_seconds == 10
