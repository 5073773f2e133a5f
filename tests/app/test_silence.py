"""A silent recording still gets a valid transcript set, and its JSON says no speech was heard."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pysrt
import soundfile
import webvtt

from tests.fixtures.functions import AppUnderTest as Deployed
from transcriber.domain.formats import NO_SPEECH


def silence(seconds: float) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros(int(seconds * 16_000), dtype="int16"), 16_000, format="WAV")
    return buffer.getvalue()


async def test_blob_silence_gives_valid_files_and_says_no_speech(deployed: Deployed) -> None:
    deployed.upload("quiet.wav", silence(3.0))
    await deployed.blob_event("quiet.wav")
    outputs = deployed.transcripts()
    document = deployed.transcript_json("quiet.wav.json")
    assert document["processing"]["speechDetected"] is False
    assert outputs["quiet.wav.txt"].decode() == f"{NO_SPEECH}\n"
    [sub] = pysrt.from_string(outputs["quiet.wav.srt"].decode())
    assert sub.text == NO_SPEECH and sub.end.ordinal <= document["durationMilliseconds"]
    [caption] = webvtt.from_buffer(io.StringIO(outputs["quiet.wav.vtt"].decode())).captions
    assert caption.text == NO_SPEECH


async def test_blob_speech_is_marked_as_speech(deployed: Deployed, corpus: Path) -> None:
    deployed.upload("cards.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("cards.wav")
    assert deployed.transcript_json("cards.wav.json")["processing"]["speechDetected"] is True
