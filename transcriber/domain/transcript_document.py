"""The stored transcript, `<name>.json`: the service's result, the version it came from, and how it was made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from transcriber.domain.blob_info import BlobInfo

# The keys this app adds beside the service's own (durationMilliseconds, combinedPhrases, phrases).
SOURCE, PROCESSING = "source", "processing"


@dataclass(frozen=True)
class Processing:
    """How the transcript was made: where, by which route and delivery, when, with which options."""

    endpoint_host: str
    api_version: str
    route: str
    audio_delivery: str
    started_at: str
    completed_at: str
    latency_ms: int
    audio_duration_ms: int | None
    speech_detected: bool
    options: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "endpointHost": self.endpoint_host,
            "apiVersion": self.api_version,
            "route": self.route,
            "audioDelivery": self.audio_delivery,
            "startedAt": self.started_at,
            "completedAt": self.completed_at,
            "latencyMilliseconds": self.latency_ms,
            "audioDurationMilliseconds": self.audio_duration_ms,
            "speechDetected": self.speech_detected,
            "options": self.options,
        }


@dataclass(frozen=True)
class TranscriptDocument:
    """`result` is the service's JSON as it answered (the formats render it); the rest is ours."""

    result: dict[str, Any]
    source: BlobInfo
    processing: Processing

    def to_json(self) -> dict[str, Any]:
        return {**self.result, SOURCE: self.source.as_record(), PROCESSING: self.processing.to_json()}

    @staticmethod
    def result_of(document: Mapping[str, Any]) -> dict[str, Any]:
        """The service's result from a stored document (what a job's `?format=` answers with)."""
        return {key: value for key, value in document.items() if key not in (SOURCE, PROCESSING)}
