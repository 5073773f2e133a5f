"""TranscriptionEvent, scrubbing and traceparent parsing: pure functions, no exporter."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.integration.telemetry.scenarios import completed_event, failed_event
from transcriber.adapters.telemetry import EVENT_COMPLETED, EVENT_FAILED, parse_traceparent, scrub
from transcriber.adapters.telemetry.correlation import new_correlation


def test_transcription_event_completed_name_is_transcription_completed() -> None:
    assert completed_event().name == EVENT_COMPLETED == "TranscriptionCompleted"


def test_transcription_event_failed_name_is_transcription_failed() -> None:
    assert failed_event().name == EVENT_FAILED == "TranscriptionFailed"


def test_transcription_event_known_duration_real_time_factor_is_latency_over_duration() -> None:
    assert completed_event().real_time_factor == pytest.approx(0.25)


@pytest.mark.parametrize("audio_seconds", [None, 0.0])
def test_transcription_event_unknown_duration_real_time_factor_is_none(audio_seconds: float | None) -> None:
    assert replace(completed_event(), audio_seconds=audio_seconds).real_time_factor is None


def test_transcription_event_completed_dimensions_are_exact() -> None:
    assert completed_event().dimensions() == {
        "trigger": "blob",
        "blob_id": "meeting.wav",
        "content_type": "audio/wav",
        "size_bytes": "320044",
        "audio_seconds": "10",
        "locales_requested": "en-US,de-DE",
        "locale_detected": "en-US",
        "options": json.dumps({"diarization": "off", "profanity": "Masked"}),
        "phrase_count": "3",
        "latency_ms": "2500",
        "real_time_factor": "0.25",
        "outcome": "completed",
    }


def test_transcription_event_unknown_values_are_left_out() -> None:
    dimensions = failed_event().dimensions()
    assert {"audio_seconds", "locale_detected", "phrase_count", "real_time_factor"}.isdisjoint(dimensions)
    assert dimensions["error_code"] == "InvalidAudioFormat"


def test_transcription_event_http_trigger_reports_request_id() -> None:
    dimensions = completed_event("http", "req-42").dimensions()
    assert dimensions["request_id"] == "req-42"
    assert "blob_id" not in dimensions


def test_transcription_event_completed_metrics_are_latency_audio_and_rtf() -> None:
    points = {point.name: point for point in completed_event().metric_points()}
    assert set(points) == {
        "transcription_latency_ms",
        "transcription_audio_seconds",
        "transcription_real_time_factor",
    }
    assert points["transcription_latency_ms"].dimensions == {"trigger": "blob", "outcome": "completed"}
    assert points["transcription_audio_seconds"].value == 10.0


def test_transcription_event_failed_metrics_count_failure_by_code() -> None:
    points = {point.name: point for point in failed_event().metric_points()}
    assert set(points) == {"transcription_latency_ms", "transcription_failures"}
    failures = points["transcription_failures"]
    assert (failures.value, dict(failures.dimensions)) == (
        1.0,
        {"trigger": "blob", "error_code": "InvalidAudioFormat"},
    )


def test_transcription_event_failed_without_code_counts_unknown() -> None:
    points = {p.name: p for p in replace(failed_event(), error_code=None).metric_points()}
    assert points["transcription_failures"].dimensions["error_code"] == "Unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://a.blob.core.windows.net/c/b.wav?sv=2024&sig=abc%3D",
            "https://a.blob.core.windows.net/c/b.wav",
        ),
        ("GET https://a/b?sig=x failed; see http://c/d?e=f", "GET https://a/b failed; see http://c/d"),
        ("meeting.wav", "meeting.wav"),
    ],
)
def test_scrub_url_with_query_drops_query(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_transcription_event_sas_url_in_options_is_scrubbed() -> None:
    event = replace(completed_event(), options={"audio_url": "https://a/b.wav?sp=r&sig=SECRET"})
    assert "sig=" not in json.dumps(event.dimensions())


@pytest.mark.parametrize(
    ("traceparent", "expected"),
    [
        (
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"),
        ),
        (
            "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-00",
            ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"),
        ),
        ("00-00000000000000000000000000000000-b7ad6b7169203331-01", None),
        ("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", None),
        ("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", None),
        ("garbage", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_traceparent_input_gives_ids_or_none(
    traceparent: str | None, expected: tuple[str, str] | None
) -> None:
    assert parse_traceparent(traceparent) == expected


def test_new_correlation_without_traceparent_makes_valid_fresh_ids() -> None:
    first, second = new_correlation("f", None, None), new_correlation("f", "garbage", None)
    assert len(first.trace_id) == 32 and len(first.parent_span_id) == 16
    assert first.trace_id != second.trace_id


def test_transcription_event_by_default_carries_no_blob_name() -> None:
    assert "blob_name" not in completed_event().dimensions()


def test_transcription_event_with_names_allowed_carries_the_name_beside_its_id() -> None:
    dimensions = replace(
        completed_event(subject="blob-0123456789abcdef"), blob_name="meeting.wav"
    ).dimensions()
    assert (dimensions["blob_id"], dimensions["blob_name"]) == ("blob-0123456789abcdef", "meeting.wav")
