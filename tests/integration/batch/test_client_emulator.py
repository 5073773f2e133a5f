"""BatchClient against the Speech emulator's batch API (devtools/speech_emulator/batch): the same
engine as the fast route, status transitions, injected faults, result files by signed URL."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest

from devtools.speech_emulator import RunningEmulator
from transcriber.adapters.batch.client import BatchClient, BatchStatus
from transcriber.adapters.speech import SpeechClient
from transcriber.adapters.telemetry import NullTelemetry
from transcriber.config import SpeechSettings
from transcriber.domain.errors import AudioRejectedError, ServiceThrottledError
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.privacy import SDK_LOGGERS

EN = TranscriptionRequestOptions(locales=("en-US",))


def settings_for(emulator: RunningEmulator, *, key: bool = True) -> SpeechSettings:
    return SpeechSettings(emulator.endpoint, emulator.key if key else None, "2025-10-15", None, 60.0)


async def wait(client: BatchClient, transcription_id: str, timeout: float = 60) -> list[BatchStatus]:
    seen: list[BatchStatus] = []
    async with asyncio.timeout(timeout):
        while not seen or seen[-1].status not in ("Succeeded", "Failed"):
            seen.append(await client.status(transcription_id))
            await asyncio.sleep(0.05)
    return seen


@pytest.fixture
async def batch(speech: RunningEmulator) -> Any:
    client = BatchClient(settings_for(speech), NullTelemetry(), retry_backoff_factor=0)
    yield client
    await client.close()


async def test_batch_gives_the_fast_routes_transcript(
    speech: RunningEmulator, batch: BatchClient, corpus_host: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in SDK_LOGGERS:  # the app quiets them (transcriber.domain.privacy); here they speak at DEBUG
        caplog.set_level(logging.DEBUG, logger=name)
    url = f"{corpus_host}/cards-001.wav?sv=2024&sp=r&sig=AUDIOSAS"
    submitted = await batch.submit(url, EN, "cards")
    assert (await wait(batch, submitted.id))[-1].status == "Succeeded"
    result = await batch.result(submitted.id)

    fast = SpeechClient(settings_for(speech), NullTelemetry())
    try:
        expected = await fast.transcribe_url(url, EN)
    finally:
        await fast.close()
    assert [p["text"] for p in result["phrases"]] == [p["text"] for p in expected["phrases"]]
    assert result["combinedPhrases"] == expected["combinedPhrases"]
    words = [w["text"] for p in result["phrases"] for w in p["words"]]
    assert words == [w["text"] for p in expected["phrases"] for w in p["words"]]
    for got, want in zip(result["phrases"], expected["phrases"], strict=True):
        assert abs(got["offsetMilliseconds"] - want["offsetMilliseconds"]) <= 40  # 10 ms vs 40 ms grids
        assert set(got) == set(want) and got["locale"] == "en-US"
    assert abs(result["durationMilliseconds"] - expected["durationMilliseconds"]) <= 40

    operations = [(e.operation, e.auth) for e in speech.requests() if e.operation != "transcribe"]
    assert ("submit", "key") in operations and ("files", "key") in operations
    assert all(auth == "none" for op, auth in operations if op == "content")  # the SAS link, no key
    await batch.delete(submitted.id)
    assert speech.batch_jobs() == []
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("devtools", "uvicorn"))]
    assert any("Request URL" in message for message in ours)
    assert not [m for m in ours if "AUDIOSAS" in m or re.search(r"sig=(?!REDACTED)", m) or speech.key in m]


async def test_a_job_that_stays_running_then_fails_keeps_the_service_code(
    speech: RunningEmulator, batch: BatchClient, corpus_host: str
) -> None:
    speech.batch_script(
        not_started_polls=1, running_polls=3, fail_code="InvalidData", fail_message="bad audio"
    )
    submitted = await batch.submit(f"{corpus_host}/cards-002.wav", EN, "x")
    seen = await wait(batch, submitted.id)
    assert [s.status for s in seen][-1] == "Failed" and "Running" in [s.status for s in seen]
    assert (seen[-1].error_code, seen[-1].error_message) == ("InvalidData", "bad audio")
    with pytest.raises(AudioRejectedError) as raised:
        await batch.result(submitted.id)
    assert raised.value.code == "InvalidData"


async def test_throttled_polls_are_retried_and_a_long_retry_after_is_handed_back(
    speech: RunningEmulator, batch: BatchClient, corpus_host: str
) -> None:
    submitted = await batch.submit(f"{corpus_host}/cards-003.wav", EN, "x")
    speech.fail(429, count=2, retry_after=0, on=("status",))
    assert (await batch.status(submitted.id)).id == submitted.id
    assert [e.status for e in speech.requests() if e.operation == "status"][:3] == [429, 429, 200]
    speech.fail(429, count=1, retry_after=600, on=("status",))
    with pytest.raises(ServiceThrottledError) as raised:
        await batch.status(submitted.id)
    assert raised.value.retry_after == 600


async def test_token_auth_with_the_managed_identity(
    speech_tokens: RunningEmulator, managed_identity_env: Any, corpus_host: str
) -> None:
    client = BatchClient(settings_for(speech_tokens, key=False), NullTelemetry(), retry_backoff_factor=0)
    try:
        submitted = await client.submit(f"{corpus_host}/cards-001.wav", EN, "x")
        await wait(client, submitted.id)
        result = await client.result(submitted.id)
    finally:
        await client.close()
    assert result["phrases"]
    assert {e.auth for e in speech_tokens.requests() if e.operation in ("submit", "status", "files")} == {
        "bearer"
    }
    assert [entry.resource for entry in managed_identity_env.journal] == [
        "https://cognitiveservices.azure.com"
    ]
