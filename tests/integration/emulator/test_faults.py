"""Injected faults as the SDK meets them: azure-core retries 429 (Retry-After), 500 and 503."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.aio import TranscriptionClient as AsyncTranscriptionClient
from azure.ai.transcription.models import TranscriptionContent
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.conftest import AIOHTTP_BYTES_WARNING, FAST_RETRIES


def test_faults_429_is_retried_after_retry_after_with_the_whole_audio(
    client: TranscriptionClient, speech: RunningEmulator, cards: bytes
) -> None:
    speech.fail(429, retry_after=0.3)
    started = time.perf_counter()
    result = client.transcribe(TranscriptionContent(audio=cards))
    assert time.perf_counter() - started >= 0.3
    assert "clubs" in result.combined_phrases[0].text.lower()
    requests = speech.requests()
    assert [(r.status, r.fault) for r in requests] == [(429, "status 429"), (200, None)]
    assert [r.audio_bytes for r in requests] == [len(cards), len(cards)]


@pytest.mark.parametrize("status", [500, 503])
def test_faults_server_errors_are_retried_until_success(
    echo_client: TranscriptionClient, echo: RunningEmulator, status: int
) -> None:
    echo.fail(status, count=2)
    echo_client.transcribe(TranscriptionContent(audio=b"audio"))
    assert [r.status for r in echo.requests()] == [status, status, 200]
    assert {r.audio_bytes for r in echo.requests()} == {5}


def test_faults_persistent_500_fails_after_azure_core_retries(
    echo_client: TranscriptionClient, echo: RunningEmulator
) -> None:
    echo.fail(500, count=4)
    with pytest.raises(HttpResponseError) as caught:
        echo_client.transcribe(TranscriptionContent(audio=b"audio"))
    assert caught.value.status_code == 500 and caught.value.error is not None
    assert caught.value.error.code == "InternalServerError"
    assert [r.status for r in echo.requests()] == [500] * 4
    assert echo.faults.pending() == []


def test_faults_503_with_retry_after_zero_sends_the_header(echo: RunningEmulator) -> None:
    echo.fail(503, retry_after=0)
    with (
        TranscriptionClient(echo.endpoint, AzureKeyCredential(echo.key), retry_total=0) as client,
        pytest.raises(HttpResponseError) as caught,
    ):
        client.transcribe(TranscriptionContent(audio=b"audio"))
    assert caught.value.response.headers["Retry-After"] == "0"
    assert caught.value.response.json()["code"] == "ServiceUnavailable"


def test_faults_retried_file_object_arrives_empty_the_known_pitfall(
    client: TranscriptionClient, speech: RunningEmulator, corpus: Path
) -> None:
    speech.fail(503)
    with (corpus / "cards-001.wav").open("rb") as audio, pytest.raises(HttpResponseError) as caught:
        client.transcribe(TranscriptionContent(audio=audio))
    assert caught.value.status_code == 422
    assert [(r.status, r.audio_bytes) for r in speech.requests()] == [
        (503, (corpus / "cards-001.wav").stat().st_size),
        (422, 0),
    ]


@pytest.mark.filterwarnings(AIOHTTP_BYTES_WARNING)
async def test_faults_aio_client_retries_429_too(echo: RunningEmulator) -> None:
    echo.fail(429, count=2, retry_after=0.05)
    async with AsyncTranscriptionClient(
        echo.endpoint, AzureKeyCredential(echo.key), **FAST_RETRIES
    ) as client:
        result = await client.transcribe(TranscriptionContent(audio=b"audio"))
    assert result.phrases and [r.status for r in echo.requests()] == [429, 429, 200]


def test_faults_delay_holds_the_answer(echo_client: TranscriptionClient, echo: RunningEmulator) -> None:
    echo.delay(0.4)
    started = time.perf_counter()
    echo_client.transcribe(TranscriptionContent(audio=b"audio"))
    assert time.perf_counter() - started >= 0.4
    assert [(r.status, r.fault) for r in echo.requests()] == [(200, "delay 0.4s")]


def test_faults_delay_longer_than_read_timeout_times_out(
    echo_client: TranscriptionClient, echo: RunningEmulator
) -> None:
    echo.delay(1.0)
    with pytest.raises(ServiceResponseError):
        echo_client.transcribe(TranscriptionContent(audio=b"audio"), read_timeout=0.2)


def test_faults_drop_closes_the_connection_without_a_response(
    echo_client: TranscriptionClient, echo: RunningEmulator
) -> None:
    echo.drop()
    with pytest.raises(ServiceResponseError, match="without response"):
        echo_client.transcribe(TranscriptionContent(audio=b"audio"))
    assert echo_client.transcribe(TranscriptionContent(audio=b"audio")).phrases
    assert [(r.status, r.fault, r.audio_bytes) for r in echo.requests()] == [
        (None, "drop", 5),
        (200, None, 5),
    ]


@pytest.mark.filterwarnings(AIOHTTP_BYTES_WARNING)
async def test_faults_drop_reaches_the_aio_client_as_a_disconnect(echo: RunningEmulator) -> None:
    echo.drop()
    async with AsyncTranscriptionClient(echo.endpoint, AzureKeyCredential(echo.key), retry_total=0) as client:
        with pytest.raises((ServiceRequestError, ServiceResponseError)):
            await client.transcribe(TranscriptionContent(audio=b"audio"))


def test_faults_are_consumed_in_the_order_armed(echo: RunningEmulator) -> None:
    echo.fail(503)
    echo.delay(0.01)
    echo.drop()
    assert [f.describe() for f in echo.faults.pending()] == ["status 503", "delay 0.01s", "drop"]
    echo.reset()
    assert echo.faults.pending() == []


def test_faults_control_route_arms_lists_and_clears(
    echo_client: TranscriptionClient, echo: RunningEmulator
) -> None:
    control = echo.endpoint + "/_emulator"
    armed = httpx.post(
        control + "/faults", json={"kind": "status", "status": 503, "count": 2, "retryAfter": 0}
    )
    assert armed.status_code == 200 and len(armed.json()["pending"]) == 2
    echo_client.transcribe(TranscriptionContent(audio=b"audio"))
    journal = httpx.get(control + "/journal").json()["requests"]
    assert [r["status"] for r in journal] == [503, 503, 200] and all(r["auth"] == "key" for r in journal)
    httpx.post(control + "/faults", json={"kind": "drop"})
    assert httpx.delete(control + "/faults").json() == {"pending": [], "batch": []}
    assert httpx.delete(control + "/journal").json() == {"requests": []}
    assert httpx.post(control + "/faults", json={"kind": "explode"}).status_code == 400
    assert httpx.get(control + "/health").json()["engine"] == "echo"
