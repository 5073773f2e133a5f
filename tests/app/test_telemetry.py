"""Telemetry of real invocations: function_app -> core -> exporter -> local ingestion endpoint.

Both backends send the same custom events, metrics and dependencies, correlated with the
invocation's W3C trace context, and nothing secret or private reaches ingestion or the logs.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from devtools.ingestion import INSTRUMENTATION_KEY, IngestionServer
from tests.fixtures.functions import AppUnderTest
from tests.integration.telemetry.scenarios import base, operation, properties
from transcriber import config
from transcriber.domain import privacy
from transcriber.services import process_telemetry

TRACE_ID, SPAN_ID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{SPAN_ID}-01"


@pytest.fixture(params=["opencensus", "opentelemetry"])
async def traced(
    request: pytest.FixtureRequest,
    deployed: AppUnderTest,
    ingestion: IngestionServer,
    monkeypatch: pytest.MonkeyPatch,
) -> AppUnderTest:
    # A fresh instrumentation key per test: the app keeps the exporters' local retry storage on
    # (production behaviour), which is keyed by it, so batches one test's ingestion refused are
    # not delivered into the next test's ingestion.
    connection_string = ingestion.connection_string.replace(INSTRUMENTATION_KEY, str(uuid.uuid4()))
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", connection_string)
    monkeypatch.setenv("TELEMETRY_BACKEND", request.param)
    await deployed.restart()
    return deployed


def delivered() -> None:
    """Wait for the export the invocation scheduled (it returned without waiting for it)."""
    telemetry = process_telemetry()
    assert telemetry is not None and telemetry.flush(timeout_s=10.0), "telemetry not delivered in 10 s"


def dependencies(ingestion: IngestionServer) -> list[tuple[str, str, str, str, bool]]:
    return [
        (b["type"], b["target"], b["name"], b["resultCode"], b["success"])
        for b in map(base, ingestion.items("RemoteDependencyData"))
    ]


async def test_telemetry_blob_success_event_metrics_dependencies_correlated(
    traced: AppUnderTest, ingestion: IngestionServer, corpus: Path
) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()
    traced.upload("calls/cards.wav", audio)
    delivery = await traced.blob_event("calls/cards.wav", trace_parent=TRACEPARENT)
    (invocation,) = delivery.invocations
    delivered()

    (event,) = ingestion.items("EventData", "TranscriptionCompleted")
    dims = properties(event)
    assert {k: dims[k] for k in ("trigger", "blob_id", "content_type", "size_bytes", "outcome")} == {
        "trigger": "blob",
        "blob_id": privacy.blob_id("calls/cards.wav"),
        "content_type": "audio/wav",
        "size_bytes": str(len(audio)),
        "outcome": "completed",
    }
    assert dims["locales_requested"] == "en-US" and dims["locale_detected"] == "en-US"
    assert float(dims["audio_seconds"]) > 1 and int(dims["phrase_count"]) >= 1
    assert float(dims["latency_ms"]) > 0 and float(dims["real_time_factor"]) > 0
    assert json.loads(dims["options"])["diarization"] == "off"
    assert dims["invocation_id"] == invocation.invocation_id and "error_code" not in dims
    assert operation(event) == (TRACE_ID, SPAN_ID)

    for name in ("transcription_audio_seconds", "transcription_latency_ms", "transcription_real_time_factor"):
        assert ingestion.metrics(name), name
    assert not ingestion.metrics("transcription_failures")

    deps = dependencies(ingestion)
    assert (
        "Azure AI Speech",
        "127.0.0.1",
        "POST /speechtotext/transcriptions:transcribe",
        "200",
        True,
    ) in deps
    storage = [d for d in deps if d[0] == "Azure blob"]
    assert {d[2] for d in storage} >= {"GetBlobProperties", "GetBlob", "PutBlob"}
    assert all(d[4] for d in deps), deps  # expected misses (no earlier output or record) are not failures
    assert {operation(item) for item in ingestion.items("RemoteDependencyData")} == {(TRACE_ID, SPAN_ID)}


async def test_telemetry_blob_failure_event_and_failure_metric(
    traced: AppUnderTest, ingestion: IngestionServer
) -> None:
    traced.upload("notes.wav", b"meeting notes, typed", "text/plain")
    await traced.blob_event("notes.wav", trace_parent=TRACEPARENT)
    delivered()

    (event,) = ingestion.items("EventData", "TranscriptionFailed")
    dims = properties(event)
    assert (dims["outcome"], dims["error_code"], dims["blob_id"]) == (
        "failed",
        "UnsupportedMediaType",
        privacy.blob_id("notes.wav"),
    )
    assert "blob_name" not in dims
    assert "audio_seconds" not in dims and operation(event) == (TRACE_ID, SPAN_ID)
    (failure,) = ingestion.metrics("transcription_failures")
    assert failure["properties"]["error_code"] == "UnsupportedMediaType"
    assert not [d for d in dependencies(ingestion) if d[0] == "Azure AI Speech"]


async def test_telemetry_http_request_event_carries_request_id(
    traced: AppUnderTest, ingestion: IngestionServer, corpus: Path
) -> None:
    response = await traced.call(
        "POST",
        "https://app.example/api/transcribe",
        (corpus / "cards-002.wav").read_bytes(),
        {"Content-Type": "audio/wav"},
        trace_parent=TRACEPARENT,
    )
    assert response.status_code == 200
    delivered()

    (event,) = ingestion.items("EventData", "TranscriptionCompleted")
    dims = properties(event)
    assert (dims["trigger"], dims["request_id"], dims["content_type"]) == (
        "http",
        response.invocation_id,
        "audio/wav",
    )
    assert "blob_name" not in dims and operation(event) == (TRACE_ID, SPAN_ID)
    assert [d[0] for d in dependencies(ingestion)] == ["Azure AI Speech"]


async def test_telemetry_never_sends_keys_or_transcript_text(
    traced: AppUnderTest, ingestion: IngestionServer, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    traced.upload("private.wav", (corpus / "cards-001.wav").read_bytes())
    delivery = await traced.blob_event("private.wav", trace_parent=TRACEPARENT)
    host_logs = "\n".join(log.message for log in delivery.logs)  # everything the worker logged
    assert f"transcribed {privacy.blob_id('private.wav')}" in host_logs  # names are personal data
    delivered()
    transcript = traced.transcripts()["private.wav.txt"].decode().strip()
    assert transcript

    sent = json.dumps(ingestion.envelopes())
    from devtools.azurite import ACCOUNT_KEY

    for secret in (traced.speech.key, ACCOUNT_KEY, transcript, "sig="):
        assert secret not in sent
        assert secret not in caplog.text
        assert secret not in host_logs


async def test_telemetry_ingestion_down_transcription_still_succeeds(
    traced: AppUnderTest, ingestion: IngestionServer, corpus: Path
) -> None:
    ingestion.fail(500)
    traced.upload("resilient.wav", (corpus / "cards-003.wav").read_bytes())
    await traced.blob_event("resilient.wav", trace_parent=TRACEPARENT)
    assert "resilient.wav.json" in traced.transcripts()


async def test_telemetry_options_carry_enhanced_mode_and_model_but_no_prompt_text(
    traced: AppUnderTest, ingestion: IngestionServer, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_MODEL", "MAI-Transcribe-2")
    monkeypatch.setenv("TRANSCRIPTION_TIMESTAMPS", "segment")
    monkeypatch.setenv("TRANSCRIPTION_STYLE", "verbatim")
    monkeypatch.setenv("TRANSCRIPTION_PROMPT", "secret project Bluebird")
    monkeypatch.setenv("TRANSCRIPTION_PHRASE_LIST", "Bluebird")
    monkeypatch.setenv("TRANSCRIPTION_PHRASE_LIST_BIASING_WEIGHT", "0.5")
    traced.upload("calls/cards.wav", (corpus / "cards-001.wav").read_bytes())
    await traced.blob_event("calls/cards.wav", trace_parent=TRACEPARENT)
    delivered()
    (event,) = ingestion.items("EventData", "TranscriptionCompleted")
    options = json.loads(properties(event)["options"])
    assert {
        k: options[k] for k in ("enhancedMode", "model", "timestamps", "style", "prompts", "biasingWeight")
    } == {
        "enhancedMode": "transcribe",
        "model": "MAI-Transcribe-2",
        "timestamps": "segment",
        "style": "verbatim",
        "prompts": "1",
        "biasingWeight": "0.5",
    }
    assert "Bluebird" not in json.dumps(ingestion.envelopes())  # prompts and phrases may be private


# Loggers of the local stand-ins (test host, Speech emulator, its web server): not in Azure.
STAND_IN_LOGGERS = ("devtools", "tests", "uvicorn", "httpx", "httpcore", "starlette")


async def test_telemetry_and_logs_by_default_never_name_the_blob(
    traced: AppUnderTest, ingestion: IngestionServer, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Blob names are personal data: by default only their keyed ids leave the app."""
    caplog.set_level("DEBUG")
    name = "Jane Doe - appraisal.wav"
    traced.upload(name, (corpus / "cards-001.wav").read_bytes())
    traced.upload("Jane Doe - notes.wav", b"typed notes", "text/plain")
    deliveries = [
        await traced.blob_event(blob, trace_parent=TRACEPARENT) for blob in (name, "Jane Doe - notes.wav")
    ]
    assert f"{name}.json" in traced.transcripts()
    delivered()

    sent = json.dumps(ingestion.envelopes())
    assert ingestion.items("EventData", "TranscriptionCompleted")
    app_lines = "\n".join(
        f"{r.name}: {r.getMessage()}" for r in caplog.records if not r.name.startswith(STAND_IN_LOGGERS)
    )
    # what the worker sent the host (in Azure: the function's log lines in Application Insights)
    host_lines = "\n".join(log.message for delivery in deliveries for log in delivery.logs)
    assert app_lines and host_lines
    for text in (sent, app_lines, host_lines):
        for fragment in ("Jane", "Doe", "appraisal", "Jane%20Doe"):
            assert fragment not in text
    assert privacy.blob_id(name) in sent


async def test_telemetry_with_names_allowed_sends_the_blob_name(
    traced: AppUnderTest, ingestion: IngestionServer, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEMETRY_INCLUDE_BLOB_NAMES", "true")
    traced.upload("named.wav", (corpus / "cards-002.wav").read_bytes())
    try:
        await traced.blob_event("named.wav", trace_parent=TRACEPARENT)
        delivered()
    finally:
        privacy.configure(config.PrivacySettings())
    (event,) = ingestion.items("EventData", "TranscriptionCompleted")
    assert properties(event)["blob_name"] == "named.wav"
    assert properties(event)["blob_id"] == privacy.blob_id("named.wav")


def test_sdk_request_logging_once_the_app_is_imported_is_held_at_warning(deployed: AppUnderTest) -> None:
    """azure-core logs every request URL (blob names in them) at INFO."""
    import logging

    for name in ("azure.core.pipeline.policies.http_logging_policy", "azure.storage.blob", "urllib3"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    assert logging.getLogger("azure.functions").getEffectiveLevel() <= logging.INFO  # the runtime's own lines
