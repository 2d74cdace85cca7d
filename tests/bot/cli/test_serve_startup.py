"""`okebot serve` refuses to start on a bad configuration the way every command reports an error, naming every
bad variable and every okebot.yaml mistake in one run; with --format json, any command's error lists them."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bot.cli.main import main

# The operator tester's environment: seven variables wrong in four settings groups, and a missing app token.
BAD_ENVIRONMENT = {
    "SLACK_BOT_TOKEN": "foo", "OKEBOT_ANSWER_CONCURRENCY": "abc", "OKEBOT_SAMPLE_INTERVAL_SECONDS": "3",
    "OKEBOT_OCI_CONCURRENCY": "999", "OKEBOT_STORE_URL": "mysql://x", "OKEBOT_SCHEDULER_TICK_SECONDS": "abc",
    "OKEBOT_RATE_LIMIT_RETRIES": "50",
}


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in [name for name in os.environ if name.startswith(("OKEBOT_", "SLACK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no ./okebot.yaml unless a test writes one
    return tmp_path


def socket_mode_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two tokens Socket Mode needs, well-formed (Slack is never reached before the error under test)."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")


def serve(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["serve", *args])
    return code, out.getvalue(), err.getvalue()


def test_every_bad_variable_of_every_group_is_named_at_once_one_per_line(clean_environment, monkeypatch):
    for name, value in BAD_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    code, out, err = serve()
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("okebot: error: ")
    problems = [line.removeprefix("okebot: error: ") for line in lines if not line.startswith("  fix: ")]
    named = sorted(line.split(" ", 1)[0] for line in problems)
    assert named == sorted([*BAD_ENVIRONMENT, "SLACK_APP_TOKEN"])
    assert "SLACK_APP_TOKEN is not set (socket mode needs it)" in problems
    assert lines[-1].startswith("  fix: ")
    assert "abc" not in err  # values are never printed (a value may be a secret)
    assert out == ""


def test_okebot_yaml_mistakes_are_named_with_the_variables_in_the_same_run(clean_environment, monkeypatch):
    config = clean_environment / "okebot.yaml"
    config.write_text("access: {}\ndigest:\n  - name: x\ndigests:\n  - {name: a, channel: '#payments', "
                      "schedule: every 5s}\n")
    monkeypatch.setenv("OKEBOT_CONFIG", str(config))
    monkeypatch.setenv("OKEBOT_RATE_LIMIT_RETRIES", "50")
    code, _, err = serve("--source", "demo")
    assert code == 2
    assert err.splitlines()[:-1] == [
        "okebot: error: OKEBOT_RATE_LIMIT_RETRIES is not valid: Input should be less than or equal to 10",
        "SLACK_BOT_TOKEN is not set (socket mode needs it)",
        "SLACK_APP_TOKEN is not set (socket mode needs it)",
        f"{config} line 2 (digest): unknown section 'digest'; did you mean digests?",
        f"{config} line 5 (digests.0.channel): channel '#payments' is not a Slack channel ID; use the channel's "
        "ID, not its name: in Slack, open the channel, click its name at the top, and copy the Channel ID at the "
        "bottom of the About tab (it looks like C0123ABCD)",
        f"{config} line 5 (digests.0.schedule): an interval of 5 seconds is outside what okebot runs: from 10 "
        "seconds to 366 days",
    ]


def test_a_configuration_error_uses_the_same_style_as_every_command(clean_environment, monkeypatch):
    socket_mode_tokens(monkeypatch)
    monkeypatch.setenv("OKEBOT_CONFIG", str(clean_environment / "missing.yaml"))
    code, _, err = serve("--source", "demo")
    assert code == 2
    assert err == (f"okebot: error: OKEBOT_CONFIG: {clean_environment / 'missing.yaml'} does not exist\n"
                   "  fix: point OKEBOT_CONFIG at an existing okebot.yaml, or unset it to use the default search "
                   "paths\n")
    assert "okebot serve:" not in err


def test_any_command_lists_the_bad_variables_as_problems_in_its_json_error(clean_environment, monkeypatch):
    import json

    monkeypatch.setenv("OKEBOT_FORECAST_WINDOW_DAYS", "fortnight")
    monkeypatch.setenv("OKEBOT_SLACK_POST_ATTEMPTS", "0")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["digest", "--source", "demo", "--format", "json"])
    assert code == 2
    error = json.loads(out.getvalue())["error"]
    assert [(p["file"], p["line"], p["path"]) for p in error["problems"]] == [
        ("environment", None, "OKEBOT_FORECAST_WINDOW_DAYS"), ("environment", None, "OKEBOT_SLACK_POST_ATTEMPTS")]
    assert error["message"].splitlines() == [problem["message"] for problem in error["problems"]]


def test_a_variable_that_must_be_json_and_is_not_is_named_not_reported_as_a_bug(clean_environment, monkeypatch):
    socket_mode_tokens(monkeypatch)
    monkeypatch.setenv("OKEBOT_OCI_ENDPOINTS", "{bad")
    code, _, err = serve("--source", "oci")
    assert code == 2
    assert "okebot: error: OKEBOT_OCI_ENDPOINTS is not valid: it must be JSON" in err
    assert "internal error" not in err


@pytest.mark.parametrize("url", ["not a url", "slack.example/api/", "ftp://slack.example/api/"])
def test_a_slack_api_url_that_is_not_an_http_url_is_refused_at_start_not_retried(clean_environment, monkeypatch, url):
    socket_mode_tokens(monkeypatch)
    monkeypatch.setenv("SLACK_API_URL", url)
    code, _, err = serve("--source", "demo")
    assert code == 2
    assert "okebot: error: SLACK_API_URL is not valid: must be an http(s) URL" in err
    assert url not in err  # values are never printed


def test_a_slack_api_url_without_its_last_slash_gets_one(clean_environment, monkeypatch):
    from bot.slack.settings import SlackSettings

    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:8080/api")
    assert SlackSettings().slack_api_url == "http://127.0.0.1:8080/api/"


@pytest.mark.parametrize(("path", "problem"), [("missing.json", "does not exist"), (".", "is a directory")])
def test_a_snapshot_source_that_cannot_be_read_stops_serve_before_it_starts(clean_environment, monkeypatch, path,
                                                                           problem):
    socket_mode_tokens(monkeypatch)
    code, _, err = serve("--source", f"snapshot:{path}")
    assert code == 2
    assert f"okebot: error: --source: the snapshot {path} {problem}" in err


def test_an_oci_endpoint_that_is_not_an_http_url_is_named(clean_environment, monkeypatch):
    socket_mode_tokens(monkeypatch)
    monkeypatch.setenv("OKEBOT_OCI_ENDPOINTS", '{"compute": "notaurl"}')
    code, _, err = serve("--source", "oci")
    assert code == 2
    assert "okebot: error: OKEBOT_OCI_ENDPOINTS is not valid: must be an http(s) URL" in err


def test_an_oci_config_file_that_cannot_be_loaded_stops_serve_before_it_starts(clean_environment, monkeypatch):
    socket_mode_tokens(monkeypatch)
    monkeypatch.setenv("OKEBOT_OCI_CONFIG_FILE", str(clean_environment / "no-such-oci-config"))
    code, _, err = serve("--source", "oci")
    assert code == 2
    assert "okebot: error: OCI config " in err
    assert "no-such-oci-config" in err
