"""`okebot --version` names the installed package's version (the container image's smoke test relies on it)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.cli.main import main


def test_version_prints_okebot_and_the_installed_package_version_and_exits_0(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"okebot {importlib.metadata.version('okebot')}\n"


def test_version_matches_the_version_in_pyproject():
    pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert importlib.metadata.version("okebot") == declared


def test_the_installed_okebot_command_answers_version_without_a_subcommand():
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "--version"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("okebot ")
