"""Render the Helm chart deploy/helm/okebot offline, with Helm v4 as a library (helm-python-sdk, no binary).

Helm and the Kubernetes schemas come from the dev extras (`make setup`). If either is missing, the chart tests
are skipped on a workstation with the reason, but fail when CI is set (any value but 0/false): CI must never
pass by skipping them.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "okebot"
CI_VALUES = sorted((CHART / "ci").glob("*.yaml"))
KUBERNETES_VERSION = "1.31.0"
RELEASE, NAMESPACE = "okebot", "chatops"


def require(module: str) -> ModuleType:
    """Import a test tool from the dev extras; skip without it, but fail under CI."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        reason = f"{module} is not installed ({exc}); `make setup` installs it from pyproject's dev extras"
        if os.environ.get("CI", "").strip().casefold() not in ("", "0", "false", "no"):
            pytest.fail(f"CI must run the chart tests: {reason}")
        pytest.skip(reason)


def helm() -> ModuleType:
    return require("helm_python")


def load_values(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


@dataclass
class Rendered:
    """A rendered release: every manifest as a dict, plus each template's raw text."""

    files: dict[str, str]
    docs: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, text in self.files.items():
            if name.endswith("NOTES.txt"):
                continue
            self.docs.extend(doc for doc in yaml.safe_load_all(text) if doc)

    def all(self, kind: str) -> list[dict[str, Any]]:
        return [doc for doc in self.docs if doc["kind"] == kind]

    def one(self, kind: str) -> dict[str, Any]:
        found = self.all(kind)
        assert len(found) == 1, f"expected one {kind}, rendered {len(found)}: {[d['kind'] for d in self.docs]}"
        return found[0]

    def kinds(self) -> set[str]:
        return {doc["kind"] for doc in self.docs}

    @property
    def notes(self) -> str:
        return self.files[f"{CHART.name}/templates/NOTES.txt"]

    def text(self) -> str:
        return "\n".join(self.files.values())

    def deployment(self) -> dict[str, Any]:
        return self.one("Deployment")

    def pod(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.deployment()["spec"]["template"]["spec"]
        return spec

    def container(self) -> dict[str, Any]:
        (container,) = self.pod()["containers"]
        assert isinstance(container, dict)
        return container

    def env(self) -> dict[str, dict[str, Any]]:
        """The okebot container's env by name (each entry as rendered)."""
        return {item["name"]: item for item in self.container()["env"]}


def render(values: dict[str, Any] | None = None) -> Rendered:
    """Render the chart as `helm template okebot deploy/helm/okebot -n chatops` would (schema checked)."""
    with helm().Chart.load(CHART) as chart:
        return Rendered(chart.render(values or {}, name=RELEASE, namespace=NAMESPACE, is_install=True))


def render_error(values: dict[str, Any]) -> str:
    """The message Helm fails with for these values (the test fails if they render)."""
    lib = helm()
    with lib.Chart.load(CHART) as chart:
        try:
            chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
        except lib.HelmError as exc:
            return str(exc)
    raise AssertionError(f"the chart rendered with {values}, but should have refused them")
