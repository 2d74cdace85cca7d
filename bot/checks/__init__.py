"""`okebot config check`: is this okebot configured to work? Settings, okebot.yaml, Slack, OCI, Kubernetes
and the store, each a list of `Check`s with the fix for what fails.

`run_checks` runs the areas in order: the configuration (read locally, always), then Slack, OCI, Kubernetes and
a remote store, which `network=False` skips (saying so). A check never raises: what goes wrong becomes a failed
check naming the problem and its fix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from engine.errors import InputProblem

Status = Literal["pass", "warn", "fail", "skip"]
EXIT_OK, EXIT_FAILED, EXIT_BAD_CONFIG = 0, 1, 2


@dataclass(frozen=True)
class Check:
    """One line of the report.

    Attributes:
        area: "settings", "config", "slack", "oci", "kubernetes" or "store".
        name: what was checked, short ("auth.test", "scopes", "list_vcns in ocid1.compartment…").
        status: pass; warn (works, but worth fixing); fail; skip (not checked, and `detail` says why).
        detail: what was found, for a person.
        fix: what to do, for warn and fail.
        unreadable: a setting or the file could not be read at all (exit code 2).
        problems: each problem a failed setting group or okebot.yaml section has, where it is (`detail` names
            them too, one per line).
    """

    area: str
    name: str
    status: Status
    detail: str
    fix: str | None = None
    unreadable: bool = False
    problems: tuple[InputProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """Not failed (a warning or a skip is not a failure)."""
        return self.status != "fail"

    def as_json(self) -> dict[str, Any]:
        """{"area", "name", "ok", "status", "detail", "fix"}."""
        return {"area": self.area, "name": self.name, "ok": self.ok, "status": self.status, "detail": self.detail,
                "fix": self.fix}


@dataclass
class CheckReport:
    """Every check, in the order run."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No check failed."""
        return all(check.ok for check in self.checks)

    @property
    def exit_code(self) -> int:
        """2 when a setting or the file could not be read at all, 1 when a check failed, else 0."""
        if any(check.unreadable for check in self.checks):
            return EXIT_BAD_CONFIG
        return EXIT_OK if self.ok else EXIT_FAILED

    def as_json(self) -> dict[str, Any]:
        """{"checks": [...], "ok": bool, "problems": [{"file", "line", "path", "message"}]} (the `--format json`
        contract): `problems` are every problem of every setting and of okebot.yaml, as `okebot validate` lists
        a plan's (file "environment" for a variable, whose name is the path)."""
        return {"checks": [check.as_json() for check in self.checks], "ok": self.ok,
                "problems": [asdict(problem) for check in self.checks for problem in check.problems]}
