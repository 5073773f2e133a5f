"""Sniffing content before it is sent: audio passes, text and documents do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcriber.domain.audio_check import check_audio
from transcriber.domain.errors import AudioRejectedError, UnsupportedMediaError


@pytest.mark.parametrize("name", ["jfk.flac", "cards-001.wav", "hotwords.mp3", "stereo_diarization.wav"])
def test_check_audio_corpus_recordings_pass(corpus: Path, name: str) -> None:
    assert check_audio((corpus / name).read_bytes()[:8192]) is not None


@pytest.mark.parametrize(
    "head",
    [b"just some words", b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04\x14\x00"],
)
def test_check_audio_non_audio_refused_as_unsupported(head: bytes) -> None:
    with pytest.raises(UnsupportedMediaError):
        check_audio(head)


def test_check_audio_empty_refused_as_empty_audio() -> None:
    with pytest.raises(AudioRejectedError) as caught:
        check_audio(b"")
    assert caught.value.code == "EmptyAudioFile"


def test_check_audio_unknown_binary_left_to_the_service() -> None:
    assert check_audio(bytes(range(256))) is None
