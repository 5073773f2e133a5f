"""Both backends against the local ingestion endpoint: names, values, ids, determinism."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace

import pytest

from devtools.ingestion import IngestionServer
from tests.fixtures.telemetry import MakeTelemetry
from tests.integration.telemetry.scenarios import (
    OPTIONS,
    SPAN_A,
    SPAN_B,
    SPEECH_HOST,
    SPEECH_OPERATION,
    SPEECH_TYPE,
    STORAGE_HOST,
    STORAGE_TYPE,
    TRACE_A,
    TRACE_B,
    TRACEPARENT_A,
    TRACEPARENT_B,
    SpeechError,
    base,
    completed_event,
    delivered,
    operation,
    properties,
    transcribe_blob,
    transcribe_http,
)

BACKENDS = pytest.mark.parametrize("backend", ["opencensus", "opentelemetry"])


def metric(ingestion: IngestionServer, name: str) -> dict:
    """The one data point of metric `name` (one transcription per test, one flush)."""
    (point,) = ingestion.metrics(name)
    return point


@BACKENDS
def test_blob_transcription_completed_sends_event_with_exact_dimensions(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)
    transcribe_blob(telemetry, TRACEPARENT_A)
    delivered(telemetry)

    (event,) = ingestion.items("EventData", "TranscriptionCompleted")
    assert properties(event) == {
        "trigger": "blob",
        "blob_id": "meeting.wav",
        "content_type": "audio/wav",
        "size_bytes": "320044",
        "audio_seconds": "10",
        "locales_requested": "en-US,de-DE",
        "locale_detected": "en-US",
        "options": json.dumps(OPTIONS),
        "phrase_count": "3",
        "latency_ms": "2500",
        "real_time_factor": "0.25",
        "outcome": "completed",
        "invocation_id": "invocation-blob",
    }
    assert base(event)["measurements"] == {
        "size_bytes": 320044.0,
        "audio_seconds": 10.0,
        "phrase_count": 3.0,
        "latency_ms": 2500.0,
        "real_time_factor": 0.25,
    }
    assert operation(event) == (TRACE_A, SPAN_A)
    assert event["tags"]["ai.operation.name"] == "transcribe_blob"
    assert event["tags"]["ai.cloud.role"] == "transcriber"
    assert not ingestion.items("EventData", "TranscriptionFailed")


@BACKENDS
def test_blob_transcription_completed_sends_metrics(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)
    transcribe_blob(telemetry, TRACEPARENT_A)
    delivered(telemetry)

    latency = metric(ingestion, "transcription_latency_ms")
    assert (latency["value"], latency["count"]) == (2500.0, 1)
    assert latency["properties"] == {"trigger": "blob", "outcome": "completed"}
    audio = metric(ingestion, "transcription_audio_seconds")
    assert (audio["value"], audio["properties"]) == (10.0, {"trigger": "blob"})
    rtf = metric(ingestion, "transcription_real_time_factor")
    assert rtf["value"] == pytest.approx(0.25)
    assert not ingestion.metrics("transcription_failures")


@BACKENDS
def test_blob_transcription_completed_sends_speech_and_storage_dependencies(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)
    transcribe_blob(telemetry, TRACEPARENT_A)
    delivered(telemetry)

    found = {base(item)["name"]: item for item in ingestion.envelopes("RemoteDependencyData")}
    assert set(found) == {SPEECH_OPERATION, "GET audio-in/meeting.wav", "PUT transcripts/meeting.json"}
    speech = base(found[SPEECH_OPERATION])
    assert (speech["type"], speech["target"], speech["resultCode"], speech["success"]) == (
        SPEECH_TYPE,
        SPEECH_HOST,
        "200",
        True,
    )
    write = base(found["PUT transcripts/meeting.json"])
    assert (write["type"], write["target"], write["resultCode"], write["success"]) == (
        STORAGE_TYPE,
        STORAGE_HOST,
        "201",
        True,
    )
    assert speech["duration"].startswith("0.00:00:")
    assert properties(found[SPEECH_OPERATION]) == {"invocation_id": "invocation-blob"}
    for item in found.values():
        assert operation(item) == (TRACE_A, SPAN_A)
        assert item["tags"]["ai.operation.name"] == "transcribe_blob"


@BACKENDS
def test_blob_transcription_failed_sends_failed_event_failure_metric_and_failed_dependency(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)
    transcribe_blob(telemetry, TRACEPARENT_A, fail=True)
    delivered(telemetry)

    (event,) = ingestion.items("EventData", "TranscriptionFailed")
    assert properties(event)["outcome"] == "failed"
    assert properties(event)["error_code"] == "InvalidAudioFormat"
    assert {"audio_seconds", "real_time_factor", "phrase_count"}.isdisjoint(properties(event))
    assert operation(event) == (TRACE_A, SPAN_A)
    failures = metric(ingestion, "transcription_failures")
    assert (failures["value"], failures["properties"]) == (
        1.0,
        {"trigger": "blob", "error_code": "InvalidAudioFormat"},
    )
    assert metric(ingestion, "transcription_latency_ms")["properties"]["outcome"] == "failed"
    assert not ingestion.metrics("transcription_audio_seconds")
    (speech,) = ingestion.items("RemoteDependencyData", SPEECH_OPERATION)
    assert (base(speech)["resultCode"], base(speech)["success"]) == ("422", False)
    assert properties(speech)["error_type"] == "SpeechError"


@BACKENDS
def test_http_transcription_completed_correlates_with_host_request(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)
    transcribe_http(telemetry, TRACEPARENT_B, "req-7")
    delivered(telemetry)

    (event,) = ingestion.items("EventData", "TranscriptionCompleted")
    assert properties(event)["trigger"] == "http"
    assert properties(event)["request_id"] == "req-7"
    assert "blob_id" not in properties(event)
    dependencies = ingestion.envelopes("RemoteDependencyData")
    assert [base(item)["name"] for item in dependencies].count(SPEECH_OPERATION) == 1
    for item in [event, *dependencies]:
        assert operation(item) == (TRACE_B, SPAN_B)
        assert item["tags"]["ai.operation.name"] == "transcribe_http"
    assert metric(ingestion, "transcription_latency_ms")["properties"]["trigger"] == "http"


@BACKENDS
def test_invocation_unsampled_traceparent_still_sends_everything(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)
    transcribe_blob(telemetry, TRACEPARENT_A[:-2] + "00")
    delivered(telemetry)

    dependencies = ingestion.envelopes("RemoteDependencyData")
    assert len(dependencies) == 3
    assert all(item.get("sampleRate", 100.0) == 100.0 for item in dependencies)
    assert operation(ingestion.items("EventData", "TranscriptionCompleted")[0]) == (TRACE_A, SPAN_A)


@BACKENDS
def test_invocation_exit_starts_delivery_without_waiting_for_it(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    ingestion.stall(1.0)  # every export takes a second: the invocation must not wait for it
    telemetry = make_telemetry(ingestion.connection_string, backend, export_interval_s=3600.0)
    transcribe_blob(telemetry, TRACEPARENT_A)
    assert not ingestion.envelopes()
    # Nothing else is called: the flush the invocation started delivers everything.
    ingestion.wait_for(
        lambda server: (
            server.items("EventData", "TranscriptionCompleted")
            and len(server.envelopes("RemoteDependencyData")) == 3
            and server.metrics("transcription_latency_ms")
        ),
        timeout=15.0,
    )


@BACKENDS
def test_shutdown_after_invocations_that_did_not_wait_loses_nothing(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    ingestion.stall(0.2)
    telemetry = make_telemetry(
        ingestion.connection_string, backend, export_interval_s=3600.0, shutdown_timeout_s=10.0
    )
    for _ in range(20):
        transcribe_blob(telemetry, TRACEPARENT_A)
    telemetry.shutdown()  # what the worker's exit does (atexit)
    assert len(ingestion.items("EventData", "TranscriptionCompleted")) == 20
    assert len(ingestion.envelopes("RemoteDependencyData")) == 60
    assert sum(point["count"] for point in ingestion.metrics("transcription_latency_ms")) == 20


@BACKENDS
def test_shutdown_outside_invocation_delivers_pending_items(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend, export_interval_s=3600.0)
    telemetry.track_transcription(completed_event())
    telemetry.shutdown()
    telemetry.shutdown()  # idempotent
    telemetry.track_transcription(completed_event())  # ignored after shutdown
    assert len(ingestion.items("EventData", "TranscriptionCompleted")) == 1
    assert len(ingestion.metrics("transcription_latency_ms")) == 1


@BACKENDS
def test_dependency_exception_propagates_and_is_recorded_as_failed(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)
    with (
        telemetry.invocation("transcribe_blob", TRACEPARENT_A, None),
        pytest.raises(ConnectionResetError),
        telemetry.dependency(STORAGE_TYPE, STORAGE_HOST, "GET a/b.wav"),
    ):
        raise ConnectionResetError("peer went away")
    delivered(telemetry)
    (item,) = ingestion.envelopes("RemoteDependencyData")
    assert (base(item)["resultCode"], base(item)["success"]) == ("0", False)
    assert properties(item) == {"error_type": "ConnectionResetError"}


@BACKENDS
async def test_concurrent_invocations_keep_their_own_operation_ids(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(ingestion.connection_string, backend)

    async def invocation(traceparent: str, subject: str) -> None:
        async with telemetry.invocation("transcribe_blob", traceparent, subject):
            with telemetry.dependency(SPEECH_TYPE, SPEECH_HOST, f"POST {subject}"):
                await asyncio.sleep(0.05)  # the other invocation runs meanwhile
            await asyncio.sleep(0)
            telemetry.track_transcription(completed_event(subject=subject))

    await asyncio.gather(invocation(TRACEPARENT_A, "a.wav"), invocation(TRACEPARENT_B, "b.wav"))
    delivered(telemetry)

    expected = {"a.wav": (TRACE_A, SPAN_A), "b.wav": (TRACE_B, SPAN_B)}
    events = ingestion.items("EventData", "TranscriptionCompleted")
    assert {properties(e)["blob_id"]: operation(e) for e in events} == expected
    dependencies = ingestion.envelopes("RemoteDependencyData")
    assert {base(d)["name"].removeprefix("POST "): operation(d) for d in dependencies} == expected


@BACKENDS
def test_telemetry_never_sends_or_logs_keys_tokens_sas_or_transcripts(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    signature = "c2VjcmV0LXNhcy1zaWduYXR1cmU%3D"
    sas_url = f"https://{STORAGE_HOST}/audio-in/meeting.wav?sv=2024-11-04&sp=r&sig={signature}"
    speech_key = "5f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99"
    transcript = "the merger closes on friday"
    telemetry = make_telemetry(ingestion.connection_string, backend)

    with telemetry.invocation("transcribe_blob", TRACEPARENT_A, "inv"):
        with telemetry.dependency(STORAGE_TYPE, sas_url, f"GET {sas_url}"):
            pass
        with pytest.raises(SpeechError), telemetry.dependency(SPEECH_TYPE, SPEECH_HOST, SPEECH_OPERATION):
            raise SpeechError(f"{sas_url} key={speech_key} text={transcript}", 400)
        telemetry.track_transcription(replace(completed_event(), options={**OPTIONS, "audio_url": sas_url}))

    delivered(telemetry)
    sent = json.dumps(ingestion.envelopes())
    (read,) = ingestion.items("RemoteDependencyData", f"GET https://{STORAGE_HOST}/audio-in/meeting.wav")
    assert base(read)["target"] == STORAGE_HOST
    for text in (sent, caplog.text):
        for secret in ("sig=", signature, speech_key, transcript, "eyJ"):
            assert secret not in text
