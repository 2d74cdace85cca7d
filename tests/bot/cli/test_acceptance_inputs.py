"""Acceptance: broken files and arguments a new user might hand the CLI end in a clear message and exit
code 2, never a traceback or an "internal error"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli.main import main

VALID_PLAN = Path(__file__).resolve().parents[3] / "examples" / "plans" / "vcn-native.yaml"


def _valid_with(old: str, new: str) -> Callable[[Path], Path]:
    def make(tmp_path: Path) -> Path:
        path = tmp_path / "plan.yaml"
        path.write_text(VALID_PLAN.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        return path

    return make


def _written(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "plans").mkdir()
    return tmp_path / "plans"


BROKEN_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("empty", _written("empty.yaml", b""), "empty"),
    ("truncated json", _written("plan.json", b'{"apiVersion": "okebot.plan/v1", "cluster": {'), "truncated"),
    ("binary", _written("plan.yaml", bytes(range(250, 256)) * 20), "not UTF-8"),
    ("a directory", _directory, "directory"),
    ("a missing file", lambda tmp_path: tmp_path / "nope.yaml", "no such file"),
    ("a list at the top", _written("plan.yaml", b"- a\n- b\n"), "mapping"),
    ("a huge size", _valid_with("size: 12", "size: 100000000000000000000000"), "nodePools[0].size"),
    ("a float as maxSize", _valid_with("maxSize: 30", "maxSize: 1e400"), "nodePools[0].maxSize"),
    ("NaN OCPUs", _valid_with("ocpus: 4", "ocpus: .nan"), "nodePools[0].ocpus"),
    ("an unquoted version", _valid_with("kubernetesVersion: v1.31.1", "kubernetesVersion: 1.31"), "quote it"),
    ("a duplicate key", _valid_with("serviceMesh: false", "serviceMesh: false\n  serviceMesh: true"), "twice"),
]


@pytest.mark.parametrize(
    ("make", "fragment"), [(m, f) for _, m, f in BROKEN_FILES], ids=[n for n, _, _ in BROKEN_FILES]
)
@pytest.mark.parametrize("command", ["validate", "snapshot-source"])
def test_a_broken_file_is_bad_input_with_a_message_not_a_traceback(tmp_path, capsys, command, make, fragment):
    path = make(tmp_path)
    argv = ["validate", str(path)] if command == "validate" else ["capacity", "--source", f"snapshot:{path}"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("okebot: error: ")
    assert "Traceback" not in err
    assert "internal error" not in err
    if command == "validate":
        assert fragment in err


def test_a_plan_with_unicode_names_validates(tmp_path, capsys):
    path = _valid_with("name: general", 'name: "généräl-😀"')(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert "VALID" in capsys.readouterr().out


def test_an_empty_plan_path_says_the_path_is_empty_not_that_it_is_a_directory(capsys):
    assert main(["validate", ""]) == 2
    err = capsys.readouterr().err
    assert err.startswith("okebot: error: the path of the plan file is empty\n")
    assert "directory" not in err
    assert "- to read the plan from standard input" in err


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc to make a read fail")
def test_an_unreadable_plan_is_bad_input_naming_the_file(capsys):
    assert main(["validate", "/proc/self/mem"]) == 2
    assert "/proc/self/mem: cannot read the file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--max-pods", "0"], "--max-pods: expected 1 to 10000, got 0"),
        (["--max-pods", "10001"], "--max-pods: expected 1 to 10000"),
        (["--size", "-1"], "--size: expected 0 to 10000"),
        (["--ocpus", "nan"], "--ocpus"),
    ],
)
def test_whatif_out_of_range_numbers_are_usage_errors_not_internal_errors(capsys, argv, fragment):
    code = main(["whatif", "payments-native", "--pool", "payments-core", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert "internal error" not in err
