"""The Telemetry calls a transcription makes, in the pipeline's order, and envelope readers.

invocation -> Storage read -> Speech call -> Storage write -> track_transcription, as the
pipeline does for the blob trigger; the HTTP trigger skips the Storage read. An invocation
ends without waiting for its export, so tests call `delivered(telemetry)` before asserting.
"""

from __future__ import annotations

from typing import Any

from transcriber.adapters.telemetry import Telemetry, TranscriptionEvent

TRACEPARENT_A = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
TRACEPARENT_B = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TRACE_A, SPAN_A = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
TRACE_B, SPAN_B = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"

SPEECH_TYPE = "Azure AI Speech"
SPEECH_HOST = "myspeech.cognitiveservices.azure.com"
SPEECH_OPERATION = "POST /speechtotext/transcriptions:transcribe"
STORAGE_TYPE = "Azure blob"
STORAGE_HOST = "myaccount.blob.core.windows.net"
OPTIONS = {"diarization": "off", "profanity": "Masked"}


class SpeechError(Exception):
    """Stands in for azure-core's HttpResponseError: carries `status_code`."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


def completed_event(trigger: str = "blob", subject: str = "meeting.wav") -> TranscriptionEvent:
    return TranscriptionEvent(
        trigger=trigger,  # type: ignore[arg-type]
        subject=subject,
        content_type="audio/wav",
        size_bytes=320044,
        audio_seconds=10.0,
        locales_requested=("en-US", "de-DE"),
        locale_detected="en-US",
        options=OPTIONS,
        phrase_count=3,
        latency_ms=2500.0,
        outcome="completed",
    )


def failed_event(trigger: str = "blob", subject: str = "broken.wav") -> TranscriptionEvent:
    return TranscriptionEvent(
        trigger=trigger,  # type: ignore[arg-type]
        subject=subject,
        content_type="audio/wav",
        size_bytes=1024,
        audio_seconds=None,
        locales_requested=("en-US",),
        locale_detected=None,
        options=OPTIONS,
        phrase_count=None,
        latency_ms=400.0,
        outcome="failed",
        error_code="InvalidAudioFormat",
    )


def transcribe_blob(telemetry: Telemetry, traceparent: str | None, *, fail: bool = False) -> None:
    """The blob trigger's telemetry: read audio, call Speech, write the transcript (or fail)."""
    with telemetry.invocation("transcribe_blob", traceparent, "invocation-blob"):
        with telemetry.dependency(STORAGE_TYPE, STORAGE_HOST, "GET audio-in/meeting.wav") as dep:
            dep.result_code = "200"
        try:
            with telemetry.dependency(SPEECH_TYPE, SPEECH_HOST, SPEECH_OPERATION):
                if fail:
                    raise SpeechError("The audio stream could not be decoded", 422)
        except SpeechError:
            telemetry.track_transcription(failed_event())
            return
        with telemetry.dependency(STORAGE_TYPE, STORAGE_HOST, "PUT transcripts/meeting.json") as dep:
            dep.result_code = "201"
        telemetry.track_transcription(completed_event())


def transcribe_http(telemetry: Telemetry, traceparent: str | None, request_id: str) -> None:
    """The HTTP trigger's telemetry: audio arrives in the request, so Speech then Storage."""
    with telemetry.invocation("transcribe_http", traceparent, "invocation-http"):
        with telemetry.dependency(SPEECH_TYPE, SPEECH_HOST, SPEECH_OPERATION):
            pass
        with telemetry.dependency(STORAGE_TYPE, STORAGE_HOST, f"PUT transcripts/{request_id}.json") as dep:
            dep.result_code = "201"
        telemetry.track_transcription(completed_event("http", request_id))


def delivered(telemetry: Telemetry) -> None:
    """Wait until everything recorded so far has reached ingestion (the invocation does not)."""
    assert telemetry.flush(timeout_s=10.0), "telemetry was not delivered within 10 s"


def base(item: dict[str, Any]) -> dict[str, Any]:
    return item["data"]["baseData"]


def properties(item: dict[str, Any]) -> dict[str, str]:
    return base(item).get("properties") or {}


def operation(item: dict[str, Any]) -> tuple[str | None, str | None]:
    """(operation_Id, operation_ParentId) of an envelope."""
    return item["tags"].get("ai.operation.id"), item["tags"].get("ai.operation.parentId")
