"""Sniffing content before it is sent: audio passes; text, documents and random bytes do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from transcriber.domain.audio_check import SNIFF_BYTES, check_audio
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


def test_check_audio_unknown_binary_is_unsupported_media_not_left_to_the_service() -> None:
    with pytest.raises(UnsupportedMediaError) as caught:
        check_audio(bytes(range(256)))
    assert caught.value.code == "UnsupportedMediaType" and "not audio" in caught.value.message


# First bytes of formats the service reads; random bytes starting with none of them are not audio.
AUDIO_MAGIC = (b"RIFF", b"RF64", b"BW64", b"OggS", b"fLaC", b"ID3", b"#!AMR", b"FORM", b"MThd")
AUDIO_MAGIC_BINARY = (b"\xff", b"\x1a\x45\xdf\xa3", b"\x30\x26\xb2\x75")  # frames, EBML, ASF


@settings(max_examples=500)
@given(st.binary(min_size=1, max_size=SNIFF_BYTES))
def test_check_audio_random_bytes_are_unsupported_media(head: bytes) -> None:
    assume(not head.startswith(AUDIO_MAGIC + AUDIO_MAGIC_BINARY) and head[4:8] != b"ftyp")
    with pytest.raises(UnsupportedMediaError):
        check_audio(head)


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"RF64\xff\xff\xff\xffWAVEds64" + bytes(64), "audio/wav"),
        (b"BW64\xff\xff\xff\xffWAVEds64" + bytes(64), "audio/wav"),
        (bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c") + bytes(64), "audio/x-ms-wma"),
        (b"\xff\xfb\x90\x64" + bytes(64), "audio/mpeg"),  # MPEG-1 layer III, no ID3 tag
        (b"\xff\xf3\x40\xc4" + bytes(64), "audio/mpeg"),  # MPEG-2 layer III
        (b"\xff\xf1\x50\x80" + bytes(64), "audio/aac"),  # ADTS
    ],
)
def test_check_audio_formats_filetype_misses_or_calls_video_pass(head: bytes, mime: str) -> None:
    assert check_audio(head) == mime


@pytest.mark.parametrize("head", [b"\xff\xff\xff\xff" + bytes(64), b"\xff\xfb\xf0\x00" + bytes(64)])
def test_check_audio_frame_sync_with_invalid_fields_is_not_audio(head: bytes) -> None:
    with pytest.raises(UnsupportedMediaError):
        check_audio(head)
