"""Running `okebot validate` on a plan written to a file, for the tests of where findings are placed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main


def validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *extra: str) -> tuple[int, Any]:
    """Write `text` to plan.yaml, validate it with --format json; the exit code and the parsed report."""
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["validate", str(path), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def errors_placed(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    """Each error finding as (code, line, path), sorted."""
    return sorted((f["code"], f["location"]["line"], f["location"]["path"])
                  for f in report["findings"] if f["severity"] == "error")


def validate_text(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                  text: str) -> tuple[int, str]:
    """Validate `text` as ./plan.yaml in a 240-column terminal; the exit code and what was printed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "240")
    Path("plan.yaml").write_text(text, encoding="utf-8")
    code = main(["validate", "plan.yaml"])
    return code, capsys.readouterr().out
