"""Fixtures: an OCI config file with a throwaway key, settings aimed at a fake OCI server."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.oci.settings import OciSettings

TENANCY = "ocid1.tenancy.oc1..aaaatest"


@pytest.fixture(scope="session")
def oci_config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real OCI config file and key, so the real SDK signs every request it sends to the fake."""
    folder = tmp_path_factory.mktemp("oci")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    config = folder / "config"
    config.write_text(
        "[DEFAULT]\n"
        "user=ocid1.user.oc1..aaaatest\n"
        "fingerprint=11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff\n"
        f"tenancy={TENANCY}\n"
        "region=us-ashburn-1\n"
        f"key_file={key_file}\n"
    )
    return config


def make_settings(config_file: Path, url: str, **overrides: object) -> OciSettings:
    """Settings for a fast test read against the fake server at `url`."""
    values: dict[str, object] = {
        "config_file": config_file,
        "endpoint": url,
        "compartment_ids": ["ocid1.compartment.oc1..gen0"],
        "retry_max_attempts": 4,
        "retry_base_seconds": 0.01,
        "retry_max_wait_seconds": 0.05,
        "retry_total_seconds": 20.0,
        "read_timeout": 5.0,
        "connect_timeout": 2.0,
        "concurrency": 8,
        "breaker_failure_threshold": 0,
    }
    values.update(overrides)
    return OciSettings(**values)  # type: ignore[arg-type]
