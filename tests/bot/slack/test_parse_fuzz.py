"""Whatever follows `/oke`, the parser gives an answer: a query, help, usage, the modal or an admin command.
Never a raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.parse import USAGE, Administer, Ask, Help, OpenValidateModal, Usage, parse_command

WORDS = st.sampled_from([*USAGE, "what-if", "size=3", "size=x", "ocpus=0", "max-pods=9", "add-pool=n", "'",
                         '"', "<!channel>", "&amp;", "pool=", "=", "prod", "np1", "CIDR_INVALID", "\u00e9"])
TEXT = st.one_of(st.text(max_size=200), st.lists(WORDS | st.text(max_size=12), max_size=8).map(" ".join))


@settings(max_examples=400, deadline=None)
@given(text=TEXT, default=st.none() | st.text(min_size=1, max_size=20))
def test_any_command_text_parses_to_an_answer(text: str, default: str | None):
    parsed = parse_command(text, default_cluster=default)
    assert isinstance(parsed, Ask | Help | Usage | OpenValidateModal | Administer)
    if isinstance(parsed, Usage):
        assert parsed.problem
        assert parsed.subcommand is None or parsed.subcommand in USAGE


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_a_question_re_parses_from_its_own_button_command(text: str):
    parsed = parse_command(text, default_cluster="bound")
    if isinstance(parsed, Ask) and parsed.command is not None:
        again = parse_command(parsed.command)
        assert isinstance(again, Ask)
        assert again.query == parsed.query
