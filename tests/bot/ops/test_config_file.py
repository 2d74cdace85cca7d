"""Finding okebot.yaml: OKEBOT_CONFIG, the deprecated OKEBOT_ACCESS_CONFIG, ./okebot.yaml, /etc/okebot/okebot.yaml;
and settings that name every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

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
