"""Construct the read-only OCI clients: retries on every operation, timeouts, endpoint overrides, a breaker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.oci.auth import OciAuth, build_auth
from adapters.oci.settings import OciSettings, Service
from engine.errors import SourceError


@dataclass(frozen=True)
class OciClients:
    """The four SDK clients a tenancy read needs, and the tenancy OCID when the auth mode knows it."""

    container_engine: Any
    compute: Any
    network: Any
    identity: Any
    tenancy_id: str | None
    region: str | None

    def close(self) -> None:
        """Close each client's HTTP session (its pooled connections); blocking, so call it in a thread."""
        for client in (self.container_engine, self.compute, self.network, self.identity):
            client.base_client.session.close()


def retry_strategy(settings: OciSettings) -> Any:
    """Return the SDK's default retry strategy, or the same checks with the configured backoff."""
    import oci

    defaults = OciSettings.model_fields
    tuned = any(
        getattr(settings, name) != defaults[name].default
        for name in ("retry_max_attempts", "retry_total_seconds", "retry_base_seconds", "retry_max_wait_seconds")
    )
    if not tuned:
        # Several networking and compute operations do not retry unless the client is given a strategy.
        return oci.retry.DEFAULT_RETRY_STRATEGY
    return oci.retry.RetryStrategyBuilder(
        max_attempts_check=True,
        max_attempts=settings.retry_max_attempts,
        total_elapsed_time_check=True,
        total_elapsed_time_seconds=settings.retry_total_seconds,
        service_error_check=True,
        service_error_retry_config=oci.retry.retry_checkers.RETRYABLE_STATUSES_AND_CODES,
        service_error_retry_on_any_5xx=True,
        retry_base_sleep_time_seconds=settings.retry_base_seconds,
        retry_max_wait_between_calls_seconds=settings.retry_max_wait_seconds,
        decorrelated_jitter=settings.retry_base_seconds,
    ).get_retry_strategy()


def circuit_breaker(settings: OciSettings) -> Any:
    """Return the breaker that stops hammering a failing service; threshold 0 turns it off."""
    import oci

    if settings.breaker_failure_threshold == 0:
        return oci.circuit_breaker.NoCircuitBreakerStrategy()
    return oci.circuit_breaker.CircuitBreakerStrategy(
        failure_threshold=settings.breaker_failure_threshold,
        recovery_timeout=settings.breaker_recovery_seconds,
    )


def _widen_connection_pool(client: Any, size: int) -> None:
    """Let every worker thread keep its connection: requests' default pool holds only 10."""
    from oci._vendor.requests.adapters import HTTPAdapter
    from oci.base_client import OCIHTTPAdapter

    session = client.base_client.session
    session.mount("https://", OCIHTTPAdapter(pool_connections=4, pool_maxsize=size))
    session.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=size))


def _client(cls: Any, auth: OciAuth, settings: OciSettings, service: Service) -> Any:
    kwargs: dict[str, Any] = {
        "retry_strategy": retry_strategy(settings),
        "circuit_breaker_strategy": circuit_breaker(settings),
        "timeout": (settings.connect_timeout, settings.read_timeout),
    }
    if auth.signer is not None:
        kwargs["signer"] = auth.signer
    endpoint = settings.endpoint_for(service)
    if endpoint:
        kwargs["service_endpoint"] = endpoint.rstrip("/")
    client = cls(auth.config, **kwargs)
    _widen_connection_pool(client, settings.concurrency)
    return client


def build_clients(settings: OciSettings, *, auth: OciAuth | None = None) -> OciClients:
    """Build the clients for these settings; raises `SourceError` when the auth mode or its key is unusable."""
    import oci

    auth = auth or build_auth(settings)
    try:
        # The SDK loads and parses the private key here, when the signer is made from the config.
        return OciClients(
            container_engine=_client(oci.container_engine.ContainerEngineClient, auth, settings, "container_engine"),
            compute=_client(oci.core.ComputeClient, auth, settings, "compute"),
            network=_client(oci.core.VirtualNetworkClient, auth, settings, "network"),
            identity=_client(oci.identity.IdentityClient, auth, settings, "identity"),
            tenancy_id=auth.tenancy_id,
            region=auth.config.get("region"),
        )
    except (oci.exceptions.ClientError, ValueError, TypeError, OSError) as exc:
        raise _unusable(settings, exc) from exc


def _unusable(settings: OciSettings, exc: Exception) -> SourceError:
    if settings.auth == "config":
        where = f"OCI config {settings.config_file} profile {settings.profile}"
        remedy = (
            f"Fix key_file (and pass_phrase) of profile [{settings.profile}] in {settings.config_file}: "
            "it must name a readable PEM private key; or set OKEBOT_OCI_AUTH to a principal-based mode."
        )
    else:
        where = f"OCI {settings.auth} auth"
        remedy = "Run where that principal exists, or set OKEBOT_OCI_AUTH=config."
    return SourceError(f"{where}: {type(exc).__name__}: {exc}", code="InvalidConfig", remedy=remedy)
