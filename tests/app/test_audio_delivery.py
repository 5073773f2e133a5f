"""Audio sent as bytes: whole on every retry, and refused before any download when over the limits."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf

from tests.fixtures.functions import AppUnderTest as Deployed
from transcriber.adapters.blob_store import BlobStore

SPEECH = "sense_and_sensibility_01_austen_64kb-0870.wav"  # ~230 KB: several 64 KiB chunks
REFERENCE = "and mister john dashwood had then leisure to consider how much there might be prudently in his power to do for them"


def wav_declaring(seconds: float, *, actual_seconds: float = 0.5, rate: int = 16000) -> bytes:
    """A small PCM WAV whose data chunk header claims `seconds` of audio (a hostile or cut file)."""
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(int(actual_seconds * rate), dtype=np.int16), rate, format="WAV")
    data = bytearray(buffer.getvalue())
    offset = data.index(b"data")
    struct.pack_into("<I", data, offset + 4, int(seconds * rate * 2))
    return bytes(data)


@pytest.fixture
def store_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The store's audio reads, in order: "start" (properties and the first 64 KiB in one ranged
    GET), "head" (a range read when the properties came from elsewhere), "download" (the rest)."""
    calls: list[str] = []
    read_start, read_head, download = BlobStore.read_start, BlobStore.read_head, BlobStore.download

    async def start(self: BlobStore, container, name, length):  # type: ignore[no-untyped-def]
        calls.append("start")
        return await read_start(self, container, name, length)

    async def head(self: BlobStore, info, length):  # type: ignore[no-untyped-def]
        calls.append("head")
        return await read_head(self, info, length)

    async def rest(self: BlobStore, info, head=b""):  # type: ignore[no-untyped-def]
        calls.append("download")
        return await download(self, info, head)

    monkeypatch.setattr(BlobStore, "read_start", start)
    monkeypatch.setattr(BlobStore, "read_head", head)
    monkeypatch.setattr(BlobStore, "download", rest)
    return calls


async def test_blob_bytes_retried_after_503_carries_the_whole_audio(deployed: Deployed, corpus: Path) -> None:
    audio = (corpus / SPEECH).read_bytes()
    deployed.upload("retried.wav", audio)
    deployed.speech.fail(503)
    await deployed.blob_event("retried.wav")

    requests = deployed.speech.requests()
    assert [(r.status, r.audio_bytes) for r in requests] == [(503, len(audio)), (200, len(audio))]
    text = deployed.transcripts()["retried.wav.txt"].decode().lower()
    assert jiwer.wer(REFERENCE, text.strip().rstrip(".")) < 0.5  # recognised: the audio arrived intact


async def test_http_body_retried_after_503_carries_the_whole_audio(deployed: Deployed, corpus: Path) -> None:
    audio = (corpus / SPEECH).read_bytes()
    deployed.speech.fail(503, count=2)
    response = await deployed.post(audio, "audio/wav")
    assert response.status_code == 200, response.get_body()
    assert [(r.status, r.audio_bytes) for r in deployed.speech.requests()] == [
        (503, len(audio)),
        (503, len(audio)),
        (200, len(audio)),
    ]
    assert json.loads(response.get_body())["phrases"]


async def test_blob_over_size_limit_refused_at_once_with_failure_record_naming_the_limit(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch, store_reads: list[str]
) -> None:
    monkeypatch.setenv("MAX_AUDIO_BYTES", "100000")
    monkeypatch.setenv("BATCH_TRANSCRIPTION_ENABLED", "false")  # batch on: tests/app/batch
    await deployed.restart()
    deployed.upload("big.wav", (corpus / SPEECH).read_bytes())
    await deployed.blob_event("big.wav")

    record = deployed.failure_json("big.wav")
    assert record["error"]["code"] == "AudioTooLarge" and record["final"] is True
    assert "MAX_AUDIO_BYTES" in record["error"]["message"] and "100000" in record["error"]["message"]
    assert store_reads == ["start"] and deployed.speech.requests() == []  # 64 KiB read, no download
    assert "big.wav.json" not in deployed.transcripts()


async def test_blob_declaring_three_hours_refused_after_reading_only_its_start(
    deployed: Deployed, store_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCH_TRANSCRIPTION_ENABLED", "false")  # batch on: tests/app/batch
    deployed.upload("long.wav", wav_declaring(3 * 3600))
    await deployed.blob_event("long.wav")

    record = deployed.failure_json("long.wav")
    assert record["error"]["code"] == "AudioLengthLimitExceeded" and record["final"] is True
    assert "MAX_AUDIO_SECONDS" in record["error"]["message"] and "7200" in record["error"]["message"]
    assert store_reads == ["start"] and deployed.speech.requests() == []


async def test_blob_within_duration_setting_is_transcribed(
    deployed: Deployed, store_reads: list[str]
) -> None:
    deployed.upload("short.wav", wav_declaring(0.5))
    await deployed.blob_event("short.wav")
    assert "short.wav.json" in deployed.transcripts()
    assert store_reads == ["start", "download"]  # the download reuses the head, never refetches it


async def test_http_body_declaring_more_than_the_limit_is_422_naming_the_setting(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_AUDIO_SECONDS", "60")
    await deployed.restart()
    response = await deployed.post(wav_declaring(61), "audio/wav")
    assert response.status_code == 422
    error = json.loads(response.get_body())["error"]
    assert error["code"] == "AudioLengthLimitExceeded" and "MAX_AUDIO_SECONDS" in error["message"]
    assert deployed.speech.requests() == []


async def test_http_named_blob_over_size_limit_is_413_without_download(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch, store_reads: list[str]
) -> None:
    monkeypatch.setenv("MAX_AUDIO_BYTES", "100000")
    await deployed.restart()
    deployed.upload("named.wav", (corpus / SPEECH).read_bytes())
    response = await deployed.post(b'{"blob": "named.wav"}', "application/json")
    assert response.status_code == 413
    assert "MAX_AUDIO_BYTES" in json.loads(response.get_body())["error"]["message"]
    assert store_reads == ["start"] and deployed.speech.requests() == []
