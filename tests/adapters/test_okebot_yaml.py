"""okebot.yaml read whole: only its two sections, each checked even when the other is wrong, and every mistake named
in one read, each with its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from adapters.okebot_yaml import load_config, read_config, read_config_text
from engine.errors import InputError

ROOT = Path(__file__).resolve().parents[2]

# The operator tester's file: nine mistakes, which used to take seven runs to see.
NINE_MISTAKES = """\
access:
  users: {U0ADMIN: admin}
digests:
  - name: Payments Daily
    channel: C0PAY
    schedule: "0 9 * * 1-5"
    mode: sometimes
    colour: red
  - name: minutely
    channel: C0PAY
    schedule: "61 9 * * *"
    timezone: Europe/Berln
  - name: named-channel
    channel: "#payments"
    schedule: every 5s
  - name: short
    channel: C0PAY
    schedule: "0 9 * *"
    timezone: Mars/Olympus
"""

EXPECTED = [
    (4, "digests.0.name", "should match pattern"),
    (7, "digests.0.mode", "'always' or 'on-change'"),
    (8, "digests.0.colour", "unknown key"),
    (11, "digests.1.schedule", "minute field '61' is out of range (0–59)"),
    (12, "digests.1.timezone", "unknown time zone 'Europe/Berln'; did you mean Europe/Berlin?"),
    (14, "digests.2.channel", "channel '#payments' is not a Slack channel ID"),
    (15, "digests.2.schedule", "from 10 seconds to 366 days"),
    (18, "digests.3.schedule", "a cron expression has 5 fields"),
    (19, "digests.3.timezone", "unknown time zone 'Mars/Olympus'"),
]


def test_every_mistake_is_named_in_one_read_each_with_its_line_and_key():
    error = read_config_text(NINE_MISTAKES).error()
    assert error is not None
    assert [(p.file, p.line, p.path) for p in error.problems] == [("okebot.yaml", line, path)
                                                                  for line, path, _ in EXPECTED]
    for problem, (_, _, said) in zip(error.problems, EXPECTED, strict=True):
        assert said in problem.message
    lines = error.message.splitlines()
    assert len(lines) == len(EXPECTED)
    assert error.where == "okebot.yaml line 4 (digests.0.name)"
    assert lines[1] == "okebot.yaml line 7 (digests.0.mode): Input should be 'always' or 'on-change'"
    assert "more problem" not in error.message


@pytest.mark.parametrize(("text", "line", "key", "said"), [
    ("access: {}\ndigest:\n  - {name: a, channel: C0A, schedule: every 6h}\n", 2, "digest",
     "unknown section 'digest'; did you mean digests?"),
    ("access: {}\nfoo: 1\n", 2, "foo", "unknown section 'foo'; the sections are access: and digests:"),
    ("acess: {}\n", 1, "acess", "unknown section 'acess'; did you mean access?"),
])
def test_an_unknown_top_level_key_is_refused_with_its_line_and_the_section_meant(text, line, key, said):
    found = read_config_text(text)
    assert [(p.line, p.path, p.message) for p in found.problems if p.path == key] == [(line, key, said)]


def test_access_and_digests_are_both_checked_when_both_are_wrong():
    found = read_config_text("access:\n  users: {U1: root}\ndigests:\n  - {name: a, channel: C0A, schedule: "
                             "'61 * * * *'}\n")
    assert [p.path for p in found.problems] == ["access.users.U1", "digests.0.schedule"]
    assert found.policy is None


def test_a_good_digest_is_read_beside_a_bad_one_and_a_good_policy_beside_bad_digests():
    found = read_config_text("access: {users: {U1: admin}}\ndigests:\n  - {name: good, channel: C0A, schedule: "
                             "every 6h}\n  - {name: bad, channel: C0B, schedule: every 1s}\n")
    assert [digest.name for digest in found.digests] == ["good"]
    assert found.policy is not None
    assert [p.path for p in found.problems] == ["digests.1.schedule"]


def test_every_key_given_twice_is_named_and_the_rest_still_checked():
    found = read_config_text("access:\n  default_role: viewer\n  default_role: admin\n  users: {U1: root}\n"
                             "digests: []\ndigests: []\n")
    assert [(p.line, p.path) for p in found.problems] == [(3, ""), (4, "access.users.U1"), (6, "")]
    assert "the key 'default_role' appears twice in one mapping (first on line 2)" in found.problems[0].message


@pytest.mark.parametrize("channel", ["general", "#general", "payments-alerts", "c0lowercase"])
def test_a_channel_bound_by_its_name_is_a_warning_not_a_problem(channel):
    found = read_config_text(f"access:\n  channels:\n    '{channel}': {{clusters: [payments]}}\n")
    assert found.problems == ()
    [warning] = found.warnings
    assert (warning.line, warning.path) == (3, f"access.channels.{channel}")
    assert "looks like a channel name, not a channel ID" in warning.message


@pytest.mark.parametrize("channel", ["C0123ABCD", "#C0123ABCD", "G01ABCDEF", "C0PAY"])
def test_a_channel_bound_by_its_id_has_no_warning(channel):
    assert read_config_text(f"access:\n  channels:\n    '{channel}': {{clusters: [payments]}}\n").warnings == ()


def test_a_file_that_cannot_be_read_is_one_problem_naming_it(tmp_path: Path):
    with pytest.raises(InputError) as caught:
        read_config(tmp_path / "missing.yaml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (str(tmp_path / "missing.yaml"), None)
    assert problem.message.startswith("cannot read the file")


def test_bad_yaml_is_one_problem_with_its_line():
    with pytest.raises(InputError) as caught:
        read_config_text("access: [\n")
    [problem] = caught.value.problems
    assert (problem.line, problem.message.startswith("not valid YAML")) == (2, True)


def test_the_shipped_example_and_the_charts_default_config_load_clean(tmp_path: Path):
    example = load_config(ROOT / "deploy" / "okebot.example.yaml")
    assert example.policy.bindings
    assert example.warnings == ()
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "okebot" / "values.yaml").read_text(encoding="utf-8"))
    chart = tmp_path / "okebot.yaml"
    chart.write_text(yaml.safe_dump(values["config"]), encoding="utf-8")
    assert load_config(chart).digests == ()


_keys = st.sampled_from(["access", "digests", "digest", "acces", "foo", "users", "channels", "name", "channel",
                         "schedule", "timezone", "mode", "C0A", "general"]) | st.text(max_size=6)
_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10)
    | st.sampled_from(["every 6h", "61 * * * *", "Europe/Berln", "UTC", "C0PAY", "#x", "admin"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4), max_leaves=20)


@given(st.dictionaries(_keys, _documents, max_size=4))
def test_any_document_reads_with_every_problem_placed_in_the_file(document):
    found = read_config_text(yaml.safe_dump(document, allow_unicode=True), source="f.yaml")
    assert all(p.file == "f.yaml" for p in (*found.problems, *found.warnings))
    assert [p.line or 0 for p in found.problems] == sorted(p.line or 0 for p in found.problems)
    assert (found.policy is None) == any(p.path == "access" or p.path.startswith("access.") for p in found.problems)
    error = found.error()
    assert (error is None) == (found.problems == ())
    if error is not None:
        assert len(error.message.splitlines()) >= len(found.problems)
