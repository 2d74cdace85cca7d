"""Translate what the OCI SDK raises into `SourceError`, once, at the adapter boundary."""

from __future__ import annotations

from typing import Any

from engine.errors import SourceError

_REMEDIES = {
    401: "Check the OCI credentials (config file, key, or the instance/workload principal).",
    403: "Grant the read-only policy in deploy/iam-policy.txt to the principal okebot runs as.",
    404: "The object is gone, or the principal may not see it (OCI answers 404 for both).",
    429: "OCI throttled the reads; try again later or lower OKEBOT_OCI_CONCURRENCY.",
}


def _service_error(exc: Any, operation: str) -> SourceError:
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(code or "service error")
    request_id = getattr(exc, "request_id", None)
    if request_id is None:
        headers = getattr(exc, "headers", None) or {}
        request_id = headers.get("opc-request-id")
    return SourceError(
        f"{operation}: {status} {code}: {message}",
        status=status if isinstance(status, int) else None,
        code=code,
        request_id=request_id,
        remedy=_REMEDIES.get(status) if isinstance(status, int) else None,
    )


def translate(exc: BaseException, *, operation: str) -> SourceError:
    """Turn an exception raised by an SDK call into a `SourceError` naming the operation."""
    import oci  # imported lazily: adapters do no set-up at import time

    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, oci.exceptions.ServiceError):
        return _service_error(exc, operation)
    if type(exc).__name__ == "CircuitBreakerError":  # raised by the SDK's circuitbreaker dependency
        return SourceError(
            f"{operation}: OCI kept failing, so the client stopped calling it for a while ({exc})",
            code="CircuitBreakerOpen",
            remedy="Wait for OCI to recover, then ask again.",
        )
    if isinstance(exc, oci.exceptions.RequestException | TimeoutError | ConnectionError | OSError):
        return SourceError(
            f"{operation}: could not reach OCI: {type(exc).__name__}: {exc}",
            code=type(exc).__name__,
            remedy="Check the network path to OCI and the endpoint setting.",
        )
    if isinstance(exc, ValueError | TypeError | KeyError):
        # The SDK raises these when a response body does not parse as the model it expects.
        return SourceError(
            f"{operation}: OCI returned a response that could not be read: {type(exc).__name__}: {exc}",
            code="MalformedResponse",
        )
    return SourceError(f"{operation}: {type(exc).__name__}: {exc}", code=type(exc).__name__)


def error_entry(error: SourceError, *, kind: str, object_id: str | None) -> dict[str, Any]:
    """Return the snapshot's `errors` entry for something that could not be read."""
    return {
        "kind": kind,
        "id": object_id,
        "status": error.status,
        "code": error.code,
        "message": error.message,
        "opcRequestId": error.request_id,
    }
