"""Fuzzed input through the running HTTP app: every command text and every pasted plan gets an answer (or
inline modal errors), never silence, never a 5xx. Seeded, so a failure replays."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

from adapters.fakes.slack_api import Call
from bot.slack.ids import BlockId, CallbackId, ModalMetadata
from bot.slack.parse import USAGE
from tests.bot.slack.harness import OPEN_CHANNEL, OPERATOR, Bot
from tests.bot.slack.test_interactivity import submission

SEED = 20261126
WORDS = [*USAGE, "what-if", "analytics", "retail-flannel", "analytics-spark", "size=3", "size=-1", "size=x",
         "ocpus=0", "max-pods=999", "add-pool=n", "shape=VM.Standard.E5.Flex", "pool=", "=", "'", '"', "\\",
         "<!channel>", "<@U1|x>", "&amp;", "&lt;", "`", "*", "PODS_CIDR_OVERLAP", "\u00e9", "\u202e", "\x00"]
PLAN = (Path(__file__).parents[3] / "examples" / "plans" / "vcn-native.yaml").read_text()
JUNK = ["{", "}", "[", ":", "- ", "&a", "*a", "!!python/object:os.system", "\t", "10.0.0.0/33", "-1", "~",
        "'", "\x00", "1e999", "<!channel>"]


def fuzzed_texts(rng: random.Random, count: int) -> list[str]:
    texts = []
    for _ in range(count):
        words = [rng.choice(WORDS) if rng.random() < 0.8 else
                 "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(1, 8)))
                 for _ in range(rng.randrange(0, 7))]
        texts.append(" ".join(words))
    return texts


def mutated_plans(rng: random.Random, count: int) -> list[str]:
    lines = PLAN.splitlines()
    plans = []
    for _ in range(count):
        mutated = list(lines)
        for _ in range(rng.randrange(1, 6)):
            at = rng.randrange(len(mutated))
            match rng.randrange(3):
                case 0:
                    del mutated[at]
                case 1:
                    mutated.insert(at, mutated[rng.randrange(len(mutated))])
                case _:
                    cut = rng.randrange(len(mutated[at]) + 1)
                    mutated[at] = mutated[at][:cut] + rng.choice(JUNK) + mutated[at][cut:]
        plans.append("\n".join(mutated))
    return plans


async def answers_and_modals(bot: Bot, count: int) -> list[Call]:
    """Wait until `count` replies went out: answers at response_url, or the validate modal opened."""
    for _ in range(500):
        replies = [c for c in bot.fake.calls if c.method in ("webhook", "views.open")]
        if len(replies) >= count:
            return replies
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(replies)} replies, wanted {count}")


async def test_every_fuzzed_command_gets_exactly_one_answer(bot: Bot):
    texts = fuzzed_texts(random.Random(SEED), 60)
    for index, text in enumerate(texts):
        response = await bot.command(text, user=OPERATOR)
        assert response.status == 200, text
        replies = await answers_and_modals(bot, index + 1)
        reply = replies[-1]
        assert reply.body["text"] if reply.method == "webhook" else reply.body["view"], text
    await asyncio.sleep(0.05)
    assert len([c for c in bot.fake.calls if c.method in ("webhook", "views.open")]) == len(texts)


async def test_every_fuzzed_plan_gets_inline_errors_or_an_answer(bot: Bot):
    meta = ModalMetadata(channel_id=OPEN_CHANNEL, user_id=OPERATOR)
    answered = 0
    for plan in mutated_plans(random.Random(SEED), 40):
        values: dict[str, str | None] = {BlockId.PLAN_TEXT: plan, BlockId.AGAINST: None}
        response = await bot.interact(submission(CallbackId.VALIDATE_MODAL, values, meta, OPERATOR))
        assert response.status == 200, plan
        raw = await response.text()
        if raw:
            body = json.loads(raw)
            assert body["response_action"] == "errors"
            assert body["errors"][BlockId.PLAN_TEXT]
            continue
        answered += 1
        (*_, answer) = await bot.fake.wait_for("chat.postEphemeral", answered)
        assert answer.body["text"]
    assert answered > 0  # some mutations still parse, and those are answered, not only refused
