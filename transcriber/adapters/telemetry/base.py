"""The Telemetry API the flows call, independent of the exporter library behind it.

Never raises into its caller nor blocks it past its timeouts; the caller's own exceptions propagate.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextvars import Token

from transcriber.adapters.telemetry.correlation import (
    Correlation,
    activate,
    current_correlation,
    deactivate,
    new_correlation,
)
from transcriber.adapters.telemetry.dependency import Dependency, DependencyRecord
from transcriber.adapters.telemetry.events import DIM_INVOCATION_ID, MetricPoint, TranscriptionEvent, scrub
from transcriber.adapters.telemetry.runner import BoundedRunner

logger = logging.getLogger(__name__)

__all__ = ["Invocation", "NullTelemetry", "Telemetry"]

DEFAULT_FLUSH_TIMEOUT_S = 2.0
DEFAULT_SHUTDOWN_TIMEOUT_S = 5.0
# An invocation's flush starts at most this long after it ends; invocations meanwhile join it.
FLUSH_DELAY_S = 1.0


class Invocation:
    """Correlates everything inside it and schedules a flush on exit; use `with` or `async with`.

    Neither form waits for the export: it runs on the telemetry's own thread within FLUSH_DELAY_S,
    shared by every invocation ending meanwhile, so an invocation ends as soon as its work does,
    no thread of the event loop's pool is taken, and a busy worker sends one batch a second.
    `shutdown` (at exit) delivers whatever is still pending, within its bound.
    """

    def __init__(self, telemetry: Telemetry, correlation: Correlation) -> None:
        self._telemetry = telemetry
        self.correlation = correlation
        self._token: Token[Correlation | None] | None = None

    def __enter__(self) -> Invocation:
        self._token = activate(self.correlation)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._reset()
        self._telemetry.flush_soon()

    async def __aenter__(self) -> Invocation:
        return self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.__exit__(*exc_info)

    def _reset(self) -> None:
        if self._token is not None:
            deactivate(self._token)
            self._token = None


class Telemetry(ABC):
    """Application Insights telemetry for transcriptions; backends subclass the `_` hooks."""

    enabled = True

    def __init__(
        self,
        *,
        flush_timeout_s: float = DEFAULT_FLUSH_TIMEOUT_S,
        shutdown_timeout_s: float = DEFAULT_SHUTDOWN_TIMEOUT_S,
    ) -> None:
        self.flush_timeout_s = flush_timeout_s
        self.shutdown_timeout_s = shutdown_timeout_s
        self._runner = BoundedRunner(type(self).__name__)
        self._closed = False
        self._close_lock = threading.Lock()

    # -- API ------------------------------------------------------------------------------
    def invocation(
        self, name: str, traceparent: str | None = None, invocation_id: str | None = None
    ) -> Invocation:
        """Scope one Function invocation: correlate with the host's request, flush at the end."""
        return Invocation(self, new_correlation(name, traceparent, invocation_id))

    def dependency(self, type: str, target: str, name: str) -> Dependency:
        """Time one Speech or Storage call; exceptions propagate and mark it failed."""
        return Dependency(self._track_dependency, type, target, name)

    def track_transcription(self, event: TranscriptionEvent) -> None:
        """Send the transcription's custom event and its metrics; never raises."""
        if self._closed:
            return
        try:
            correlation = current_correlation() or new_correlation(event.name, None, None)
            dimensions = event.dimensions()
            if correlation.invocation_id:
                dimensions[DIM_INVOCATION_ID] = correlation.invocation_id
            self._send_event(event.name, correlation, dimensions, event.measurements())
            for point in event.metric_points():
                self._send_metric(point)
        except Exception as error:
            logger.warning("could not record %s: %s: %s", event.name, type(error).__name__, scrub(str(error)))

    def track_metric(self, name: str, value: float, dimensions: Mapping[str, str]) -> None:
        """One point of a custom metric (a name from METRIC_KINDS, no personal data); never raises."""
        if self._closed:
            return
        try:
            self._send_metric(MetricPoint(name, value, dimensions))
        except Exception as error:
            logger.warning("could not record %s: %s: %s", name, type(error).__name__, scrub(str(error)))

    def flush(self, timeout_s: float | None = None) -> bool:
        """Deliver everything recorded so far; True if done within the timeout. Never raises."""
        if self._closed:
            return True
        return self._runner.run(
            "flush", self._flush_exporters, self._timeout(timeout_s, self.flush_timeout_s)
        )

    def flush_soon(self) -> None:
        """Deliver everything recorded so far within FLUSH_DELAY_S, without waiting. Never raises."""
        if not self._closed:
            self._runner.submit("flush", self._flush_exporters, delay_s=FLUSH_DELAY_S)

    def shutdown(self, timeout_s: float | None = None) -> None:
        """Deliver what is left and stop the exporters (worker exit); idempotent, bounded."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        timeout = self._timeout(timeout_s, self.shutdown_timeout_s)
        self._runner.run("shutdown", self._close_exporters, timeout, wait_if_overdue=True)
        self._runner.close()

    # -- backend hooks ----------------------------------------------------------------------
    def _track_dependency(self, record: DependencyRecord) -> None:
        if not self._closed:
            self._send_dependency(record)

    @abstractmethod
    def _send_event(
        self, name: str, correlation: Correlation, dimensions: dict[str, str], measurements: dict[str, float]
    ) -> None:
        """Send one item to the exporter (backend hook)."""

    @abstractmethod
    def _send_dependency(self, record: DependencyRecord) -> None:
        """Send one item to the exporter (backend hook)."""

    @abstractmethod
    def _send_metric(self, point: MetricPoint) -> None:
        """Send one item to the exporter (backend hook)."""

    @abstractmethod
    def _flush_exporters(self) -> None:
        """Blocking: hand everything buffered to ingestion. Runs on the runner thread."""

    @abstractmethod
    def _close_exporters(self) -> None:
        """Blocking: flush and stop every exporter thread. Runs on the runner thread."""

    @staticmethod
    def _timeout(given: float | None, default: float) -> float:
        return default if given is None else max(0.0, given)


class NullTelemetry(Telemetry):
    """Telemetry without a connection string: same API, sends nothing, starts no thread."""

    enabled = False

    def flush(self, timeout_s: float | None = None) -> bool:
        return True

    def flush_soon(self) -> None:
        return None

    def shutdown(self, timeout_s: float | None = None) -> None:
        self._closed = True

    def _send_event(
        self, name: str, correlation: Correlation, dimensions: dict[str, str], measurements: dict[str, float]
    ) -> None:
        return None

    def _send_dependency(self, record: DependencyRecord) -> None:
        return None

    def _send_metric(self, point: MetricPoint) -> None:
        return None

    def _flush_exporters(self) -> None:
        return None

    def _close_exporters(self) -> None:
        return None
