"""Durations declared by container headers, read from a blob's first bytes only."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from transcriber.domain.audio_header import HEAD_BYTES, declared_seconds


def encoded(fmt: str, seconds: float, *, channels: int = 1, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros((int(seconds * rate), channels), dtype=np.int16), rate, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["WAV", "RF64", "FLAC"])
@pytest.mark.parametrize("channels", [1, 2])
def test_declared_seconds_wav_rf64_flac_headers_give_the_duration(fmt: str, channels: int) -> None:
    data = encoded(fmt, 3.25, channels=channels)
    assert declared_seconds(data[:HEAD_BYTES], len(data)) == pytest.approx(3.25)


def test_declared_seconds_corpus_files_match_soundfile(corpus: Path) -> None:
    for path in [*corpus.glob("*.wav"), *corpus.glob("*.flac")]:
        data = path.read_bytes()
        assert declared_seconds(data[:HEAD_BYTES], len(data)) == pytest.approx(sf.info(path).duration), path


def test_declared_seconds_streaming_wav_without_length_uses_the_blob_size() -> None:
    data = bytearray(encoded("WAV", 2.0))
    struct.pack_into("<I", data, data.index(b"data") + 4, 0xFFFFFFFF)
    assert declared_seconds(bytes(data[:HEAD_BYTES]), len(data)) == pytest.approx(2.0, abs=0.01)


def test_declared_seconds_wav_data_chunk_beyond_the_head_is_unknown() -> None:
    data = encoded("WAV", 1.0)
    riff, rest = data[:12], data[12:]
    padding = b"LIST" + struct.pack("<I", HEAD_BYTES) + bytes(HEAD_BYTES)
    data = riff + padding + rest
    assert declared_seconds(data[:HEAD_BYTES], len(data)) is None


@pytest.mark.parametrize("head", [b"", b"RIFF", b"ID3\x04\x00\x00\x00\x00\x00\x10", b"\xff\xfb\x90\x00" * 10])
def test_declared_seconds_unknown_or_truncated_headers_are_none(head: bytes) -> None:
    assert declared_seconds(head, len(head)) is None


@given(st.binary(max_size=2048), st.integers(min_value=0, max_value=2**40))
def test_declared_seconds_any_bytes_never_raise(head: bytes, size: int) -> None:
    result = declared_seconds(head, size)
    assert result is None or result > 0


@given(st.binary(max_size=512))
def test_declared_seconds_hostile_riff_chunks_never_raise(body: bytes) -> None:
    result = declared_seconds(b"RIFF\x00\x00\x00\x00WAVE" + body, 10**9)
    assert result is None or result >= 0
