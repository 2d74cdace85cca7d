"""A config file whose private key cannot be used is a SourceError naming the file and profile, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.oci.clients import build_clients
from adapters.oci.settings import OciSettings
from bot.cli.main import main
from engine.errors import SourceError


def config_with_key(folder: Path, key_text: str) -> Path:
    key = folder / "key.pem"
    key.write_text(key_text)
    config = folder / "config"
    config.write_text(
        "[ops]\nuser=ocid1.user.oc1..u\nfingerprint=11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff\n"
        f"tenancy=ocid1.tenancy.oc1..t\nregion=us-ashburn-1\nkey_file={key}\n"
    )
    return config


GARBAGE_KEYS = ["not a key at all\n", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"]


@pytest.mark.parametrize("key_text", GARBAGE_KEYS)
def test_a_garbage_key_file_is_an_invalid_config_source_error_naming_file_and_profile(
    tmp_path: Path, key_text: str
) -> None:
    config = config_with_key(tmp_path, key_text)
    with pytest.raises(SourceError) as caught:
        build_clients(OciSettings(config_file=config, profile="ops", endpoint="http://127.0.0.1:9"))
    assert caught.value.code == "InvalidConfig"
    assert str(config) in caught.value.message
    assert "ops" in caught.value.message
    assert "key_file" in (caught.value.remedy or "")


def test_capacity_from_oci_with_a_garbage_key_exits_3_not_as_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_with_key(tmp_path, "not a key at all\n")
    monkeypatch.setenv("OKEBOT_OCI_CONFIG_FILE", str(config))
    monkeypatch.setenv("OKEBOT_OCI_PROFILE", "ops")
    monkeypatch.setenv("OKEBOT_OCI_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("OKEBOT_OCI_COMPARTMENTS", "ocid1.compartment.oc1..c")
    code = main(["capacity", "--source", "oci"])
    printed = capsys.readouterr()
    assert code == 3
    assert "internal error" not in printed.err + printed.out
    assert str(config) in printed.err + printed.out
