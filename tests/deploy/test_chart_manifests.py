"""The chart lints clean and every manifest it renders, in every CI values file, is valid Kubernetes 1.31."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.chart import CHART, CI_VALUES, KUBERNETES_VERSION, ROOT, helm, load_values, render, require

# Custom resources: the Kubernetes OpenAPI schemas do not describe them, so they are checked by the assertions
# in test_chart_objects.py (port, path) and by the Prometheus Operator on install, not here.
CUSTOM_RESOURCES = {("monitoring.coreos.com/v1", "ServiceMonitor")}


def test_the_ci_values_files_cover_socket_mode_http_mode_and_several_replicas_on_postgres():
    names = {path.name for path in CI_VALUES}
    assert names == {"default-values.yaml", "http-ingress-values.yaml", "ha-postgres-values.yaml"}


@pytest.mark.parametrize("values_file", [None, *CI_VALUES], ids=lambda p: p.name if p else "chart-defaults")
def test_helm_lint_passes_in_strict_mode_against_kubernetes_1_31(values_file: Path | None):
    values = load_values(values_file) if values_file else {}
    report = helm().lint(CHART, values, strict=True, kube_version=f"v{KUBERNETES_VERSION}")
    problems = [m for m in report["messages"] if m["severity"] >= 2]  # 2 warning, 3 error
    assert not report["errors"], report
    assert not problems, report


@pytest.mark.parametrize("values_file", CI_VALUES, ids=lambda p: p.name)
def test_every_rendered_manifest_is_valid_against_the_kubernetes_1_31_schema(values_file: Path):
    validator = require("kubernetes_validate")
    rendered = render(load_values(values_file))
    checked = 0
    for doc in rendered.docs:
        if (doc["apiVersion"], doc["kind"]) in CUSTOM_RESOURCES:
            continue
        try:
            validator.validate(doc, KUBERNETES_VERSION, strict=True)
        except validator.ValidationError as exc:
            pytest.fail(f"{values_file.name}: {doc['kind']} {doc['metadata']['name']}: {exc.message} at "
                        f"{'/'.join(str(p) for p in exc.absolute_path)}")
        checked += 1
    assert checked >= 3   # at least the Deployment, its ConfigMap and its ServiceAccount


def test_the_schema_validator_rejects_a_broken_deployment_so_the_check_above_can_fail():
    validator = require("kubernetes_validate")
    deployment: dict[str, Any] = copy.deepcopy(render().deployment())
    deployment["spec"]["replicas"] = "three"
    with pytest.raises(validator.ValidationError):
        validator.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment["spec"]["replicas"] = 1
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFs"] = True
    with pytest.raises(validator.ValidationError):   # strict: a misspelt field is an error, not ignored
        validator.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_the_ha_values_render_every_optional_object():
    rendered = render(load_values(CHART / "ci" / "ha-postgres-values.yaml"))
    assert rendered.kinds() == {"ServiceAccount", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget",
                                "ServiceMonitor", "NetworkPolicy", "Job"}


def test_the_chart_app_version_is_okebot_version_in_pyproject():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert chart["apiVersion"] == "v2"
    assert chart["appVersion"] == project["version"]


def test_the_default_image_tag_is_the_app_version():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert render().container()["image"] == f"okebot:{chart['appVersion']}"
    assert render({"image": {"tag": "1.2.3"}}).container()["image"] == "okebot:1.2.3"
