"""OKE bearer tokens, made in-process the way `oci ce cluster generate-token` makes them (oci-cli's generate_token).

The token is a base64url presigned GET URL: the Container Engine `cluster_request` URL for the cluster,
carrying the OCI request signature's `authorization` and `date` headers as query parameters. The cluster's
API server verifies that signature with OCI, so the token is as good as the signer's identity and only for
the minutes OCI accepts the signature's date.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any, Protocol

from oci._vendor.requests import Request

from engine.errors import SourceError

DEFAULT_REALM_DOMAIN = "oraclecloud.com"
# The CLI's ExecCredential expires 4 minutes after signing so kubectl refreshes before the signature's date
# falls out of OCI's window; a cached token follows the same rule.
TOKEN_LIFETIME_SECONDS = 240.0
_SIGNED_HEADERS = ("authorization", "date")
_DELEGATION_HEADER = "opc-obo-token"


class RequestSigner(Protocol):
    """Any oci signer: `oci.signer.Signer`, instance or resource principals, delegation tokens."""

    def do_request_sign(self, request: Any, enforce_content_headers: bool = ...) -> Any: ...


def cluster_request_url(region: str, cluster_id: str, *, realm_domain: str = DEFAULT_REALM_DOMAIN) -> str:
    """The Container Engine URL whose signed GET is the cluster's bearer token."""
    return f"https://containerengine.{region}.{realm_domain}/cluster_request/{cluster_id}"


def generate_token(
    signer: RequestSigner, region: str, *, cluster_id: str, realm_domain: str = DEFAULT_REALM_DOMAIN
) -> str:
    """Sign the cluster_request URL and return it, with the signature as query parameters, base64url."""
    url = cluster_request_url(region, cluster_id, realm_domain=realm_domain)
    try:
        signed = signer.do_request_sign(Request("GET", url).prepare())
    except Exception as exc:
        raise SourceError(
            f"could not sign the OKE token request for cluster {cluster_id}: {exc}",
            remedy="check the OCI credentials okebot runs with (API key, instance or workload principal)",
        ) from exc
    headers = {str(name).lower(): str(value) for name, value in signed.headers.items()}
    missing = [name for name in _SIGNED_HEADERS if name not in headers]
    if missing:
        raise SourceError(f"the OCI signer did not set the {', '.join(missing)} header on the token request")
    params = {name: headers[name] for name in _SIGNED_HEADERS}
    if _DELEGATION_HEADER in headers:
        params[_DELEGATION_HEADER] = headers[_DELEGATION_HEADER]
    token_url: str = Request("GET", url, params=params).prepare().url
    return base64.urlsafe_b64encode(token_url.encode()).decode()


class OkeTokenSource:
    """A callable that hands out one cluster's token, signing a new one when the cached one nears expiry."""

    def __init__(
        self,
        signer: RequestSigner,
        region: str,
        *,
        cluster_id: str,
        realm_domain: str = DEFAULT_REALM_DOMAIN,
        lifetime: float = TOKEN_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._signer = signer
        self._region = region
        self._cluster_id = cluster_id
        self._realm_domain = realm_domain
        self._lifetime = lifetime
        self._clock = clock
        self._token: str | None = None
        self._signed_at = 0.0

    def __call__(self) -> str:
        """The cached token, or a freshly signed one when the cached one is older than its lifetime."""
        now = self._clock()
        if self._token is None or now - self._signed_at >= self._lifetime:
            self._token = generate_token(
                self._signer, self._region, cluster_id=self._cluster_id, realm_domain=self._realm_domain
            )
            self._signed_at = now
        return self._token
