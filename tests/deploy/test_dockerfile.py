"""deploy/Dockerfile keeps its promises, read statically (the image build itself is `make image-test`, not CI):
a replaceable base, a build stage that makes the wheel, a final stage without build tools, a fixed numeric
non-root user, only /tmp written, and an exec-form entrypoint that receives SIGTERM.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from tests.deploy.chart import ROOT

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|cc|clang|make|build-essential|[a-z0-9.-]+-dev|python3?-pip|pip3?)\b")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse(text: str) -> tuple[list[tuple[str, str]], list[Stage]]:
    """(instructions before the first FROM, stages), with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    preamble: list[tuple[str, str]] = []
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            stages.append(Stage(parts[0], parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else None))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
        else:
            preamble.append((keyword, args.strip()))
    return preamble, stages


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in stage.all("ENV"):
        env.update(dict(re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", args)))
    return env


PREAMBLE, STAGES = parse(DOCKERFILE.read_text(encoding="utf-8"))
FINAL = STAGES[-1]


def test_the_base_image_is_an_argument_defaulting_to_python_3_12_slim_and_every_stage_uses_it():
    assert ("ARG", "BASE_IMAGE=python:3.12-slim") in PREAMBLE
    assert len(STAGES) >= 2
    assert all(stage.base == "${BASE_IMAGE}" for stage in STAGES)


def test_the_build_stage_builds_the_okebot_wheel_into_a_venv_that_the_final_stage_copies():
    build = STAGES[0]
    runs = " ".join(build.all("RUN"))
    assert "python3 -m venv /opt/okebot" in runs
    assert "pip wheel" in runs
    assert "pip install --no-index" in runs
    assert "tzdata" in runs, "zoneinfo needs IANA data on slim bases"
    assert f"--from={build.name} /opt/okebot /opt/okebot" in FINAL.all("COPY")


def test_the_final_stage_installs_no_build_tools_and_runs_no_package_manager():
    for args in FINAL.all("RUN"):
        assert not re.search(r"\b(apt-get|apt|apk|dnf|yum|pip3?|python3? -m pip)\b", args), args
        assert not BUILD_TOOLS.search(args.replace("useradd", "").replace("groupadd", "")), args
    assert not FINAL.all("ADD")


def test_the_final_stage_runs_as_a_fixed_numeric_non_root_user():
    (user,) = FINAL.all("USER")
    match = re.fullmatch(r"(\d+):(\d+)", user)
    assert match, f"USER {user} is not numeric UID:GID (Kubernetes' runAsNonRoot needs a number)"
    assert match.group(1) == match.group(2) == "10001"
    assert any("--uid 10001" in args and "--gid 10001" in args for args in FINAL.all("RUN"))


def test_the_entrypoint_and_command_are_exec_form_so_okebot_receives_sigterm():
    (entrypoint,) = FINAL.all("ENTRYPOINT")
    (cmd,) = FINAL.all("CMD")
    assert json.loads(entrypoint) == ["okebot"]
    assert json.loads(cmd) == ["serve"]


def test_everything_the_process_writes_goes_under_tmp():
    env = env_of(FINAL)
    assert env["HOME"] == "/tmp"
    assert env["MPLCONFIGDIR"] == "/tmp/matplotlib"
    assert env["XDG_CACHE_HOME"].startswith("/tmp/")
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["OKEBOT_STORE_URL"] == "sqlite:////tmp/okebot.db"
    assert FINAL.all("WORKDIR") == ["/tmp"]


def test_the_image_carries_the_oci_labels():
    labels = " ".join(FINAL.all("LABEL"))
    for key in ("title", "description", "version", "revision", "created", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_the_build_context_holds_only_the_package_sources():
    lines = [line for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert lines[0] == "**"
    assert {line[1:] for line in lines if line.startswith("!")} == {"pyproject.toml", "README.md", "engine",
                                                                      "adapters", "bot"}
    copied = {args.split()[0] for args in STAGES[0].all("COPY")} | {
        word for args in STAGES[0].all("COPY") for word in args.split()[:-1]}
    assert copied <= {"pyproject.toml", "README.md", "engine", "adapters", "bot"}


def test_the_image_build_stays_out_of_the_ci_run_and_has_its_own_make_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^image:\n\t@scripts/image.sh build$", makefile, flags=re.MULTILINE)
    assert re.search(r"^image-test:\n\t@scripts/image.sh test$", makefile, flags=re.MULTILINE)
    assert "image" not in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
