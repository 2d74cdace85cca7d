"""`okebot run` answers through the bot's own routing and rendering, and never reaches Slack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.fakes.slack_api import FakeSlackApi
from bot.cli.main import main


async def test_run_reaches_no_slack_even_with_a_bot_token_configured(
    fake: FakeSlackApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking-token")
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    from bot.cli import run_cmd
    from bot.cli.main import build_parser

    args = build_parser().parse_args(["run", "/oke capacity analytics", "--format", "blocks"])
    assert await run_cmd.run(args) == 0
    sent = json.loads(capsys.readouterr().out)
    assert any("Capacity: analytics" in json.dumps(item["body"]) for item in sent)
    assert fake.calls == []


def test_run_prints_the_text_slack_would_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "/oke diagnose payments-native"]) == 0
    out = capsys.readouterr().out
    assert "payments-native" in out
    assert "CNI_UPDATE_PENDING" in out


def test_run_text_reads_as_a_person_would_see_it_whatever_the_commands_case(capsys) -> None:
    assert main(["run", "/OKE diagnose"]) == 2
    out = capsys.readouterr().out
    assert "/oke diagnose <cluster>" in out
    assert "&lt;" not in out
    assert "unknown subcommand" not in out


def test_a_bad_slack_setting_is_bad_input_naming_the_variable(monkeypatch, capsys) -> None:
    monkeypatch.setenv("OKEBOT_RATE_LIMIT_RETRIES", "lots")
    assert main(["run", "/oke help"]) == 2
    assert "OKEBOT_RATE_LIMIT_RETRIES" in capsys.readouterr().err


def test_a_command_too_long_to_ride_in_its_buttons_gets_usage_not_an_error() -> None:
    from bot.slack.parse import MAX_COMMAND_CHARS, Usage, parse_command

    parsed = parse_command("whatif analytics add-pool=" + "a" * MAX_COMMAND_CHARS + " size=2")
    assert isinstance(parsed, Usage)
    assert "at most" in parsed.problem


@pytest.fixture
def long_answer_snapshot(tmp_path: Path) -> Path:
    """A tenancy whose capacity answer is too long for one Slack message."""
    path = tmp_path / "many.json"
    path.write_text(json.dumps(generate_tenancy(clusters=20, pools_per_cluster=1, nodes_per_pool=1)))
    return path


def test_a_too_long_answer_is_printed_whole_without_a_traceback_or_log_noise(
    long_answer_snapshot: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking-token")  # Bolt used to warn it went unused
    assert main(["run", "/oke capacity", "--source", f"snapshot:{long_answer_snapshot}"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    shown, _, attached = captured.out.partition("--- full answer (okebot-answer.txt) ---\n")
    assert "more blocks not shown" in shown
    assert "okebot run prints it below" in shown
    assert all(f"cluster-{index}" in attached for index in range(20))
    assert "--- files." not in captured.out  # nothing was uploaded
    assert "--- conversations.open" not in captured.out


def test_blocks_format_carries_the_full_answer_too(
    long_answer_snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "/oke capacity", "--format", "blocks", "--source", f"snapshot:{long_answer_snapshot}"]) == 0
    sent = json.loads(capsys.readouterr().out)
    (attached,) = [item["body"] for item in sent if item["method"] == "attached"]
    assert attached["filename"] == "okebot-answer.txt"
    assert "cluster-19" in attached["content"]


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("/oke help", 0),
        ("/oke capacity analytics", 0),
        ("/oke clusters", 1),  # the demo has clusters with error findings
        ("/oke diagnose", 2),  # usage
        ("/oke frobnicate", 2),  # usage
        ("/oke capacity no-such-cluster", 2),  # not found
        ("/oke whatif payments-native payments-core size=12", 2),  # refused: what-if needs an operator
        ("/oke bindings", 2),  # refused: admins only
    ],
)
def test_run_exits_with_the_clis_codes(command: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", command]) == code
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(("command", "code"), [
    ("/oke whatif retail-flannel retail-web size=10", 5),  # IPs in use not read: growth is unknown
    ("/oke whatif retail-flannel retail-web size=5", 0),  # a shrink fits
])
def test_a_what_if_run_offline_exits_as_okebot_whatif_would(command, code, tmp_path, monkeypatch, capsys) -> None:
    config = tmp_path / "okebot.yaml"
    config.write_text("access:\n  default_role: operator\n")
    monkeypatch.setenv("OKEBOT_CONFIG", str(config))
    assert main(["run", command]) == code


def test_a_source_that_cannot_be_read_is_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text("[DEFAULT]\nuser=ocid1.user.oc1..x\nfingerprint=aa\ntenancy=ocid1.tenancy.oc1..x\n"
                      "region=us-ashburn-1\nkey_file=/nonexistent/key.pem\n")
    monkeypatch.setenv("OKEBOT_OCI_CONFIG_FILE", str(config))
    assert main(["run", "/oke clusters", "--source", "oci"]) == 3
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "OCI config" in captured.out  # what could not be read, and what to do about it
    assert "What to do:" in captured.out


def test_the_help_says_each_run_starts_from_an_empty_in_memory_store(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "fresh in-memory state store" in text
    assert "2 bad input" in text


def test_run_plays_a_workspace_where_okebot_is_in_the_asking_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "okebot.yaml"
    config.write_text("access:\n  default_role: admin\n  unbound_channels: all\n")
    monkeypatch.setenv("OKEBOT_CONFIG", str(config))
    assert main(["run", "/oke digest add every 6h name=six", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "Digest `six` added" in out
    assert "invite" not in out
    assert "conversations.info" not in out, "a read, not something Slack would be sent"
