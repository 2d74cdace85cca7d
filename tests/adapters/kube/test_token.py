from __future__ import annotations

import base64
import email.utils
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import oci
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from adapters.kube.token import OkeTokenSource, cluster_request_url, generate_token
from engine.errors import SourceError

CLUSTER = "ocid1.cluster.oc1.iad.aaaaaaaa7example"
KEY_ID = "ocid1.tenancy.oc1..aaaatenancy/ocid1.user.oc1..aaaauser/12:34:56:78:9a:bc:de:f0"


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def signer(private_key: rsa.RSAPrivateKey) -> oci.signer.Signer:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    tenancy, user, fingerprint = KEY_ID.split("/")
    return oci.signer.Signer(tenancy, user, fingerprint, None, private_key_content=pem)


class CountingSigner:
    """Wraps a real signer, counting signatures and optionally adding a delegation token header."""

    def __init__(self, inner: oci.signer.Signer, *, obo_token: str | None = None) -> None:
        self.inner = inner
        self.obo_token = obo_token
        self.signed = 0

    def do_request_sign(self, request: Any, enforce_content_headers: bool = True) -> Any:
        self.signed += 1
        if self.obo_token:
            request.headers["opc-obo-token"] = self.obo_token
        return self.inner.do_request_sign(request, enforce_content_headers)


class BrokenSigner:
    def do_request_sign(self, request: Any, enforce_content_headers: bool = True) -> Any:
        raise ValueError("key file unreadable")


def decode(token: str) -> tuple[Any, dict[str, list[str]]]:
    url = base64.urlsafe_b64decode(token.encode()).decode()
    parts = urlsplit(url)
    return parts, parse_qs(parts.query, strict_parsing=True)


def authorization_fields(value: str) -> dict[str, str]:
    assert value.startswith("Signature ")
    return dict(re.findall(r'(\w+)="([^"]*)"', value))


def test_token_is_base64url_of_the_cluster_request_url(signer):
    token = generate_token(signer, "us-ashburn-1", cluster_id=CLUSTER)

    parts, params = decode(token)
    assert re.fullmatch(r"[A-Za-z0-9_=-]+", token)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https", "containerengine.us-ashburn-1.oraclecloud.com", f"/cluster_request/{CLUSTER}"
    )
    assert sorted(params) == ["authorization", "date"]
    assert all(len(values) == 1 for values in params.values())


def test_token_date_is_an_http_date_and_the_signature_names_the_key_and_headers(signer):
    _, params = decode(generate_token(signer, "us-ashburn-1", cluster_id=CLUSTER))

    assert email.utils.parsedate_to_datetime(params["date"][0]).tzname() == "UTC"
    fields = authorization_fields(params["authorization"][0])
    assert fields["version"] == "1"
    assert fields["keyId"] == KEY_ID
    assert fields["algorithm"] == "rsa-sha256"
    assert fields["headers"] == "date (request-target) host"


def test_token_signature_verifies_with_the_signers_public_key(signer, private_key):
    parts, params = decode(generate_token(signer, "us-ashburn-1", cluster_id=CLUSTER))
    fields = authorization_fields(params["authorization"][0])
    signing_string = (
        f"date: {params['date'][0]}\n(request-target): get {parts.path}\nhost: {parts.netloc}"
    ).encode()

    private_key.public_key().verify(
        base64.b64decode(fields["signature"]), signing_string, padding.PKCS1v15(), hashes.SHA256()
    )


def test_other_realms_get_their_own_domain(signer):
    token = generate_token(signer, "eu-frankfurt-2", cluster_id=CLUSTER, realm_domain="oraclecloud.eu")
    parts, _ = decode(token)

    assert parts.netloc == "containerengine.eu-frankfurt-2.oraclecloud.eu"
    assert cluster_request_url("r", "c", realm_domain="d.example") == "https://containerengine.r.d.example/cluster_request/c"


def test_a_delegation_token_travels_as_the_opc_obo_token_parameter(signer):
    delegating = CountingSigner(signer, obo_token="obo-token-value/with+chars")

    _, params = decode(generate_token(delegating, "us-ashburn-1", cluster_id=CLUSTER))

    assert sorted(params) == ["authorization", "date", "opc-obo-token"]
    assert params["opc-obo-token"] == ["obo-token-value/with+chars"]


def test_a_signer_that_fails_becomes_a_source_error_naming_the_cluster():
    with pytest.raises(SourceError, match=CLUSTER) as caught:
        generate_token(BrokenSigner(), "us-ashburn-1", cluster_id=CLUSTER)

    assert "key file unreadable" in caught.value.message
    assert caught.value.remedy


def test_token_source_reuses_a_token_until_its_lifetime_ends(signer):
    counting = CountingSigner(signer)
    now = [1000.0]
    source = OkeTokenSource(counting, "us-ashburn-1", cluster_id=CLUSTER, lifetime=240, clock=lambda: now[0])

    first = source()
    now[0] += 239
    assert source() == first
    assert counting.signed == 1
    now[0] += 1
    decode(source())
    assert counting.signed == 2
