"""Settings come from OKEBOT_OCI_*; SDK errors become SourceError with OCI's request id."""

from __future__ import annotations

from pathlib import Path

import oci
import pytest
from pydantic import ValidationError

from adapters.oci.auth import build_auth
from adapters.oci.clients import build_clients, retry_strategy
from adapters.oci.errors import translate
from adapters.oci.settings import OciSettings
from engine.errors import SourceError


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKEBOT_OCI_COMPARTMENTS", "ocid1.compartment.oc1..a, ocid1.compartment.oc1..b")
    monkeypatch.setenv("OKEBOT_OCI_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("OKEBOT_OCI_ENDPOINTS", '{"identity": "http://127.0.0.1:10"}')
    monkeypatch.setenv("OKEBOT_OCI_RECURSIVE", "true")
    monkeypatch.setenv("OKEBOT_KUBE_ENABLED", "1")
    settings = OciSettings()
    assert settings.compartment_ids == ["ocid1.compartment.oc1..a", "ocid1.compartment.oc1..b"]
    assert settings.endpoint_for("identity") == "http://127.0.0.1:10"
    assert settings.endpoint_for("network") == "http://127.0.0.1:9"
    assert settings.recursive
    assert settings.reads_kubernetes


@pytest.mark.parametrize(("name", "value"), [("OKEBOT_OCI_AUTH", "password"), ("OKEBOT_OCI_CONCURRENCY", "0")])
def test_a_bad_setting_names_the_field(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.removeprefix("OKEBOT_OCI_").lower()):
        OciSettings()


def test_a_service_error_keeps_status_code_and_request_id() -> None:
    error = oci.exceptions.ServiceError(
        403, "NotAuthorizedOrNotFound", {"opc-request-id": "req-1"}, "not allowed", operation_name="get_cluster"
    )
    translated = translate(error, operation="get_cluster")
    assert (translated.status, translated.code, translated.request_id) == (403, "NotAuthorizedOrNotFound", "req-1")
    assert translated.remedy
    assert "iam-policy" in translated.remedy


def test_a_missing_config_file_is_a_source_error_naming_it(tmp_path: Path) -> None:
    settings = OciSettings(config_file=tmp_path / "nope")
    with pytest.raises(SourceError, match="nope"):
        build_auth(settings)


def test_default_backoff_uses_the_sdk_default_retry_strategy() -> None:
    assert retry_strategy(OciSettings()) is oci.retry.DEFAULT_RETRY_STRATEGY


def test_every_client_retries_and_points_at_the_endpoint(oci_config_file: Path) -> None:
    clients = build_clients(OciSettings(config_file=oci_config_file, endpoint="http://127.0.0.1:9", read_timeout=7))
    for client in (clients.container_engine, clients.compute, clients.network, clients.identity):
        assert client.retry_strategy is oci.retry.DEFAULT_RETRY_STRATEGY
        assert client.base_client.endpoint.startswith("http://127.0.0.1:9/")
        assert client.base_client.timeout[1] == 7
    assert clients.tenancy_id == "ocid1.tenancy.oc1..aaaatest"
