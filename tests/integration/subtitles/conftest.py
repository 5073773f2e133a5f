"""Long real recordings, transcribed once per module by the Speech emulator's pocketsphinx engine."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
import soxr
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent, TranscriptionOptions
from azure.core.credentials import AzureKeyCredential

from devtools.speech_emulator import RunningEmulator

RATE = 16_000
# Everything mono in the corpus, read one after another with pauses of different lengths between.
PARTS = [
    "multilingual.mp3",
    "sense_and_sensibility_01_austen_64kb-0870.wav",
    "sense_and_sensibility_01_austen_64kb-0880.wav",
    "cards-001.wav",
    "jfk.flac",
    "cards-002.wav",
    "sense_and_sensibility_01_austen_64kb-0890.wav",
    "cards-003.wav",
]
PAUSES_S = [0.3, 2.5, 0.6, 4.0, 1.2, 0.2, 3.0, 0.0]


def long_recording(corpus: Path) -> bytes:
    """About two minutes of real speech as 16 kHz mono WAV."""
    pieces = []
    for name, pause in zip(PARTS, PAUSES_S, strict=True):
        samples, rate = soundfile.read(corpus / name, dtype="float32", always_2d=True)
        mono = samples.mean(axis=1)
        pieces += [soxr.resample(mono, rate, RATE), np.zeros(int(pause * RATE), dtype="float32")]
    buffer = io.BytesIO()
    soundfile.write(buffer, np.concatenate(pieces), RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def transcribe(emulator: RunningEmulator, audio: bytes, **options: Any) -> dict[str, Any]:
    client = TranscriptionClient(emulator.endpoint, AzureKeyCredential(emulator.key))
    with client:
        content = TranscriptionContent(
            definition=TranscriptionOptions(locales=["en-US"], **options), audio=audio
        )
        return client.transcribe(content).as_dict()


@pytest.fixture(scope="module")
def long_result(corpus: Path, _speech_session: RunningEmulator) -> dict[str, Any]:
    """The service-shaped result for the long recording (pocketsphinx: no punctuation)."""
    return transcribe(_speech_session, long_recording(corpus))


@pytest.fixture(scope="module")
def relabel() -> Callable[[dict[str, Any], str, int], dict[str, Any]]:
    """The same result with phrases given to `count` speakers or channels in turn (real timings)."""

    def change(result: dict[str, Any], key: str, count: int) -> dict[str, Any]:
        phrases = [
            {**p, key: (i % count) + (1 if key == "speaker" else 0)} for i, p in enumerate(result["phrases"])
        ]
        return {**result, "phrases": phrases}

    return change
