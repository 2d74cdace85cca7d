"""The one plan reader: a path, stdin or bytes, with one size cap and one decoding rule (strict UTF-8, BOM
allowed). Input that is not text, or never ends, is refused with a message, not a crash."""

from __future__ import annotations

import codecs
import contextlib
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.planfile import MAX_PLAN_BYTES, PlanText, load_plan_text, read_plan_bytes, read_plan_path
from engine.errors import PlanError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "vcn-native.yaml"


def refusal(data: bytes, source: str = "plan.yaml") -> PlanError:
    with pytest.raises(PlanError) as caught:
        read_plan_bytes(data, source=source)
    return caught.value


def test_undecodable_bytes_on_stdin_are_a_plan_error_naming_the_byte_and_its_offset():
    with pytest.raises(PlanError) as caught:
        read_plan_path("-", stdin=io.BytesIO(b"\xff\xfeapiVersion: x"))
    assert str(caught.value) == "<stdin>: not UTF-8 text (byte 0xff at offset 0); is this a plan file?"


def test_stdin_is_read_as_bytes_and_named_stdin():
    assert read_plan_path("-", stdin=io.BytesIO(EXAMPLE.read_bytes())) == PlanText(EXAMPLE.read_text(), "<stdin>")


def test_a_dash_without_standard_input_is_a_plan_error():
    with pytest.raises(PlanError, match="<stdin>: there is no standard input"):
        read_plan_path("-", stdin=None)


def test_a_path_is_read_and_named_as_given():
    assert read_plan_path(str(EXAMPLE), stdin=None) == PlanText(EXAMPLE.read_text(), str(EXAMPLE))


def test_a_file_that_never_ends_is_refused_at_the_size_limit():
    with pytest.raises(PlanError, match="/dev/zero: the plan is larger than 5 MiB; a plan is far smaller"):
        read_plan_path("/dev/zero", stdin=None)


def test_stdin_that_never_ends_is_refused_at_the_size_limit():
    with open("/dev/zero", "rb") as endless, pytest.raises(PlanError, match="<stdin>: the plan is larger"):
        read_plan_path("-", stdin=endless)


@pytest.mark.parametrize(("make", "said"), [
    (lambda tmp: tmp / "absent.yaml", "no such file"),
    (lambda tmp: tmp, "is a directory, not a plan file"),
])
def test_a_path_that_is_not_a_readable_file_is_a_plan_error_naming_it(tmp_path: Path, make, said: str):
    path = make(tmp_path)
    with pytest.raises(PlanError, match=re.escape(f"{path}: {said}")):
        read_plan_path(path, stdin=None)


def test_an_empty_path_is_a_plan_error_saying_so():
    with pytest.raises(PlanError) as caught:
        read_plan_path("", stdin=None)
    assert str(caught.value) == "the path of the plan file is empty"
    assert caught.value.remedy == "name a plan file, or - to read the plan from standard input"


def test_bytes_exactly_at_the_cap_are_read_and_one_more_is_refused():
    assert read_plan_bytes(b"#" * MAX_PLAN_BYTES, source="p.yaml") == "#" * MAX_PLAN_BYTES
    assert "the plan is larger than 5 MiB" in str(refusal(b"#" * (MAX_PLAN_BYTES + 1)))


def test_a_byte_order_mark_is_dropped():
    assert read_plan_bytes(codecs.BOM_UTF8 + b"apiVersion: x", source="p.yaml") == "apiVersion: x"


def test_a_bad_byte_after_a_byte_order_mark_is_named_by_its_offset_in_the_input():
    assert "byte 0xff at offset 5" in str(refusal(codecs.BOM_UTF8 + b"ab\xff"))


@settings(max_examples=300, deadline=None)  # no speed assertions: a loaded CI machine is not a failure
@given(data=st.binary(max_size=200), bom=st.booleans())
def test_any_bytes_decode_as_utf8_sig_or_are_refused_naming_the_first_bad_byte(data: bytes, bom: bool):
    data = codecs.BOM_UTF8 + data if bom else data
    try:
        expected = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = str(refusal(data))
        offset = int(message.split("at offset ")[1].split(")")[0])
        assert f"byte 0x{data[offset]:02x} at offset {offset}" in message
        # Everything before the named byte is valid UTF-8, and the named byte starts what is not.
        data[:offset].decode("utf-8-sig")
        with pytest.raises(UnicodeDecodeError):
            data[offset:].decode("utf-8")
    else:
        assert read_plan_bytes(data, source="p.yaml") == expected


@settings(deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_encoded_as_utf8_reads_back_unchanged(text: str):
    with contextlib.suppress(UnicodeEncodeError):  # lone surrogates cannot be bytes at all
        assert read_plan_bytes(text.encode("utf-8"), source="p.yaml") == text.removeprefix("\ufeff")


@settings(deadline=None)
@given(text=st.text(alphabet=st.characters(categories=["Cs", "L", "Zs", "P"]), min_size=1, max_size=60))
def test_text_with_lone_surrogates_is_a_plan_error_never_a_crash(text: str) -> None:
    with contextlib.suppress(PlanError):
        load_plan_text("apiVersion: okebot.plan/v1\ncluster: " + text, source="p.yaml")


def test_a_lone_surrogate_names_its_line():
    with pytest.raises(PlanError, match=r"p\.yaml:2: .*lone surrogate"):
        load_plan_text("apiVersion: okebot.plan/v1\ncluster: \udcff", source="p.yaml")
