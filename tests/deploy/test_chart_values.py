"""values.schema.json refuses values that cannot work, and the chart's README documents every value."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.deploy.chart import CHART, CI_VALUES, helm, load_values, render, render_error

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


# ---- values that become okebot's settings and okebot.yaml: refused by Helm as okebot would refuse them ----

# Chart value -> the SlackSettings field it becomes (bot/slack/settings.py), whose bounds the schema repeats.
SETTING_BOUNDS = {"drainSeconds": "okebot_drain_seconds", "answerConcurrency": "okebot_answer_concurrency"}


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    return schema


def _bounds(field: Any) -> tuple[float | None, float | None]:
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    return low, high


@pytest.mark.parametrize("value", sorted(SETTING_BOUNDS))
def test_every_value_that_becomes_a_bounded_okebot_setting_has_okebots_bounds_in_the_schema(value):
    from bot.slack.settings import SlackSettings

    low, high = _bounds(SlackSettings.model_fields[SETTING_BOUNDS[value]])
    described = _schema()["properties"][value]
    assert (described["minimum"], described["maximum"]) == (low, high)


def test_a_drain_longer_than_okebot_allows_is_refused_by_helm_even_with_a_longer_grace_period():
    message = render_error({"drainSeconds": 5000, "terminationGracePeriodSeconds": 6000})
    assert "at '/drainSeconds': maximum: got 5,000, want 3,600" in message


def test_a_digest_with_a_key_okebot_does_not_know_is_refused_by_helm_and_named():
    message = render_error({"config": {"digests": [
        {"name": "x", "channel": "C0CAPACITY", "schedule": "every 6h", "foo": 1}]}})
    assert "at '/config/digests/0': additional properties 'foo' not allowed" in message


def test_a_digest_key_in_snake_case_is_refused_as_okebot_refuses_it():
    message = render_error({"config": {"digests": [
        {"name": "x", "channel": "C0CAPACITY", "schedule": "every 6h", "forecast_days": 7}]}})
    assert "additional properties 'forecast_days' not allowed" in message


@pytest.mark.parametrize(("config", "where"), [
    ({"access": None}, "at '/config': missing property 'access'"),
    ({"access": {"owners": {"U0123ABCDE": "admin"}}}, "at '/config/access': additional properties 'owners'"),
    ({"access": {"users": {"U0123ABCDE": "root"}}}, "at '/config/access/users/U0123ABCDE'"),
    ({"access": {"default_role": "guest"}}, "at '/config/access/default_role'"),
    ({"access": {"channels": {"C0PAYMENTS": {"cluster": "payments"}}}}, "additional properties 'cluster'"),
    ({"access": {"channels": {"C0PAYMENTS": {}}}}, "missing property 'clusters'"),
    ({"digests": [{"name": "x", "schedule": "every 6h"}]}, "at '/config/digests/0': missing property 'channel'"),
    ({"digests": [{"name": "x", "channel": "general", "schedule": "every 6h"}]}, "/config/digests/0/channel"),
    ({"digests": [{"name": "Daily", "channel": "C0CAPACITY", "schedule": "every 6h"}]}, "/config/digests/0/name"),
    ({"digests": [{"name": "x", "channel": "C0CAPACITY", "schedule": "every 6h", "mode": "sometimes"}]},
     "/config/digests/0/mode"),
    ({"digests": [{"name": "x", "channel": "C0CAPACITY", "schedule": "every 6h",
                   "thresholds": {"warning": 0}}]}, "/config/digests/0/thresholds/warning"),
])
def test_an_okebot_yaml_okebot_would_refuse_at_start_up_is_refused_by_helm_with_its_key(config, where):
    assert where in render_error({"config": config})


def test_the_whole_config_null_is_refused_rather_than_rendered_as_an_empty_okebot_yaml():
    assert "missing property 'config'" in render_error({"config": None})


def test_what_the_schema_accepts_of_okebot_yaml_okebot_accepts_too():
    from adapters.okebot_yaml import read_config_text

    config = {
        "access": {"default_role": "none", "unbound_channels": "all", "users": {"U0123ABCDE": "admin"},
                   "groups": {"@oncall": "operator"},
                   "channels": {"C0PAYMENTS": {"clusters": ["payments-native"], "default_cluster": "payments-native"},
                                "C0PLATFORM": {"compartments": ["ocid1.compartment.oc1..aaaa"]}}},
        "digests": [{"name": "capacity-daily", "channel": "C0CAPACITY", "schedule": "0 9 * * 1-5",
                     "timezone": "Europe/Berlin", "clusters": ["payments-native"], "compartments": [],
                     "thresholds": {"warning": 70, "error": 90.5}, "forecastDays": 14, "mode": "on-change",
                     "chart": False}],
    }
    found = read_config_text(render({"config": config}).one("ConfigMap")["data"]["okebot.yaml"])
    assert (found.problems, found.warnings) == ((), ())
    assert [digest.name for digest in found.digests] == ["capacity-daily"]


def test_the_schema_names_the_keys_of_okebot_yaml_that_okebot_reads_and_no_other():
    from adapters.access_config import _Access, _Channel
    from adapters.digest_config import _Digest, _Thresholds
    from engine.digest.definition import NAME_PATTERN

    config = _schema()["properties"]["config"]["properties"]
    access, digest = config["access"], config["digests"]["items"]
    assert set(access["properties"]) == set(_Access.model_fields)
    assert set(access["properties"]["channels"]["additionalProperties"]["properties"]) == set(_Channel.model_fields)
    assert set(digest["properties"]) == {field.alias for field in _Digest.model_fields.values()}
    assert set(digest["properties"]["thresholds"]["properties"]) == set(_Thresholds.model_fields)
    assert digest["properties"]["name"]["pattern"] == NAME_PATTERN
    for section in (access, access["properties"]["channels"]["additionalProperties"], digest,
                    digest["properties"]["thresholds"]):
        assert section["additionalProperties"] is False
