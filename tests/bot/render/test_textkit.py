"""Tables and their list fallback keep every name whole and every figure readable, whatever the width."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console

from bot.render.textkit import Row, table_or_list

LONG = "payments-production-eu-frankfurt-1-general-purpose-arm"  # 54 characters


def _render(rows: list[Row], width: int) -> str:
    console = Console(width=width, record=True, color_system=None, soft_wrap=False)
    console.print(table_or_list("Node pools", ["pool", "shape", "nodes", "room"], rows, width=width,
                                numeric=["nodes"]))
    return console.export_text()


def _rows(name: str) -> list[Row]:
    return [Row(cells=[name, "VM.Standard.E4.Flex", "12", "+3 (pod subnet p)"],
                summary="VM.Standard.E4.Flex, 12 nodes, room +3 (pod subnet p)")]


def test_a_name_longer_than_forty_characters_is_printed_whole_in_the_table():
    out = _render(_rows(LONG), 140)
    assert LONG in out
    assert "┃ pool" in out


def test_at_a_narrow_width_a_long_name_sits_above_its_figures_with_no_word_broken():
    out = _render(_rows(LONG), 60)
    lines = out.splitlines()
    assert lines[1].strip() == LONG
    summary = " ".join(line.strip() for line in lines[2:] if line.strip())
    assert summary == "VM.Standard.E4.Flex, 12 nodes, room +3 (pod subnet p)"


@settings(max_examples=60, deadline=None)
@given(name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=60),
       width=st.integers(min_value=40, max_value=200))
def test_every_name_that_fits_the_screen_appears_whole_at_every_width(name, width):
    assume(len(name) <= width - 4)  # a name wider than the screen has to fold
    out = _render(_rows(name), width)
    assert any(name in line for line in out.splitlines())
