"""One grammar per surface: Slack answers in Slack's syntax (`size=N`), says what was meant, reads curly quotes,
refuses a key given twice, and never shows pydantic's own words."""

from __future__ import annotations

import pytest

from bot.queries import CapacityQuery, WhatIfQuery
from bot.slack.parse import Ask, Usage, parse_command


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("capasity", "unknown subcommand 'capasity'; did you mean capacity?"),
        ("whatif payments-native payments-core --size 12",
         "options are written key=value in Slack: did you mean size=12?"),
        ("whatif payments-native payments-core --size=12",
         "options are written key=value in Slack: did you mean size=12?"),
        ("whatif payments-native payments-core --max-pods 64",
         "options are written key=value in Slack: did you mean max-pods=64?"),
        ("whatif payments-native payments-core sise=12", "unknown option 'sise'; did you mean size?"),
        ("whatif payments-native payments-core size=3 size=4", "size is given twice (3 and 4); give it once"),
        ("whatif payments-native payments-core size=ten", "size: expected a whole number, got 'ten'"),
        ("whatif payments-native payments-core ocpus=0.5", "ocpus: expected 1 to 512, got 0.5"),
    ],
)
def test_a_mistake_is_answered_in_slack_syntax_with_what_was_meant(text, said):
    parsed = parse_command(text)
    assert isinstance(parsed, Usage)
    assert parsed.problem.startswith(said)
    assert "--" not in parsed.problem.split("did you mean")[-1]
    assert "Input should be" not in parsed.problem


def test_curly_quotes_from_a_slack_client_are_read_as_quotes():
    parsed = parse_command("capacity “payments-native”")
    assert isinstance(parsed, Ask)
    assert parsed.query == CapacityQuery(cluster="payments-native")


def test_the_same_value_twice_is_not_a_conflict():
    parsed = parse_command("whatif payments-native payments-core size=3 size=3")
    assert isinstance(parsed, Ask)
    assert isinstance(parsed.query, WhatIfQuery)
    assert parsed.query.size == 3


def test_full_yes_asks_for_the_whole_what_if_and_rides_in_the_refresh_command():
    parsed = parse_command("whatif payments-native payments-core size=10 full=yes")
    assert isinstance(parsed, Ask)
    assert isinstance(parsed.query, WhatIfQuery)
    assert parsed.query.full is True
    assert parsed.command == "whatif payments-native full=yes pool=payments-core size=10"
