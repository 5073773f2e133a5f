"""Audio at the edges: too short to segment, and headers that lie about the length."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from devtools.speech_emulator import RunningEmulator
from devtools.speech_emulator.audio import ENGINE_RATE, decode_audio
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


def test_a_valid_mp3_decodes_whole_without_a_libmpg123_error_line(
    corpus: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """libsndfile's MP3 decoder, read block by block, lost the bit reservoir at block edges: a
    click, and an `[src/libmpg123/layer3.c...] error:` line printed by the emulator."""
    data = (corpus / "multilingual.mp3").read_bytes()
    decoded = decode_audio(data, max_seconds=7200)
    whole, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)  # one read: no edges
    expected = soxr.resample(whole, rate, ENGINE_RATE).reshape(-1, whole.shape[1])
    assert decoded.source_format == "MP3" and decoded.samples.shape == expected.shape
    assert np.abs(decoded.samples - np.clip(expected, -1.0, 1.0)).max() < 1e-4
    assert "libmpg123" not in capfd.readouterr().err
