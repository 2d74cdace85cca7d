"""Plan input that is not text, or never ends, is refused with a message, not a crash."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.planfile import load_plan_text
from bot.cli.main import main
from engine.errors import PlanError


def test_undecodable_bytes_on_stdin_are_bad_input_naming_the_byte(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfeapiVersion: x"), errors="surrogateescape"))
    assert main(["validate", "-"]) == 2
    assert "<stdin>: not UTF-8 text (byte 0 is 0xff)" in capsys.readouterr().err


def test_a_file_that_never_ends_is_refused_at_the_size_limit(capsys):
    assert main(["validate", "/dev/zero"]) == 2
    assert "larger than 5 MB" in capsys.readouterr().err


@given(text=st.text(alphabet=st.characters(categories=["Cs", "L", "Zs", "P"]), min_size=1, max_size=60))
def test_text_with_lone_surrogates_is_a_plan_error_never_a_crash(text: str) -> None:
    with contextlib.suppress(PlanError):
        load_plan_text("apiVersion: okebot.plan/v1\ncluster: " + text, source="p.yaml")


def test_a_lone_surrogate_names_its_line():
    with pytest.raises(PlanError, match=r"p\.yaml:2: .*lone surrogate"):
        load_plan_text("apiVersion: okebot.plan/v1\ncluster: \udcff", source="p.yaml")
