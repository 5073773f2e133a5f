"""The quota mode: a token bucket per resource, 429 with Retry-After beyond it, faults beside it."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from devtools.speech_emulator import DEFAULT_API_VERSION, RunningEmulator
from tests.integration.emulator.batch_api import API_VERSION as BATCH_API_VERSION

TRANSCRIBE = "/speechtotext/transcriptions:transcribe"
Factory = Callable[..., RunningEmulator]


def post(emulator: RunningEmulator, key: str | None = None, audio: bytes = b"audio") -> httpx.Response:
    """One fast transcription request, without the SDK's retries."""
    return httpx.post(
        emulator.endpoint + TRANSCRIBE,
        params={"api-version": DEFAULT_API_VERSION},
        files={"audio": ("audio", audio)},
        headers={"Ocp-Apim-Subscription-Key": key or emulator.key},
        timeout=30,
    )


def statuses(emulator: RunningEmulator) -> list[int | None]:
    return [entry.status for entry in emulator.requests()]


def test_quota_beyond_the_burst_answers_429_with_retry_after_and_the_service_body(
    speech_emulator_factory: Factory,
) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=60, quota_burst=2)
    with TranscriptionClient(emulator.endpoint, AzureKeyCredential(emulator.key), retry_total=0) as client:
        for _ in range(2):
            assert client.transcribe(TranscriptionContent(audio=b"audio")).phrases
        with pytest.raises(HttpResponseError) as caught:
            client.transcribe(TranscriptionContent(audio=b"audio"))
    refused = caught.value.response
    assert caught.value.status_code == 429 and caught.value.error is not None
    assert caught.value.error.code == "TooManyRequests"
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["apim-request-id"] and refused.headers["x-ms-region"] == "East US"
    assert refused.json() == {"code": "TooManyRequests", "message": "Resource Exhausted"}
    last = emulator.requests()[-1]
    assert statuses(emulator) == [200, 200, 429]
    assert last.throttled and last.error_code == "TooManyRequests" and last.audio_bytes is None
    assert last.fault is None and last.operation == "transcribe"


def test_quota_retry_after_is_whole_seconds_until_a_token_is_free(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=20, quota_burst=1)  # one token per 3 s
    before = time.monotonic()
    assert post(emulator).status_code == 200
    refused = post(emulator)
    between = time.monotonic() - before  # at most this long passed between the two on the server
    assert refused.status_code == 429
    assert max(1, math.ceil(3 - between)) <= int(refused.headers["Retry-After"]) <= 3


def test_quota_refills_at_its_rate(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=120, quota_burst=1)  # a token per 0.5 s
    assert post(emulator).status_code == 200
    assert post(emulator).status_code == 429
    time.sleep(0.6)
    assert post(emulator).status_code == 200
    assert statuses(emulator) == [200, 429, 200]


def test_quota_refused_requests_take_no_token(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=60, quota_burst=1)  # a token per second
    assert post(emulator).status_code == 200
    started = time.monotonic()  # the token was taken before this
    refused = 0
    while time.monotonic() - started < 0.9:
        assert post(emulator).status_code == 429
        refused += 1
    time.sleep(max(0.0, 1.1 - (time.monotonic() - started)))
    assert refused >= 5
    assert post(emulator).status_code == 200


def test_quota_requests_refused_for_their_key_take_no_token(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=1, quota_burst=1)
    assert post(emulator, key="guess").status_code == 401
    assert post(emulator).status_code == 200
    assert post(emulator).status_code == 429


def test_quota_sdk_retries_after_retry_after_and_succeeds(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=60, quota_burst=1)
    with TranscriptionClient(emulator.endpoint, AzureKeyCredential(emulator.key)) as client:
        client.transcribe(TranscriptionContent(audio=b"audio"))
        started = time.perf_counter()
        assert client.transcribe(TranscriptionContent(audio=b"audio")).phrases
    assert time.perf_counter() - started >= 0.9
    assert statuses(emulator) == [200, 429, 200]


def test_quota_large_upload_refused_reads_the_429_not_a_reset(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=1, quota_burst=1)
    assert post(emulator).status_code == 200
    refused = post(emulator, audio=b"\0" * (8 * 1024 * 1024))
    assert refused.status_code == 429 and refused.json()["code"] == "TooManyRequests"
    assert post(emulator).status_code == 429  # the connection is still usable


def test_quota_beside_faults_throttles_first_and_keeps_the_fault_for_an_admitted_request(
    speech_emulator_factory: Factory,
) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=120, quota_burst=1)
    assert post(emulator).status_code == 200
    emulator.fail(503, retry_after=0)
    assert post(emulator).status_code == 429  # throttled before the service: the fault waits
    assert [fault.describe() for fault in emulator.faults.pending()] == ["status 503"]
    time.sleep(0.6)
    assert post(emulator).status_code == 503  # admitted (a token spent), then the fault
    assert emulator.faults.pending() == []
    assert [(e.status, e.fault, e.throttled) for e in emulator.requests()] == [
        (200, None, False),
        (429, None, True),
        (503, "status 503", False),
    ]


def test_quota_concurrent_requests_admit_exactly_the_burst(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=1, quota_burst=10)
    answers: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        status = post(emulator).status_code
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=send) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [200] * 10 + [429] * 30
    assert sum(entry.throttled for entry in emulator.requests()) == 30


def test_quota_batch_operations_have_their_own_quota(speech_emulator_factory: Factory) -> None:
    emulator = speech_emulator_factory(engine="echo", quota_rpm=1, quota_burst=1, batch_quota_rpm=60)
    listing = emulator.endpoint + "/speechtotext/transcriptions"
    key = {"Ocp-Apim-Subscription-Key": emulator.key}
    answers = [
        httpx.get(listing, params={"api-version": BATCH_API_VERSION}, headers=key, timeout=30)
        for _ in range(11)  # the default burst: 10 s of 60 a minute
    ]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[-1].headers["Retry-After"] == "1" and answers[-1].json()["code"] == "TooManyRequests"
    assert post(emulator).status_code == 200  # fast transcription's bucket is another one
    assert [e.operation for e in emulator.requests() if e.throttled] == ["list"]


def test_quota_set_at_run_time_and_lifted_by_reset(echo: RunningEmulator) -> None:
    echo.set_quota(60, burst=1)
    assert post(echo).status_code == 200 and post(echo).status_code == 429
    echo.reset()  # the session emulator's config has no quota
    assert echo.quotas.limit("transcribe") is None
    assert all(post(echo).status_code == 200 for _ in range(3))


def test_quota_control_route_sets_reads_and_lifts(echo: RunningEmulator) -> None:
    control = echo.endpoint + "/_emulator/quota"
    assert httpx.get(control).json() == {"transcribe": None, "batch": None}
    shown = httpx.post(control, json={"rpm": 600}).json()
    assert shown["transcribe"] == {"rpm": 600, "burst": 100, "available": pytest.approx(100, abs=1)}
    httpx.post(control, json={"rpm": 6, "burst": 1})
    assert post(echo).status_code == 200
    refused = post(echo)
    assert refused.status_code == 429 and refused.headers["Retry-After"] in ("9", "10")
    assert httpx.post(control, json={"rpm": None}).json()["transcribe"] is None
    assert post(echo).status_code == 200
    assert httpx.post(control, json={"rpm": 120, "scope": "batch"}).json()["batch"]["burst"] == 20
    assert httpx.delete(control).json() == {"transcribe": None, "batch": None}
    for bad in ({"rpm": 0}, {"rpm": 60, "burst": 0}, {"rpm": 60, "scope": "content"}, {"rpm": "x"}):
        assert httpx.post(control, json=bad).status_code == 400
    journal = httpx.get(echo.endpoint + "/_emulator/journal").json()["requests"]
    assert [(r["status"], r["throttled"]) for r in journal] == [(200, False), (429, True), (200, False)]
