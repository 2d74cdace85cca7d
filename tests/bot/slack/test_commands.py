from __future__ import annotations

import pytest

from tests.bot.slack.harness import BOUND_CHANNEL, OPERATOR, Bot, texts


async def test_capacity_command_acks_then_answers_privately_at_the_response_url(bot: Bot):
    response = await bot.command("capacity retail-flannel")
    assert response.status == 200
    (answer,) = await bot.fake.wait_for("webhook")
    assert answer.body["response_type"] == "ephemeral"
    assert "Capacity: retail-flannel" in texts(answer.body["blocks"])
    assert answer.body["text"]
    assert len(answer.body["blocks"]) <= 50


async def test_help_lists_every_subcommand(bot: Bot):
    await bot.command("help")
    (answer,) = await bot.fake.wait_for("webhook")
    for word in ("clusters", "capacity", "diagnose", "cni", "whatif", "validate", "explain", "rules"):
        assert f"/oke {word}" in texts(answer.body["blocks"])


@pytest.mark.parametrize(("text", "expected"), [
    ("capacty", "unknown subcommand"),
    ("diagnose", "/oke diagnose &lt;cluster&gt;"),
    ("whatif analytics size=lots", "size"),
    ("explain", "/oke explain"),
])
async def test_malformed_commands_get_that_subcommands_usage(bot: Bot, text: str, expected: str):
    await bot.command(text)
    (answer,) = await bot.fake.wait_for("webhook")
    assert expected in texts(answer.body["blocks"])


async def test_unknown_cluster_is_a_friendly_answer_naming_the_known_ones(bot: Bot):
    await bot.command("diagnose nope")
    (answer,) = await bot.fake.wait_for("webhook")
    assert "no cluster 'nope'" in answer.body["text"]
    assert "analytics" in texts(answer.body["blocks"])
    assert "Error id" not in texts(answer.body["blocks"])


async def test_a_misspelt_cluster_gets_the_closest_name_suggested(bot: Bot):
    await bot.command("diagnose paymnts-native")
    (answer,) = await bot.fake.wait_for("webhook")
    assert "did you mean 'payments-native'?" in answer.body["text"]


async def test_a_bound_channel_naming_no_cluster_there_is_is_refused_without_learning_the_others(bot: Bot):
    await bot.command("capacity nope", channel=BOUND_CHANNEL)
    (answer,) = await bot.fake.wait_for("webhook")
    said = answer.body["text"] + texts(answer.body["blocks"])
    assert "Not allowed" in said
    for other in ("retail-flannel", "analytics", "platform-healthy"):
        assert other not in said


async def test_a_bound_channel_defaults_to_its_cluster(bot: Bot):
    await bot.command("capacity", channel=BOUND_CHANNEL)
    (answer,) = await bot.fake.wait_for("webhook")
    assert "Capacity: payments-native" in texts(answer.body["blocks"])
    assert "retail-flannel" not in texts(answer.body["blocks"])


async def test_a_bound_channel_refuses_other_clusters_and_says_why(bot: Bot):
    await bot.command("capacity retail-flannel", channel=BOUND_CHANNEL)
    (answer,) = await bot.fake.wait_for("webhook")
    assert "Not allowed" in answer.body["text"]
    assert "bound to clusters payments-native" in answer.body["text"]


async def test_whatif_needs_the_operator_role_and_says_so(bot: Bot):
    await bot.command("whatif retail-flannel size=1")
    (answer,) = await bot.fake.wait_for("webhook")
    assert "needs the operator role" in answer.body["text"]


async def test_operator_gets_a_whatif_answer(bot: Bot):
    await bot.command("whatif analytics analytics-spark size=1", user=OPERATOR)
    (answer,) = await bot.fake.wait_for("webhook")
    assert "What-if: analytics" in texts(answer.body["blocks"])


async def test_validate_opens_the_plan_modal(bot: Bot):
    await bot.command("validate")
    (call,) = await bot.fake.wait_for("views.open")
    assert call.body["trigger_id"] == "trigger-1"
    assert call.body["view"]["callback_id"] == "oke-validate-modal"


async def test_every_command_is_audited(bot: Bot):
    await bot.command("capacity analytics")
    await bot.fake.wait_for("webhook")
    entries = await bot.audited()
    assert entries[0].command == "/oke"
    assert entries[0].arguments == "capacity analytics"
    assert entries[0].outcome == "ok"
    assert entries[0].user == "UVIEW"


async def test_validate_without_a_trigger_id_says_the_form_cannot_open(bot: Bot):
    body = bot.command_body("validate").replace("&trigger_id=trigger-1", "")
    assert "trigger_id" not in body
    await bot.post(body, "application/x-www-form-urlencoded")
    (answer,) = await bot.fake.wait_for("webhook")
    assert "no trigger id" in answer.body["text"]
    assert "Error id" not in texts(answer.body["blocks"])
    assert bot.fake.calls_to("views.open") == []


@pytest.mark.parametrize(("text", "ends"), [
    ('digest add "0 9 * * *" tz=Europe/Berln', "did you mean Europe/Berlin? Try /oke help"),
    ("capacty", "did you mean capacity? Try /oke help"),
    ("diagnose", "Try /oke help"),
])
async def test_a_usage_answer_ends_its_sentence_once_before_pointing_at_help(bot: Bot, text: str, ends: str):
    await bot.command(text)
    (answer,) = await bot.fake.wait_for("webhook")
    assert answer.body["text"].endswith(ends)
    assert "?." not in answer.body["text"]
    assert ".." not in answer.body["text"]


async def test_a_rejected_plan_form_ends_the_reason_once_before_the_fix():
    from bot.slack.handlers.views import inline_error
    from engine.errors import InputError

    said = inline_error(InputError("no cluster 'paymnts'; did you mean 'payments-native'?", remedy="name it"))
    assert said == "no cluster 'paymnts'; did you mean 'payments-native'? name it"
