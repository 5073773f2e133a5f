"""Audio at the edges: too short to segment, and headers that lie about the length."""

from __future__ import annotations

import struct
from collections.abc import Callable

import numpy as np
import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.conftest import FAST_RETRIES, wav


@pytest.mark.parametrize("milliseconds", [10, 30, 70])
def test_audio_too_short_to_segment_answers_200_with_no_phrases(
    client: TranscriptionClient, milliseconds: int
) -> None:
    noise = np.random.default_rng(milliseconds).standard_normal(16 * milliseconds).astype(np.float32) * 0.3
    result = client.transcribe(TranscriptionContent(audio=wav(noise)))
    assert result.phrases == [] and abs(result.duration_milliseconds - milliseconds) <= 1


def _wav_claiming_rate(rate: int, samples: int) -> bytes:
    data = np.random.default_rng(1).integers(-3000, 3000, samples).astype("<i2").tobytes()
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def test_audio_header_of_1_hz_is_refused_by_max_seconds_before_decoding(
    speech_emulator_factory: Callable[..., RunningEmulator],
) -> None:
    emulator = speech_emulator_factory(max_seconds=60)
    client = TranscriptionClient(emulator.endpoint, AzureKeyCredential(emulator.key), **FAST_RETRIES)
    with client, pytest.raises(HttpResponseError) as caught:
        client.transcribe(TranscriptionContent(audio=_wav_claiming_rate(1, 4000)))
    assert caught.value.status_code == 400
    assert caught.value.response.json()["innerError"]["code"] == "AudioLengthLimitExceeded"


def test_audio_duration_comes_from_the_decoded_samples(client: TranscriptionClient) -> None:
    audio = wav(np.zeros(16_000 * 2, dtype=np.float32))
    lying = audio[:40] + struct.pack("<I", 10**9) + audio[44:]  # a data chunk "of 1 GB"
    result = client.transcribe(TranscriptionContent(audio=lying))
    assert result.duration_milliseconds == 2000
