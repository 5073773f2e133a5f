"""Emulator tests: the real SDK against the real emulator, plus audio re-encoding helpers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr
from azure.ai.transcription import TranscriptionClient
from azure.core.credentials import AzureKeyCredential

from devtools.speech_emulator import EmulatorConfig, RunningEmulator
from tests.fixtures.speech import SPEECH_TEST_KEY

# The aio SDK hands `bytes` audio to aiohttp's FormData, which warns about its v4 behaviour;
# bytes are still what to send (a file object is not rewound on retry), so aio tests allow it.
AIOHTTP_BYTES_WARNING = "ignore:In v4, passing bytes will no longer create a file field:DeprecationWarning"
# Fast retries: the tests check that retries happen, not azure-core's waiting.
FAST_RETRIES = {"retry_backoff_factor": 0.01}


def reencode(data: bytes, fmt: str, subtype: str | None = None, *, rate: int | None = None) -> bytes:
    """`data` decoded and written again as `fmt`/`subtype`, optionally resampled to `rate`."""
    samples, source_rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    if rate is not None and rate != source_rate:
        samples = soxr.resample(samples, source_rate, rate).reshape(-1, samples.shape[1])
    out = io.BytesIO()
    soundfile.write(out, samples, rate or source_rate, format=fmt, subtype=subtype)
    return out.getvalue()


def wav(samples: np.ndarray, rate: int = 16_000) -> bytes:
    """Float samples (frames[, channels]) as 16-bit WAV bytes."""
    out = io.BytesIO()
    soundfile.write(out, samples, rate, format="WAV", subtype="PCM_16")
    return out.getvalue()


@pytest.fixture
def cards(corpus: Path) -> bytes:
    """1.1 s of "ten of clubs": the cheapest real speech to recognise."""
    return (corpus / "cards-001.wav").read_bytes()


@pytest.fixture
def client(speech: RunningEmulator) -> Iterator[TranscriptionClient]:
    with TranscriptionClient(speech.endpoint, AzureKeyCredential(speech.key), **FAST_RETRIES) as sync_client:
        yield sync_client


@pytest.fixture(scope="session")
def _echo_session() -> Iterator[RunningEmulator]:
    emulator = RunningEmulator(EmulatorConfig(key=SPEECH_TEST_KEY, engine="echo")).start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def echo(_echo_session: RunningEmulator) -> RunningEmulator:
    """An emulator with the `echo` engine: every check but recognition, instantly."""
    _echo_session.reset()
    return _echo_session


@pytest.fixture
def echo_client(echo: RunningEmulator) -> Iterator[TranscriptionClient]:
    with TranscriptionClient(echo.endpoint, AzureKeyCredential(echo.key), **FAST_RETRIES) as sync_client:
        yield sync_client
