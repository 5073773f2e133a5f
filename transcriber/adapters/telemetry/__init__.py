"""Transcription telemetry for Application Insights: events, metrics, dependencies.

`create_telemetry()` picks a backend (opencensus-ext-azure or azure-monitor-opentelemetry's
exporter) and loads it lazily, so importing this package costs a few milliseconds. Names of
events, dimensions and metrics: `transcriber.adapters.telemetry.events` and docs/TELEMETRY.md.
"""

from transcriber.adapters.telemetry.base import Invocation, NullTelemetry, Telemetry
from transcriber.adapters.telemetry.correlation import Correlation, current_correlation, parse_traceparent
from transcriber.adapters.telemetry.dependency import Dependency, DependencyRecord
from transcriber.adapters.telemetry.events import (
    EVENT_COMPLETED,
    EVENT_FAILED,
    METRIC_AUDIO_SECONDS,
    METRIC_BUDGET_REFUNDED,
    METRIC_BUDGET_REFUSALS,
    METRIC_BUDGET_SECONDS,
    METRIC_DEFERRAL_SECONDS,
    METRIC_DEFERRALS,
    METRIC_FAILURES,
    METRIC_LATENCY_MS,
    METRIC_REAL_TIME_FACTOR,
    METRIC_THROTTLED,
    TranscriptionEvent,
    scrub,
)
from transcriber.adapters.telemetry.factory import BACKENDS, create_telemetry

__all__ = [
    "BACKENDS",
    "EVENT_COMPLETED",
    "EVENT_FAILED",
    "METRIC_AUDIO_SECONDS",
    "METRIC_BUDGET_REFUNDED",
    "METRIC_BUDGET_REFUSALS",
    "METRIC_BUDGET_SECONDS",
    "METRIC_DEFERRALS",
    "METRIC_DEFERRAL_SECONDS",
    "METRIC_FAILURES",
    "METRIC_LATENCY_MS",
    "METRIC_REAL_TIME_FACTOR",
    "METRIC_THROTTLED",
    "Correlation",
    "Dependency",
    "DependencyRecord",
    "Invocation",
    "NullTelemetry",
    "Telemetry",
    "TranscriptionEvent",
    "create_telemetry",
    "current_correlation",
    "parse_traceparent",
    "scrub",
]
