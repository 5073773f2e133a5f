"""Which blobs take the batch route: over the fast limits by size or by the duration the header declares."""

from __future__ import annotations

import io
import wave

import pytest

from transcriber.config import Settings
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import AudioRejectedError, AudioTooLargeError
from transcriber.flows import routing

BASE = {
    "AZURE_SPEECH_ENDPOINT": "https://x.cognitiveservices.azure.com",
    "AudioStorage": "UseDevelopmentStorage=true",
}


def wav_head(seconds: float, rate: int = 16000) -> tuple[bytes, int]:
    """A WAV header declaring `seconds` of 16-bit mono audio, and the file's size."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * 160)
    head = bytearray(buffer.getvalue()[:44])
    data = int(seconds * rate * 2)
    head[40:44] = data.to_bytes(4, "little")
    head[4:8] = (data + 36).to_bytes(4, "little")
    return bytes(head), data + 44


def info(size: int) -> BlobInfo:
    return BlobInfo("audio-in", "long.wav", "0x1", size, "audio/wav")


def settings(**env: str) -> Settings:
    return Settings.from_environ({**BASE, **env})


def test_a_recording_declaring_two_and_a_half_hours_takes_batch() -> None:
    head, size = wav_head(2.5 * 3600)
    assert routing.over_fast_limits(settings(), info(size), head) == "MAX_AUDIO_SECONDS"
    assert routing.takes_batch(settings(), info(size), head)


def test_a_file_over_the_size_limit_takes_batch_whatever_its_header() -> None:
    head, _ = wav_head(60)
    assert routing.over_fast_limits(settings(MAX_AUDIO_BYTES="1000"), info(1001), head) == "MAX_AUDIO_BYTES"


def test_audio_within_both_limits_stays_on_the_fast_route() -> None:
    head, size = wav_head(3600)
    assert routing.over_fast_limits(settings(), info(size), head) is None
    assert routing.over_fast_limits(settings(), info(10), b"ID3 not a wav") is None


def test_with_batch_off_nothing_takes_batch_and_the_limits_refuse_as_before() -> None:
    head, size = wav_head(3 * 3600)
    off = settings(BATCH_TRANSCRIPTION_ENABLED="false")
    assert not routing.takes_batch(off, info(size), head)
    routing.refuse_for_http(off, info(size), head)  # /api/transcribe's own checks refuse it later
    assert not routing.rerouted(off, AudioRejectedError("too long", code="AudioLengthLimitExceeded"))


@pytest.mark.parametrize("code", ["AudioLengthLimitExceeded", "AudioSizeLimitExceeded"])
def test_the_fast_services_own_limit_errors_reroute_to_batch(code: str) -> None:
    assert routing.rerouted(settings(), AudioRejectedError("over the limit", code=code, status=422))
    assert not routing.rerouted(settings(), AudioRejectedError("bad audio", code="InvalidAudioFormat"))


def test_http_refusal_is_a_413_naming_the_jobs_route() -> None:
    head, size = wav_head(2.5 * 3600)
    with pytest.raises(AudioTooLargeError, match="/api/transcriptions") as caught:
        routing.refuse_for_http(settings(), info(size), head)
    assert caught.value.code == "UseTranscriptionsJob"
