"""Every container/codec soundfile reads, at any rate and channel count, recognised the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent

from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.conftest import reencode


@pytest.mark.parametrize(
    ("fmt", "subtype", "rate"),
    [
        ("WAV", "PCM_16", None),
        ("WAV", "FLOAT", 44_100),
        ("WAV", "PCM_U8", 8_000),
        ("FLAC", "PCM_24", 48_000),
        ("OGG", "VORBIS", 44_100),
        ("OGG", "OPUS", 48_000),
        ("MP3", "MPEG_LAYER_III", 44_100),
        ("MP3", "MPEG_LAYER_III", 22_050),
    ],
)
def test_formats_each_codec_and_rate_is_recognised(
    client: TranscriptionClient,
    speech: RunningEmulator,
    cards: bytes,
    fmt: str,
    subtype: str,
    rate: int | None,
) -> None:
    audio = reencode(cards, fmt, subtype, rate=rate)
    result = client.transcribe(TranscriptionContent(audio=audio))
    assert "clubs" in result.combined_phrases[0].text.lower()
    assert abs(result.duration_milliseconds - 1095) <= 60  # codec padding (MP3, Opus) stays small
    assert speech.requests()[0].audio_bytes == len(audio)


def test_formats_stereo_mp3_from_the_corpus_is_merged_and_transcribed(
    client: TranscriptionClient, corpus: Path
) -> None:
    result = client.transcribe(TranscriptionContent(audio=(corpus / "hotwords.mp3").read_bytes()))
    assert result.duration_milliseconds == 4000 and result.combined_phrases[0].text
    assert all(p.channel is None for p in result.phrases)
