"""Build the SDK's config dict and signer for each auth mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.oci.settings import OciSettings
from engine.errors import SourceError


@dataclass(frozen=True)
class OciAuth:
    """What every client constructor takes: a config dict, and a signer when not signing with the config's key."""

    config: dict[str, Any]
    signer: Any | None
    tenancy_id: str | None


def _from_config_file(settings: OciSettings) -> OciAuth:
    import oci

    try:
        config = oci.config.from_file(str(settings.config_file.expanduser()), settings.profile)
        if settings.region:
            config = {**config, "region": settings.region}
        oci.config.validate_config(config)
    except (oci.exceptions.ClientError, OSError, ValueError) as exc:
        raise SourceError(
            f"OCI config {settings.config_file} profile {settings.profile}: {type(exc).__name__}: {exc}",
            code="InvalidConfig",
            remedy="Fix the OCI config file, or set OKEBOT_OCI_AUTH to a principal-based mode.",
        ) from exc
    return OciAuth(config=config, signer=None, tenancy_id=config.get("tenancy"))


def _principal_signer(settings: OciSettings) -> Any:
    from oci.auth import signers

    if settings.auth == "instance_principal":
        return signers.InstancePrincipalsSecurityTokenSigner()
    if settings.auth == "resource_principal":
        return signers.get_resource_principals_signer()
    return signers.get_oke_workload_identity_resource_principal_signer()


def build_auth(settings: OciSettings) -> OciAuth:
    """Return the config and signer for the configured auth mode; raises `SourceError` when it cannot."""
    if settings.auth == "config":
        return _from_config_file(settings)
    try:
        signer = _principal_signer(settings)
    except Exception as exc:  # the signers raise many kinds; all mean "this principal is not available here"
        raise SourceError(
            f"OCI {settings.auth} auth is not available here: {type(exc).__name__}: {exc}",
            code="AuthUnavailable",
            remedy="Run where that principal exists, or set OKEBOT_OCI_AUTH=config.",
        ) from exc
    region = settings.region or getattr(signer, "region", None)
    tenancy = getattr(signer, "tenancy_id", None)
    return OciAuth(config={"region": region} if region else {}, signer=signer, tenancy_id=tenancy)
