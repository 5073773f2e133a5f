"""Build the Telemetry the settings ask for, importing exporter libraries only then.

`import transcriber.adapters.telemetry` must stay cheap (the Functions worker imports the app on every
cold start; azure-monitor-opentelemetry alone costs ~0.7 s), so backends load here.
A telemetry misconfiguration never stops the app: it is logged and telemetry is off.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from transcriber.adapters.telemetry.base import (
    DEFAULT_FLUSH_TIMEOUT_S,
    DEFAULT_SHUTDOWN_TIMEOUT_S,
    NullTelemetry,
    Telemetry,
)

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

logger = logging.getLogger(__name__)

__all__ = ["BACKENDS", "create_telemetry"]

BACKENDS = ("opencensus", "opentelemetry")
DEFAULT_EXPORT_INTERVAL_S = 15.0
DEFAULT_NETWORK_TIMEOUT_S = 5.0


def _normalize(connection_string: str) -> str:
    """Drop empty `;` segments and spaces, which opencensus' parser rejects."""
    return ";".join(part.strip() for part in connection_string.split(";") if part.strip())


def create_telemetry(
    connection_string: str | None,
    backend: str = "opencensus",
    credential: TokenCredential | None = None,
    service_name: str = "transcriber",
    *,
    flush_timeout_s: float = DEFAULT_FLUSH_TIMEOUT_S,
    shutdown_timeout_s: float = DEFAULT_SHUTDOWN_TIMEOUT_S,
    export_interval_s: float = DEFAULT_EXPORT_INTERVAL_S,
    network_timeout_s: float = DEFAULT_NETWORK_TIMEOUT_S,
    local_storage: bool = True,
) -> Telemetry:
    """Telemetry for APPLICATIONINSIGHTS_CONNECTION_STRING; a no-op one when it is empty.

    `credential` turns on Entra ID (bearer token, audience https://monitor.azure.com) for
    ingestion. `flush_timeout_s` bounds the wait at the end of each invocation and
    `shutdown_timeout_s` the one at worker exit; `export_interval_s` is the background
    export period between those flushes. `local_storage` lets the exporter keep failed
    batches on disk and retry them (tests turn it off).
    """
    backend = (backend or "opencensus").strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"telemetry backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if not connection_string or not connection_string.strip():
        return NullTelemetry(flush_timeout_s=flush_timeout_s, shutdown_timeout_s=shutdown_timeout_s)
    options = {
        "export_interval_s": export_interval_s,
        "network_timeout_s": network_timeout_s,
        "local_storage": local_storage,
        "flush_timeout_s": flush_timeout_s,
        "shutdown_timeout_s": shutdown_timeout_s,
    }
    try:
        if backend == "opencensus":
            from transcriber.adapters.telemetry.opencensus_backend import OpenCensusTelemetry

            return OpenCensusTelemetry(_normalize(connection_string), credential, service_name, **options)
        from transcriber.adapters.telemetry.opentelemetry_backend import OpenTelemetryTelemetry

        return OpenTelemetryTelemetry(_normalize(connection_string), credential, service_name, **options)
    except (ValueError, TypeError) as exc:
        # Not the connection string itself in the log: it names the resource.
        logger.error("telemetry is off: the %s exporter rejected its configuration (%s)", backend, exc)
        return NullTelemetry(flush_timeout_s=flush_timeout_s, shutdown_timeout_s=shutdown_timeout_s)
