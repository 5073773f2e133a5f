"""The stored transcript: the service's result as it answered, then `source` and `processing`."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.transcript_document import Processing, TranscriptDocument

INFO = BlobInfo("audio-in", "meeting.wav", '"0x8DC"', 1024, "audio/wav")
PROCESSING = Processing(
    endpoint_host="contoso.cognitiveservices.azure.com",
    api_version="2025-10-15",
    route="fast",
    audio_delivery="bytes",
    started_at="2026-12-07T03:00:00.000Z",
    completed_at="2026-12-07T03:00:01.250Z",
    latency_ms=1250,
    audio_duration_ms=2029,
    speech_detected=True,
    options={"locales": "en-US", "diarization": "off", "channels": "all"},
)
RESULT = {
    "durationMilliseconds": 2029,
    "combinedPhrases": [{"text": "What's the weather like?"}],
    "phrases": [{"offsetMilliseconds": 80, "durationMilliseconds": 1200, "text": "What's the weather like?"}],
}


def test_transcript_document_writes_the_result_then_source_then_processing() -> None:
    document = TranscriptDocument(RESULT, INFO, PROCESSING).to_json()
    assert list(document) == [*RESULT, "source", "processing"]
    assert document["source"] == INFO.as_record()
    assert list(document["processing"]) == [
        "endpointHost",
        "apiVersion",
        "route",
        "audioDelivery",
        "startedAt",
        "completedAt",
        "latencyMilliseconds",
        "audioDurationMilliseconds",
        "speechDetected",
        "options",
    ]


@given(
    st.dictionaries(st.text(min_size=1).filter(lambda k: k not in ("source", "processing")), st.integers())
)
def test_transcript_document_result_of_gives_back_the_service_result(result: dict[str, int]) -> None:
    stored = json.loads(json.dumps(TranscriptDocument(result, INFO, PROCESSING).to_json()))
    assert TranscriptDocument.result_of(stored) == result
