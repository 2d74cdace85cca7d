"""Settings of the OCI adapter, read from OKEBOT_OCI_* environment variables (never at import time)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AuthMode = Literal["config", "instance_principal", "resource_principal", "oke_workload_identity"]
Service = Literal["container_engine", "compute", "network", "identity"]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class OciSettings(BaseSettings):
    """How to reach and read a tenancy.

    `endpoint` overrides every service's base URL (a fake server, a proxy); `endpoints` overrides one service,
    e.g. OKEBOT_OCI_ENDPOINTS='{"identity": "http://127.0.0.1:9000"}'.
    """

    model_config = SettingsConfigDict(env_prefix="OKEBOT_OCI_", extra="ignore", frozen=True)

    auth: AuthMode = "config"
    config_file: Path = Path("~/.oci/config")
    profile: str = "DEFAULT"
    region: str | None = None
    compartment_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("OKEBOT_OCI_COMPARTMENTS", "OKEBOT_OCI_COMPARTMENT_IDS", "compartment_ids"),
    )
    recursive: bool = False
    endpoint: str | None = None
    endpoints: dict[Service, str] = Field(default_factory=dict)
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    concurrency: int = Field(default=16, ge=1, le=256)
    cache_ttl: float = Field(default=60.0, ge=0)
    retry_max_attempts: int = Field(default=8, ge=1)
    retry_total_seconds: float = Field(default=600.0, gt=0)
    retry_base_seconds: float = Field(default=1.0, gt=0)
    retry_max_wait_seconds: float = Field(default=30.0, gt=0)
    breaker_failure_threshold: int = Field(default=10, ge=0)
    breaker_recovery_seconds: int = Field(default=30, ge=1)
    kube_enabled: bool = Field(
        default=False, validation_alias=AliasChoices("OKEBOT_KUBE_ENABLED", "kube_enabled")
    )
    kubeconfig: Path | None = Field(
        default=None, validation_alias=AliasChoices("OKEBOT_KUBECONFIG", "kubeconfig")
    )

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_a_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @field_validator("endpoints")
    @classmethod
    def _endpoints_are_urls(cls, value: dict[Service, str]) -> dict[Service, str]:
        return {service: _http_url(url) for service, url in value.items()}

    @field_validator("compartment_ids", mode="before")
    @classmethod
    def _compartments_from_csv(cls, value: object) -> object:
        return _split_csv(value)

    def endpoint_for(self, service: Service) -> str | None:
        """Return the base URL override for one service, if any."""
        return self.endpoints.get(service) or self.endpoint

    @property
    def reads_kubernetes(self) -> bool:
        """Whether the CNI objects of VCN-native clusters should be read from Kubernetes."""
        return self.kube_enabled or self.kubeconfig is not None


def _http_url(value: str) -> str:
    """An endpoint override as the SDK takes it: an http(s) URL with a host (ValueError otherwise)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL, such as https://containerengine.us-ashburn-1.oraclecloud.com")
    return value.strip()
