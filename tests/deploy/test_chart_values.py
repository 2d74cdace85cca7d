"""values.schema.json refuses values that cannot work, and the chart's README documents every value."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.deploy.chart import CHART, CI_VALUES, helm, load_values

# Objects passed through whole (Kubernetes types, okebot.yaml): the README documents them as one row.
OPAQUE = {"config", "resources", "podSecurityContext", "securityContext", "configCheck.resources", "startupProbe",
          "livenessProbe", "readinessProbe"}


def validate(values: dict[str, Any]) -> None:
    lib = helm()
    with lib.Chart.load(CHART) as chart:
        chart.validate_schema(values)


def schema_error(values: dict[str, Any]) -> str:
    lib = helm()
    try:
        validate(values)
    except lib.HelmValuesError as exc:
        return str(exc)
    raise AssertionError(f"values.schema.json accepted {values}")


def test_the_schema_is_draft_07_and_closed_at_the_top():
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("values_file", [None, *CI_VALUES], ids=lambda p: p.name if p else "chart-defaults")
def test_the_defaults_and_every_ci_values_file_pass_the_schema(values_file):
    validate(load_values(values_file) if values_file else {})


@pytest.mark.parametrize(("values", "where"), [
    ({"replicaCount": 0}, "/replicaCount"),
    ({"replicaCount": "3"}, "/replicaCount"),
    ({"replicaCount": 1.5}, "/replicaCount"),
    ({"mode": "websocket"}, "/mode"),
    ({"logFormat": "xml"}, "/logFormat"),
    ({"oci": {"auth": "api_key"}}, "/oci/auth"),
    ({"oci": {"compartments": ["payments"]}}, "/oci/compartments/0"),
    ({"replicas": 3}, "replicas"),
    ({"drainSeconds": -1}, "/drainSeconds"),
    ({"terminationGracePeriodSeconds": "30s"}, "/terminationGracePeriodSeconds"),
    ({"store": {"url": "mysql://db/okebot"}}, "/store/url"),
    ({"store": {"type": "redis"}}, "/store/type"),
    ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
    ({"slack": {"existingSecret": ""}}, "/slack/existingSecret"),
    ({"slack": {"botToken": "xoxb-not-here"}}, "botToken"),
    ({"ports": {"health": 70000}}, "/ports/health"),
    ({"source": "live"}, "/source"),
    ({"kube": {"enabled": "yes"}}, "/kube/enabled"),
    ({"metrics": {"serviceMonitor": {"interval": "often"}}}, "/metrics/serviceMonitor/interval"),
    ({"config": {"digest": [{"name": "daily"}]}}, "at '/config': additional properties 'digest' not allowed"),
    ({"config": {"foo": 1}}, "at '/config': additional properties 'foo' not allowed"),
    ({"config": {"digests": {"name": "daily"}}}, "/config/digests"),
    ({"answerConcurrency": 0}, "/answerConcurrency"),
])
def test_the_schema_refuses_values_that_cannot_work_and_names_the_key(values, where):
    assert where in schema_error(values)


def _leaf_keys(values: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and path not in OPAQUE:
            keys |= _leaf_keys(value, f"{path}.")
        else:
            keys.add(path)
    return keys


def test_the_readme_values_table_lists_every_value_and_no_value_that_does_not_exist():
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    readme = (CHART / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Values\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Za-z0-9_.]+)` \|", table, flags=re.MULTILINE))
    expected = _leaf_keys(values)
    assert not expected - documented, f"values missing from README.md: {sorted(expected - documented)}"
    assert not documented - expected, f"README.md documents values that do not exist: {sorted(documented - expected)}"


def test_every_top_level_value_is_described_by_the_schema():
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    assert set(values) <= set(schema["properties"])
