"""Application Insights through opencensus-ext-azure, the product's named exporter.

One telemetry processor turns our private `_transcriber.*` properties into envelope fields.
"""

from __future__ import annotations

import datetime
import functools
import logging
import threading
import warnings
from typing import Any

from azure.core.credentials import TokenCredential

from transcriber.adapters.telemetry.base import Telemetry
from transcriber.adapters.telemetry.correlation import Correlation
from transcriber.adapters.telemetry.dependency import DependencyRecord
from transcriber.adapters.telemetry.events import MetricPoint

with warnings.catch_warnings():
    # opencensus-ext-azure calls locale.getdefaultlocale() at import (deprecated in 3.11).
    warnings.filterwarnings("ignore", r"'locale\.getdefaultlocale' is deprecated", DeprecationWarning)
    from opencensus.common.schedule import QueueEvent
    from opencensus.ext.azure.log_exporter import AzureEventHandler
    from opencensus.ext.azure.metrics_exporter import MetricsExporter
    from opencensus.ext.azure.trace_exporter import AzureExporter
    from opencensus.metrics.export.metric import Metric
    from opencensus.metrics.export.metric_descriptor import MetricDescriptor, MetricDescriptorType
    from opencensus.metrics.export.point import Point
    from opencensus.metrics.export.time_series import TimeSeries
    from opencensus.metrics.export.value import ValueDouble
    from opencensus.metrics.label_key import LabelKey
    from opencensus.metrics.label_value import LabelValue
    from opencensus.trace.span import SpanKind
    from opencensus.trace.span_context import SpanContext
    from opencensus.trace.span_data import SpanData
    from opencensus.trace.status import Status

logger = logging.getLogger(__name__)

__all__ = ["OpenCensusTelemetry"]

_PRIVATE = "_transcriber."
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"
_STATUS_OK, _STATUS_UNKNOWN = 0, 2


def _iso(time_ns: int) -> str:
    return datetime.datetime.fromtimestamp(time_ns / 1e9, tz=datetime.UTC).strftime(_ISO)


def _correlation_properties(correlation: Correlation) -> dict[str, str]:
    return {
        _PRIVATE + "operation_id": correlation.trace_id,
        _PRIVATE + "parent_id": correlation.parent_span_id,
        _PRIVATE + "operation_name": correlation.operation_name,
    }


def _process(service_name: str, envelope: Any) -> bool:
    """Telemetry processor: move our private properties into the envelope's fields."""
    tags = envelope.tags
    tags["ai.cloud.role"] = service_name
    base = envelope.data.baseData
    properties = base.properties if isinstance(base.get("properties"), dict) else {}
    private = {
        key[len(_PRIVATE) :]: properties.pop(key) for key in list(properties) if key.startswith(_PRIVATE)
    }
    for name, tag in (
        ("operation_id", "ai.operation.id"),
        ("parent_id", "ai.operation.parentId"),
        ("operation_name", "ai.operation.name"),
    ):
        if name in private:
            tags[tag] = private[name]
    if envelope.data.baseType == "RemoteDependencyData" and "type" in private:
        base.type = private["type"]
        base.target = private["target"]
        base.resultCode = private["result_code"]
        base.success = private["success"] == "true"
        base.data = base.name
    elif envelope.data.baseType == "MetricData":
        for point in base.metrics:
            if point.get("count") is None:
                point.count = 1
    return True


def _metric(point: MetricPoint, when: datetime.datetime) -> Metric:
    keys = sorted(point.dimensions)
    descriptor = MetricDescriptor(
        point.name, point.name, "1", MetricDescriptorType.GAUGE_DOUBLE, [LabelKey(key, key) for key in keys]
    )
    values = [LabelValue(point.dimensions[key]) for key in keys]
    return Metric(descriptor, [TimeSeries(values, [Point(ValueDouble(point.value), when)], when)])


class OpenCensusTelemetry(Telemetry):
    """Telemetry exported by opencensus-ext-azure (upstream support ended Sept 2024)."""

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
        options: dict[str, Any] = {
            "connection_string": connection_string,
            "credential": credential,
            "enable_local_storage": local_storage,
            "export_interval": export_interval_s,
            "grace_period": shutdown_timeout_s,
            "timeout": network_timeout_s,
        }
        self._marker_wait_s = network_timeout_s + 1.0
        self._events = AzureEventHandler(**options)
        try:
            self._traces = AzureExporter(**options)
            self._metrics = MetricsExporter(**options)
        except Exception:
            self._events.close(0.1)
            if hasattr(self, "_traces"):
                self._traces._stop(0.1)
            raise
        processor = functools.partial(_process, service_name)
        for exporter in (self._events, self._traces, self._metrics):
            exporter.add_telemetry_processor(processor)
        self._pending_metrics: list[Metric] = []
        self._metrics_lock = threading.Lock()

    def _send_event(
        self, name: str, correlation: Correlation, dimensions: dict[str, str], measurements: dict[str, float]
    ) -> None:
        record = logging.LogRecord(__name__, logging.INFO, __file__, 0, name, None, None)
        record.custom_dimensions = {**dimensions, **_correlation_properties(correlation)}
        record.custom_measurements = dict(measurements)
        # Not Handler.handle(): opencensus sets the handler's lock to None, and Python 3.13's
        # handle() enters `with self.lock`. emit() only queues the record (thread-safe).
        if self._events.filter(record):
            self._events.emit(record)

    def _send_dependency(self, record: DependencyRecord) -> None:
        correlation = record.correlation
        attributes: dict[str, str] = {
            **record.properties(),
            **_correlation_properties(correlation),
            _PRIVATE + "type": record.type,
            _PRIVATE + "target": record.target,
            _PRIVATE + "result_code": record.result_code,
            _PRIVATE + "success": "true" if record.success else "false",
        }
        span = SpanData(
            name=record.name,
            context=SpanContext(trace_id=correlation.trace_id, span_id=record.span_id),
            span_id=record.span_id,
            parent_span_id=correlation.parent_span_id,
            attributes=attributes,
            start_time=_iso(record.start_time_ns),
            end_time=_iso(record.start_time_ns + record.duration_ns),
            child_span_count=0,
            stack_trace=None,
            annotations=[],
            message_events=[],
            links=[],
            status=Status(_STATUS_OK if record.success else _STATUS_UNKNOWN),
            same_process_as_parent_span=False,
            span_kind=SpanKind.CLIENT,
        )
        self._traces.export([span])

    def _send_metric(self, point: MetricPoint) -> None:
        metric = _metric(point, datetime.datetime.now(datetime.UTC))
        with self._metrics_lock:
            self._pending_metrics.append(metric)

    def _export_metrics(self) -> None:
        with self._metrics_lock:
            metrics, self._pending_metrics = self._pending_metrics, []
        if metrics:
            self._metrics.export_metrics(metrics)

    def _flush_exporters(self) -> None:
        markers = []
        for exporter_queue in (self._events._queue, self._traces._queue):
            marker = QueueEvent("transcriber-flush")
            exporter_queue.put(marker, block=False)
            markers.append(marker)
        self._export_metrics()
        for marker in markers:
            if not marker.wait(self._marker_wait_s):
                logger.warning("opencensus exporter did not reach the flush marker")

    def _close_exporters(self) -> None:
        try:
            self._export_metrics()
        finally:
            self._events.close(self.shutdown_timeout_s)
            self._traces._stop(self.shutdown_timeout_s)
            self._metrics.shutdown()
