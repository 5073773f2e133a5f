"""Malformed audio, property-based: the emulator answers 422 `InvalidAudioFormat` (or decodes it),
never a 5xx, whatever a WAV header's fields, chunk sizes and truncation say.

The live service's answer to undecodable audio is recorded as a flat 422 body with inner code
`InvalidAudioFormat` (see docs/EMULATOR.md); a 500 would make the SDK retry three times and then
raise, as it never does against the service for a bad file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.speech_emulator import RunningEmulator
from devtools.speech_emulator.audio import decode_audio
from devtools.speech_emulator.errors import ServiceError

PATH = "/speechtotext/transcriptions:transcribe"
# Offsets and widths of a canonical 44-byte WAV header's fields.
_FIELDS = {
    "riff_size": (4, "<I"),
    "fmt_size": (16, "<I"),
    "format_tag": (20, "<H"),
    "channels": (22, "<H"),
    "sample_rate": (24, "<I"),
    "byte_rate": (28, "<I"),
    "block_align": (32, "<H"),
    "bits": (34, "<H"),
    "data_size": (40, "<I"),
}
_EDGE_VALUES = [0, 1, 2, 3, 8, 16, 24, 32, 64, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF]


def _wav(samples: int = 4000, rate: int = 16_000) -> bytes:
    """A canonical PCM WAV of a quiet tone (a quarter second at 16 kHz)."""
    data = (np.sin(np.arange(samples) / 7) * 3000).astype("<i2").tobytes()
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


@st.composite
def malformed_wavs(draw: st.DrawFn) -> bytes:
    """A WAV with header fields overwritten, the `fmt ` chunk resized, bytes flipped, or cut."""
    audio = bytearray(_WAV)
    for name in draw(st.lists(st.sampled_from(sorted(_FIELDS)), max_size=4, unique=True)):
        offset, layout = _FIELDS[name]
        limit = 0xFFFF if layout == "<H" else 0xFFFFFFFF
        value = draw(
            st.sampled_from(_EDGE_VALUES).filter(lambda v, top=limit: v <= top) | st.integers(0, limit)
        )
        audio[offset : offset + struct.calcsize(layout)] = struct.pack(layout, value)
    if draw(st.booleans()):  # a `fmt ` chunk longer or shorter than its 16 bytes of fields
        extra = draw(st.binary(max_size=24))
        cut = draw(st.integers(0, 16))
        fmt = audio[20:36][:cut] + extra
        audio = audio[:16] + struct.pack("<I", len(fmt)) + fmt + audio[36:]
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, min(len(audio), 64) - 1))
        audio[position] = draw(st.integers(0, 255))
    keep = draw(st.integers(0, len(audio)) | st.just(len(audio)))
    return bytes(audio[:keep])


_WAV = _wav()


@settings(max_examples=600, deadline=None)
@given(malformed_wavs())
def test_bad_audio_decoder_answers_422_or_samples_never_another_error(audio: bytes) -> None:
    try:
        decoded = decode_audio(audio, max_seconds=600)
    except ServiceError as error:
        assert error.status in (400, 422), error
        assert error.inner_code in ("InvalidAudioFormat", "EmptyAudioFile", "AudioLengthLimitExceeded")
        return
    assert decoded.samples.ndim == 2 and np.isfinite(decoded.samples).all()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client


@pytest.fixture
def short(speech_emulator_factory: Callable[..., RunningEmulator]) -> RunningEmulator:
    """An emulator that accepts 5 s at most: a header claiming a rate of 8 Hz makes minutes of audio."""
    return speech_emulator_factory(max_seconds=5)


def _post(http: httpx.Client, emulator: RunningEmulator, audio: bytes) -> httpx.Response:
    return http.post(
        emulator.endpoint + PATH,
        params={"api-version": "2025-10-15"},
        headers={"Ocp-Apim-Subscription-Key": emulator.key},
        files={"audio": ("audio.wav", audio, "audio/wav")},
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(audio=malformed_wavs())
def test_bad_audio_service_never_answers_5xx(
    short: RunningEmulator, http: httpx.Client, audio: bytes
) -> None:
    response = _post(http, short, audio)
    assert response.status_code < 500, response.text
    if response.status_code == 422:
        body = response.json()
        assert body["code"] == "UnprocessableEntity"
        assert body["innerError"]["code"] in ("InvalidAudioFormat", "EmptyAudioFile")


@pytest.mark.parametrize(
    "audio",
    [
        _WAV[:20] + struct.pack("<H", 0xD801) + _WAV[22:],  # a format tag no decoder knows
        _WAV[:16] + struct.pack("<I", 2) + b"\x01\x00" + _WAV[36:],  # a 2-byte `fmt ` chunk
        _WAV[:22] + struct.pack("<H", 0) + _WAV[24:],  # zero channels
        _WAV[:34] + struct.pack("<H", 0xFFFF) + _WAV[36:],  # 65535 bits a sample
    ],
    ids=["unknown-format-tag", "short-fmt-chunk", "zero-channels", "huge-bit-depth"],
)
def test_bad_audio_known_cases_answer_422_invalid_audio_format(
    speech: RunningEmulator, http: httpx.Client, audio: bytes
) -> None:
    response = _post(http, speech, audio)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body == {
        "code": "UnprocessableEntity",
        "message": "The audio stream could not be decoded with the provided configuration.",
        "innerError": {
            "code": "InvalidAudioFormat",
            "message": "The audio stream could not be decoded with the provided configuration.",
        },
    }
