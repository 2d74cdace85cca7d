"""User-facing text cites Oracle's pages, never okebot's internal notes (a facts file, a design doc)."""

from __future__ import annotations

import pytest

from bot.cli.main import main

INTERNAL = ("facts §", "facts/", "design.md", "oke-networking.md")

QUESTIONS = [
    ["clusters"],
    ["capacity"],
    ["cni"],
    ["diagnose", "payments-native"],
    ["diagnose", "analytics"],
    ["diagnose", "retail-flannel"],
    ["whatif", "payments-native", "--pool", "payments-core", "--size", "12"],
    ["validate", "examples/plans/vcn-native.yaml"],
    ["validate", "examples/plans/invalid-cidrs.yaml"],
    ["rules"],
    *[["explain", code] for code in ("POD_SUBNET_TOO_SMALL", "SECURITY_RULE_MISSING", "CNI_UPDATE_PENDING")],
]


@pytest.mark.parametrize("argv", QUESTIONS, ids=" ".join)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_answer_cites_internal_notes(capsys: pytest.CaptureFixture[str], argv: list[str], fmt: str) -> None:
    main([*argv, "--format", fmt])
    out, err = capsys.readouterr()
    for text in (out, err):
        for note in INTERNAL:
            assert note not in text
