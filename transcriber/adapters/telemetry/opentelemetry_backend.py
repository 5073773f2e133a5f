"""Application Insights through OpenTelemetry and azure-monitor-opentelemetry-exporter.

The exporter package with providers of our own, not `configure_azure_monitor()` (docs/TELEMETRY.md says why).
"""

from __future__ import annotations

import json
import logging
import platform
import time
from collections.abc import Sequence
from typing import Any

from azure.core.credentials import TokenCredential
from azure.monitor.opentelemetry.exporter import (
    ApplicationInsightsSampler,
    AzureMonitorLogExporter,
    AzureMonitorMetricExporter,
    AzureMonitorTraceExporter,
)
from opentelemetry import trace
from opentelemetry._logs import SeverityNumber
from opentelemetry.context import Context
from opentelemetry.metrics import Counter, Histogram
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from transcriber.adapters.telemetry.base import Telemetry
from transcriber.adapters.telemetry.correlation import Correlation
from transcriber.adapters.telemetry.dependency import DependencyRecord
from transcriber.adapters.telemetry.events import METRIC_KINDS, MetricPoint

logger = logging.getLogger(__name__)

__all__ = ["OpenTelemetryTelemetry"]

_CUSTOM_EVENT_NAME = "microsoft.custom_event.name"
_CUSTOM_MEASUREMENTS = "microsoft.custom_measurements"
_OPERATION_NAME = "ai.operation.name"
_PRIVATE = "transcriber.dependency."
# The operation name goes to the ai.operation.name tag; the exporter also copies it, and the
# logger's name, into the event's properties.
_EXPORTER_ADDED_PROPERTIES = (_OPERATION_NAME, "logger_name")


def _context(correlation: Correlation) -> Context:
    """A context whose (remote, sampled) parent is the host's request span."""
    parent = trace.SpanContext(
        trace_id=int(correlation.trace_id, 16),
        span_id=int(correlation.parent_span_id, 16),
        is_remote=True,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
    return trace.set_span_in_context(trace.NonRecordingSpan(parent))


class _DependencyExporter(AzureMonitorTraceExporter):
    """Keeps the dependency fields the caller gave, instead of the ones derived from attributes."""

    def _span_to_envelope(self, span: ReadableSpan) -> Any:
        envelope = super()._span_to_envelope(span)
        attributes = span.attributes or {}
        data = envelope.data.base_data if envelope.data else None
        if data is None or _PRIVATE + "type" not in attributes:
            return envelope
        data.type = str(attributes[_PRIVATE + "type"])
        data.target = str(attributes[_PRIVATE + "target"])
        data.result_code = str(attributes[_PRIVATE + "result_code"])
        data.name = span.name
        data.data = span.name
        envelope.tags[_OPERATION_NAME] = str(attributes[_PRIVATE + "operation_name"])
        data.properties = {
            key: value for key, value in (data.properties or {}).items() if not key.startswith(_PRIVATE)
        }
        return envelope


class _EventExporter(AzureMonitorLogExporter):
    """Drops the properties the exporter adds to events, so both backends send the same ones."""

    def _log_to_envelope(self, readable_log_record: Any) -> Any:
        envelope = super()._log_to_envelope(readable_log_record)
        data = envelope.data.base_data if envelope.data else None
        if data is not None and data.properties:
            for key in _EXPORTER_ADDED_PROPERTIES:
                data.properties.pop(key, None)
        return envelope


class OpenTelemetryTelemetry(Telemetry):
    """Telemetry exported by azure-monitor-opentelemetry-exporter (opencensus' supported successor)."""

    def __init__(
        self,
        connection_string: str,
        credential: TokenCredential | None,
        service_name: str,
        *,
        export_interval_s: float,
        network_timeout_s: float,
        local_storage: bool,
        flush_timeout_s: float,
        shutdown_timeout_s: float,
    ) -> None:
        super().__init__(flush_timeout_s=flush_timeout_s, shutdown_timeout_s=shutdown_timeout_s)
        # Always pass `credential`, even None: without it the exporter reads
        # APPLICATIONINSIGHTS_AUTHENTICATION_STRING itself, and config owns that setting.
        options: dict[str, Any] = {
            "connection_string": connection_string,
            "credential": credential,
            "disable_offline_storage": not local_storage,
            "timeout": network_timeout_s,  # azure-core's connection timeout
            "read_timeout": network_timeout_s,  # else azure-core waits 300 s on a stalled endpoint
        }
        interval_ms = export_interval_s * 1000
        # The host name as role instance, as opencensus (and the Functions host) report it.
        resource = Resource.create({SERVICE_NAME: service_name, SERVICE_INSTANCE_ID: platform.node()})
        self._tracer_provider = TracerProvider(
            resource=resource, sampler=ApplicationInsightsSampler(1.0), shutdown_on_exit=False
        )
        self._logger_provider = LoggerProvider(resource=resource, shutdown_on_exit=False)
        self._meter_provider: MeterProvider | None = None
        try:
            span_exporter = _DependencyExporter(tracer_provider=self._tracer_provider, **options)
            self._tracer_provider.add_span_processor(
                BatchSpanProcessor(span_exporter, schedule_delay_millis=interval_ms)
            )
            self._logger_provider.add_log_record_processor(
                BatchLogRecordProcessor(_EventExporter(**options), schedule_delay_millis=interval_ms)
            )
            reader = PeriodicExportingMetricReader(
                AzureMonitorMetricExporter(**options), export_interval_millis=interval_ms
            )
            self._meter_provider = MeterProvider(
                metric_readers=[reader], resource=resource, shutdown_on_exit=False
            )
        except Exception:
            self._close_exporters()
            raise
        self._tracer = self._tracer_provider.get_tracer(__name__)
        self._logger = self._logger_provider.get_logger(__name__)
        self._meter = self._meter_provider.get_meter(__name__)
        self._instruments: dict[str, Counter | Histogram] = {
            name: self._meter.create_counter(name)
            if kind == "counter"
            else self._meter.create_histogram(name)
            for name, kind in METRIC_KINDS.items()
        }

    def _send_event(
        self, name: str, correlation: Correlation, dimensions: dict[str, str], measurements: dict[str, float]
    ) -> None:
        attributes = {
            **dimensions,
            _CUSTOM_EVENT_NAME: name,
            _CUSTOM_MEASUREMENTS: json.dumps(measurements),
            _OPERATION_NAME: correlation.operation_name,
        }
        self._logger.emit(
            timestamp=time.time_ns(),
            context=_context(correlation),
            severity_number=SeverityNumber.INFO,
            body=name,
            attributes=attributes,
        )

    def _send_dependency(self, record: DependencyRecord) -> None:
        attributes = {
            **record.properties(),
            _PRIVATE + "type": record.type,
            _PRIVATE + "target": record.target,
            _PRIVATE + "result_code": record.result_code,
            _PRIVATE + "operation_name": record.correlation.operation_name,
        }
        span = self._tracer.start_span(
            record.name,
            context=_context(record.correlation),
            kind=trace.SpanKind.CLIENT,
            attributes=attributes,
            start_time=record.start_time_ns,
        )
        if not record.success:
            span.set_status(trace.Status(trace.StatusCode.ERROR))
        span.end(end_time=record.start_time_ns + record.duration_ns)

    def _send_metric(self, point: MetricPoint) -> None:
        instrument = self._instruments[point.name]
        if isinstance(instrument, Counter):
            instrument.add(point.value, attributes=dict(point.dimensions))
        else:
            instrument.record(point.value, attributes=dict(point.dimensions))

    def _flush_exporters(self) -> None:
        self._tracer_provider.force_flush()
        self._logger_provider.force_flush()
        if self._meter_provider is not None:
            self._meter_provider.force_flush()

    def _close_exporters(self) -> None:
        timeout_ms = self.shutdown_timeout_s * 1000
        providers: Sequence[Any] = (self._tracer_provider, self._logger_provider)
        for provider in providers:
            provider.shutdown()
        if self._meter_provider is not None:
            self._meter_provider.shutdown(timeout_millis=timeout_ms)
