"""What one transcription reports, and the exact names it is reported under.

The names are a public contract (docs/TELEMETRY.md lists them); no transcript, key or token, ever.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "EVENT_COMPLETED",
    "EVENT_FAILED",
    "METRIC_AUDIO_SECONDS",
    "METRIC_BUDGET_REFUNDED",
    "METRIC_BUDGET_REFUSALS",
    "METRIC_BUDGET_SECONDS",
    "METRIC_DEFERRALS",
    "METRIC_DEFERRAL_SECONDS",
    "METRIC_FAILURES",
    "METRIC_KINDS",
    "METRIC_LATENCY_MS",
    "METRIC_REAL_TIME_FACTOR",
    "METRIC_THROTTLED",
    "MetricPoint",
    "TranscriptionEvent",
    "scrub",
]

EVENT_COMPLETED = "TranscriptionCompleted"
EVENT_FAILED = "TranscriptionFailed"

# customDimensions keys of the events.
DIM_TRIGGER = "trigger"
DIM_BLOB_ID = "blob_id"
DIM_BLOB_NAME = "blob_name"
DIM_REQUEST_ID = "request_id"
DIM_CONTENT_TYPE = "content_type"
DIM_SIZE_BYTES = "size_bytes"
DIM_AUDIO_SECONDS = "audio_seconds"
DIM_LOCALES_REQUESTED = "locales_requested"
DIM_LOCALE_DETECTED = "locale_detected"
DIM_OPTIONS = "options"
DIM_PHRASE_COUNT = "phrase_count"
DIM_LATENCY_MS = "latency_ms"
DIM_REAL_TIME_FACTOR = "real_time_factor"
DIM_OUTCOME = "outcome"
DIM_ERROR_CODE = "error_code"
DIM_INVOCATION_ID = "invocation_id"

# customMetrics names.
METRIC_AUDIO_SECONDS = "transcription_audio_seconds"
METRIC_LATENCY_MS = "transcription_latency_ms"
METRIC_REAL_TIME_FACTOR = "transcription_real_time_factor"
METRIC_FAILURES = "transcription_failures"
# Backpressure (docs/ARCHITECTURE.md): Speech's 429s, and versions handed to the queue to wait.
METRIC_THROTTLED = "speech_throttled"
METRIC_DEFERRALS = "transcription_deferrals"
METRIC_DEFERRAL_SECONDS = "transcription_deferral_seconds"
# The audio budget (transcriber.flows.budget): seconds charged, and charges refused, by caller
# kind (key, entra) only: never an owner's identifiers.
METRIC_BUDGET_SECONDS = "audio_budget_charged_seconds"
METRIC_BUDGET_REFUSALS = "audio_budget_refusals"
METRIC_BUDGET_REFUNDED = "audio_budget_refunded_seconds"
UNKNOWN_ERROR_CODE = "Unknown"
# Counters add up per interval; histograms keep sum, count, min and max.
METRIC_KINDS: Mapping[str, Literal["counter", "histogram"]] = {
    METRIC_AUDIO_SECONDS: "counter",
    METRIC_LATENCY_MS: "histogram",
    METRIC_REAL_TIME_FACTOR: "histogram",
    METRIC_FAILURES: "counter",
    METRIC_THROTTLED: "counter",
    METRIC_DEFERRALS: "counter",
    METRIC_DEFERRAL_SECONDS: "histogram",
    METRIC_BUDGET_SECONDS: "counter",
    METRIC_BUDGET_REFUSALS: "counter",
    METRIC_BUDGET_REFUNDED: "counter",
}

_URL_QUERY = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s?#\"']*)\?[^\s#\"']*")


def scrub(value: str) -> str:
    """Drop the query string of every URL in `value`: SAS tokens (`sig=`) live there."""
    return _URL_QUERY.sub(r"\1", value)


def _number(value: float) -> str:
    """Dimension text for a number: integers without '.0', others as Python prints them."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class MetricPoint:
    """One measurement for a custom metric (a name from METRIC_KINDS)."""

    name: str
    value: float
    dimensions: Mapping[str, str]


@dataclass(frozen=True)
class TranscriptionEvent:
    """The outcome of one transcription (blob or HTTP), as the flow saw it."""

    trigger: Literal["blob", "http"]
    subject: str
    content_type: str | None
    size_bytes: int | None
    audio_seconds: float | None
    locales_requested: tuple[str, ...]
    locale_detected: str | None
    options: Mapping[str, str]
    phrase_count: int | None
    latency_ms: float
    outcome: Literal["completed", "failed"]
    error_code: str | None = None
    blob_name: str | None = None  # only when names are allowed in telemetry

    @property
    def name(self) -> str:
        """The custom event's name, derived from the outcome."""
        return EVENT_COMPLETED if self.outcome == "completed" else EVENT_FAILED

    @property
    def real_time_factor(self) -> float | None:
        """Processing time over audio time (0.5 = twice as fast as real time); None if unknown."""
        if not self.audio_seconds or self.audio_seconds <= 0:
            return None
        return (self.latency_ms / 1000.0) / self.audio_seconds

    def measurements(self) -> dict[str, float]:
        """customMeasurements: the numeric fields that are known."""
        values: dict[str, float | int | None] = {
            DIM_SIZE_BYTES: self.size_bytes,
            DIM_AUDIO_SECONDS: self.audio_seconds,
            DIM_PHRASE_COUNT: self.phrase_count,
            DIM_LATENCY_MS: self.latency_ms,
            DIM_REAL_TIME_FACTOR: self.real_time_factor,
        }
        return {key: float(value) for key, value in values.items() if value is not None}

    def dimensions(self) -> dict[str, str]:
        """customDimensions: every known field as scrubbed text."""
        subject_key = DIM_BLOB_ID if self.trigger == "blob" else DIM_REQUEST_ID
        options = json.dumps({str(k): str(v) for k, v in self.options.items()}, sort_keys=True)
        values: dict[str, str | None] = {
            DIM_TRIGGER: self.trigger,
            subject_key: self.subject,
            DIM_BLOB_NAME: self.blob_name,
            DIM_CONTENT_TYPE: self.content_type,
            DIM_LOCALES_REQUESTED: ",".join(self.locales_requested) or None,
            DIM_LOCALE_DETECTED: self.locale_detected,
            DIM_OPTIONS: options,
            DIM_OUTCOME: self.outcome,
            DIM_ERROR_CODE: self.error_code,
        }
        values.update({key: _number(value) for key, value in self.measurements().items()})
        return {key: scrub(value) for key, value in values.items() if value is not None}

    def metric_points(self) -> list[MetricPoint]:
        """The custom metrics this transcription contributes to."""
        trigger = {DIM_TRIGGER: self.trigger}
        points = [MetricPoint(METRIC_LATENCY_MS, self.latency_ms, {**trigger, DIM_OUTCOME: self.outcome})]
        if self.outcome == "completed" and self.audio_seconds is not None:
            points.append(MetricPoint(METRIC_AUDIO_SECONDS, self.audio_seconds, trigger))
        rtf = self.real_time_factor
        if rtf is not None:
            points.append(MetricPoint(METRIC_REAL_TIME_FACTOR, rtf, trigger))
        if self.outcome == "failed":
            code = scrub(self.error_code or UNKNOWN_ERROR_CODE)
            points.append(MetricPoint(METRIC_FAILURES, 1.0, {**trigger, DIM_ERROR_CODE: code}))
        return points
