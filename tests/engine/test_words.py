"""engine.words: counts with their nouns, and sentences that end in one stop."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.words import noun, plural, sentence


@pytest.mark.parametrize(("text", "said"), [
    ("unknown time zone 'Europe/Berln'; did you mean Europe/Berlin?", "unknown time zone 'Europe/Berln'; did you "
                                                                       "mean Europe/Berlin?"),
    ("okebot restarted.", "okebot restarted."),
    ("stop!", "stop!"),
    ("see the pool (limited by vnics)", "see the pool (limited by vnics)."),
    ("no cluster 'x'   ", "no cluster 'x'."),
    ("wait…", "wait…"),
    ("", ""),
])
def test_a_sentence_gets_a_full_stop_only_when_it_has_none(text: str, said: str):
    assert sentence(text) == said


@given(st.text(max_size=40))
def test_a_sentence_never_ends_in_two_stops(text: str):
    said = sentence(text)
    assert not said.endswith(("?.", "..", "!.", "….")) or text.rstrip().endswith(("?.", "..", "!.", "…."))
    assert sentence(said) == said


def test_counts_carry_their_nouns():
    assert (plural(1, "node"), plural(1024, "IP"), noun(2, "subnet")) == ("1 node", "1,024 IPs", "subnets")
