"""okebot_commands_total and okebot_answer_seconds count every /oke command, questions included, by its registry
or admin name and its audited outcome, scraped from /metrics of the running app; never by the text typed."""

from __future__ import annotations

import pytest

from bot.metrics import COMMANDS, OTHER
from tests.bot.slack.harness import OPERATOR, VIEWER, Bot

COMMANDS_TOTAL = "okebot_commands_total"


def count(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.parametrize(("text", "user", "command", "outcome"), [
    ("capacity payments-native", VIEWER, "capacity", "ok"),
    ("clusters", VIEWER, "clusters", "ok"),
    ("diagnose analytics", VIEWER, "diagnose", "ok"),
    ("cni", VIEWER, "cni", "ok"),
    ("explain POD_SUBNET_TOO_SMALL", VIEWER, "explain", "ok"),
    ("rules", VIEWER, "rules", "ok"),
    ("whatif payments-native pool1 size=3", VIEWER, "whatif", "refused"),
    ("whatif payments-native size=lots", OPERATOR, "whatif", "bad-input"),
    ("diagnose nope", VIEWER, "diagnose", "bad-input"),
    ("capacity a b c d", VIEWER, "capacity", "bad-input"),
    ("digest preview", VIEWER, "digest", "ok"),
    ("digest list", VIEWER, "digest", "refused"),
    ("audit", VIEWER, "audit", "refused"),
    ("help", VIEWER, "help", "ok"),
    ("frobnicate the cluster", VIEWER, "usage", "bad-input"),
])
async def test_each_command_is_counted_once_by_its_name_and_outcome_and_timed(
    bot: Bot, text: str, user: str, command: str, outcome: str
):
    await bot.command(text, user=user)
    (entry,) = await bot.audited(1)  # counted before its audit entry is written
    assert entry.outcome == outcome
    samples = await bot.scrape()
    counted = {dict(labels)["command"]: value for (name, labels), value in samples.items() if name == COMMANDS_TOTAL}
    assert counted == {command: 1.0}
    assert count(samples, COMMANDS_TOTAL, command=command, outcome=outcome) == 1.0
    assert count(samples, "okebot_answer_seconds_count", command=command) == 1.0


async def test_label_values_never_carry_what_was_typed(bot: Bot):
    for text in ("capacity payments-native", "capacity 'robert; drop table'", "digest run payments-daily",
                 "explain NOT_A_CODE", "bind payments-native"):
        await bot.command(text, user=VIEWER)
    await bot.audited(5)
    samples = await bot.scrape()
    labels = {dict(labels)["command"] for (name, labels), _ in samples.items() if name == COMMANDS_TOTAL}
    assert labels <= COMMANDS | {OTHER}
    assert sum(v for (name, _), v in samples.items() if name == COMMANDS_TOTAL) == 5
