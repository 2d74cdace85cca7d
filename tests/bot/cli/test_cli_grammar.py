"""The CLI's grammar: what was meant is suggested, a subcommand's mistake shows that subcommand's usage, JSON
mode answers usage errors in JSON, and a what-if that cannot be is refused in words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_mistyped_command_gets_did_you_mean(capsys):
    code, _, err = run(capsys, "capasity")
    assert code == 2
    assert "okebot: error: unknown command 'capasity'; did you mean capacity?" in err
    assert "okebot okebot" not in err


def test_an_unknown_option_shows_the_subcommands_own_usage(capsys):
    code, _, err = run(capsys, "capacity", "--bogus")
    assert code == 2
    assert err.startswith("usage: okebot capacity ")
    assert "okebot capacity: error: unrecognized arguments: --bogus" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["capacity", "--format", "json", "--bogus"], "unrecognized arguments: --bogus"),
        (["capasity", "--format=json"], "unknown command 'capasity'; did you mean capacity?"),
        (["whatif", "payments-native", "--pool", "payments-core", "--size", "ten", "--format", "json"],
         "--size: expected a whole number, got 'ten'"),
    ],
)
def test_in_json_mode_usage_errors_are_json_on_stdout(capsys, argv, message):
    code, out, _ = run(capsys, *argv)
    assert code == 2
    error = json.loads(out)["error"]
    assert error["message"] == message


def test_the_format_is_read_in_any_case(capsys):
    code, out, _ = run(capsys, "clusters", "--format", "JSON")
    assert code in (0, 1)
    assert json.loads(out)["clusters"]


def test_help_names_a_commands_options(capsys):
    code, out, _ = run(capsys, "help", "whatif")
    assert code == 0
    assert "--full" in out
    assert "5 unknown" in out


def test_an_empty_cluster_name_is_refused_not_taken_for_every_cluster(capsys):
    code, _, err = run(capsys, "capacity", "--cluster", "")
    assert code == 2
    assert "--cluster: must not be empty" in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--pool", "payments-core", "--size", "8"], "nothing changes: node pool payments-core already has 8 nodes"),
        (["--add-pool", "batch"], "size: how many nodes should the new pool batch have?"),
        (["--pool", "payments-core", "--ocpus", "0.5"], "--ocpus: expected 1 to 512, got 0.5"),
    ],
)
def test_a_whatif_that_cannot_be_is_refused_in_words(capsys, argv, said):
    code, _, err = run(capsys, "whatif", "payments-native", *argv)
    assert code == 2
    assert said in err


def test_max_pods_on_a_flannel_cluster_is_refused(capsys):
    code, _, err = run(capsys, "whatif", "retail-flannel", "--pool", "retail-web", "--max-pods", "64")
    assert code == 2
    assert "maxPodsPerNode is a VCN-native setting" in err


def test_whatif_is_compact_by_default_and_whole_with_full(capsys):
    _, compact, _ = run(capsys, "whatif", "payments-native", "--pool", "payments-core", "--size", "12")
    assert re.search(r"pod subnet payments-native-pods +416 → 544 of 509 IPs", compact)
    assert re.search(r"room payments-core +\+2 → +\+0 nodes", compact)
    assert "Before:\n" not in compact
    _, full, _ = run(capsys, "whatif", "payments-native", "--pool", "payments-core", "--size", "12", "--full")
    assert "Before:" in full
    assert "After (planned sizes):" in full
    _, data, _ = run(capsys, "whatif", "payments-native", "--pool", "payments-core", "--size", "12", "--full",
                     "--format", "json")
    assert "full" not in json.loads(data)


@pytest.mark.parametrize(
    ("size", "code", "verdict"),
    [("10", 0, "fits"), ("11", 1, "does not fit")],
)
def test_whatif_exit_codes_follow_the_verdict(capsys, size, code, verdict):
    done, out, _ = run(capsys, "whatif", "payments-native", "--pool", "payments-core", "--size", size,
                       "--format", "json")
    assert (done, json.loads(out)["verdict"]) == (code, verdict)


def test_a_mistyped_option_gets_did_you_mean(capsys):
    code, _, err = run(capsys, "capacity", "--clustr", "analytics")
    assert code == 2
    assert "unrecognized arguments: --clustr analytics; did you mean --cluster?" in err


def test_an_abbreviated_option_is_refused_not_guessed(capsys):
    code, _, err = run(capsys, "capacity", "--form", "json")
    assert code == 2
    assert "did you mean --format?" in err


def test_a_reader_that_goes_away_ends_okebot_quietly(tmp_path):
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before okebot writes a word, as `okebot capacity | head -0` would be
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "capacity"], stdout=write, stderr=subprocess.PIPE,
                          timeout=60, check=False)
    os.close(write)
    assert (done.returncode, done.stderr) == (141, b"")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_output_with_no_room_left_is_an_error_that_says_so_not_a_bug():
    import subprocess
    import sys

    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "bot.cli.main", "capacity"], stdout=full,
                              stderr=subprocess.PIPE, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.decode() == "okebot: error: cannot write the output: No space left on device\n"


def test_an_output_that_cannot_say_unicode_gets_ascii_not_question_marks():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "LANG": "C", "COLUMNS": "140"}
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "whatif", "analytics", "--pool", "analytics-spark",
                           "--size", "8"], capture_output=True, env=env, timeout=60, check=False)
    out = done.stdout.decode("latin-1")
    assert done.returncode == 5
    assert "size 5 -> 8 nodes" in out
    assert "<=+16 -> <=+13" in out


@pytest.mark.parametrize(("argv", "said"), [
    (["whatif", "payments-native", "--pool", "payments-core", "--size", "9", "--size", "10"],
     "--size is given twice (9 and 10); give it once"),
    (["capacity", "--cluster", "retail-flannel", "--cluster=payments-native"],
     "--cluster is given twice (retail-flannel and payments-native); give it once"),
])
def test_an_option_given_twice_with_two_values_is_refused_not_the_last_one_taken(capsys, argv, said):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert said in err


def test_a_problem_with_one_option_is_said_with_the_option_not_the_query_field(capsys):
    code, _, err = run(capsys, "whatif", "payments-native", "--size", "3")
    assert code == 2
    assert err.startswith("okebot: error: --pool: which node pool? (the pools of cluster payments-native:")
    code, _, err = run(capsys, "whatif", "payments-native", "--pool", "payments-core")
    assert err.startswith("okebot: error: say what to change: ")


@pytest.mark.parametrize("option", ["--shape", "--add-pool", "--pool"])
def test_an_empty_name_for_a_what_if_option_is_refused_naming_the_option(capsys, option):
    argv = ["whatif", "payments-native", "--size", "3"]
    argv += [option, "  "] if option == "--pool" else ["--pool", "payments-core", option, ""]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert f"okebot: error: {option}: must not be empty" in err
