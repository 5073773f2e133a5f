"""Batch faults: throttled or failing requests, jobs that stay Running, jobs that end Failed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.batch_api import body, files, headers, settle, submit, wait


def test_batch_submit_answers_429_with_retry_after_then_accepts(
    echo: RunningEmulator, corpus_host: str
) -> None:
    echo.fail(429, retry_after=2, on=("submit",))
    throttled = submit(echo, body(f"{corpus_host}/cards-001.wav"))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert throttled.json()["code"] == "TooManyRequests"
    assert echo.batch_jobs() == []
    assert submit(echo, body(f"{corpus_host}/cards-001.wav")).status_code == 201


def test_batch_status_faults_hit_only_status_requests(echo: RunningEmulator, corpus_host: str) -> None:
    echo.fail(503, count=2, retry_after=0, on=("status",))
    location = submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"]
    answers = [httpx.get(location, headers=headers(echo)) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].json()["code"] == "ServiceUnavailable"
    assert [(r.operation, r.status) for r in echo.requests()] == [
        ("submit", 201),
        ("status", 503),
        ("status", 503),
        ("status", 200),
    ]


def test_batch_unaimed_fault_hits_the_next_speech_request_of_any_kind(
    echo: RunningEmulator, corpus_host: str
) -> None:
    echo.fail(500)
    assert submit(echo, body(f"{corpus_host}/cards-001.wav")).status_code == 500


def test_batch_job_stays_running_for_the_scripted_polls(echo: RunningEmulator, corpus_host: str) -> None:
    echo.batch_script(not_started_polls=2, running_polls=3)
    location = submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"]
    settle(echo)  # the work itself is done: only the script holds the status back
    status, seen = wait(echo, location)
    assert seen == ["NotStarted", "NotStarted", "Running", "Running", "Running", "Succeeded"]
    assert status["properties"]["durationMilliseconds"] == 1095


def test_batch_job_stays_running_for_the_scripted_seconds(echo: RunningEmulator, corpus_host: str) -> None:
    echo.batch_script(running_seconds=0.6)
    started = time.monotonic()
    status, _ = wait(echo, submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"])
    assert status["status"] == "Succeeded" and time.monotonic() - started >= 0.6


def test_batch_job_ends_failed_with_the_scripted_code(echo: RunningEmulator, corpus_host: str) -> None:
    echo.batch_script(fail_code="InvalidData", fail_message="The recordings URI contains invalid data.")
    status, _ = wait(echo, submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"])
    assert status["status"] == "Failed"
    assert status["properties"]["error"] == {
        "code": "InvalidData",
        "message": "The recordings URI contains invalid data.",
    }
    assert [f["kind"] for f in files(echo, status)] == ["TranscriptionReport"]
    following, _ = wait(echo, submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"])
    assert following["status"] == "Succeeded"  # one script per armed count


def test_batch_faults_and_scripts_over_the_control_route(echo: RunningEmulator, corpus_host: str) -> None:
    control = echo.endpoint + "/_emulator/faults"
    armed = httpx.post(control, json={"kind": "batch", "runningPolls": 2, "failCode": "FailedToDownload"})
    assert armed.status_code == 200 and armed.json()["batch"][0]["fail_code"] == "FailedToDownload"
    aimed = httpx.post(control, json={"kind": "status", "status": 429, "retryAfter": 0, "on": ["files"]})
    assert aimed.json()["pending"][0]["operations"] == ["files"]
    location = submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"]
    settle(echo)
    status, seen = wait(echo, location)
    assert seen == ["Running", "Running", "Failed"]
    assert status["properties"]["error"]["code"] == "FailedToDownload"
    assert httpx.get(status["links"]["files"], headers=headers(echo)).status_code == 429
    refused = httpx.post(control, json={"kind": "status", "status": 500, "on": ["everything"]})
    assert refused.status_code == 400
    assert httpx.delete(control).json() == {"pending": [], "batch": []}


def test_batch_content_download_faults_are_aimed_explicitly(echo: RunningEmulator, corpus_host: str) -> None:
    echo.fail(503, on=("content",))
    status, _ = wait(echo, submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"])
    link = files(echo, status)[0]["links"]["contentUrl"]
    assert httpx.get(link).status_code == 503
    assert httpx.get(link).status_code == 200


def test_batch_concurrent_jobs_and_deletes_while_running_all_end_cleanly(
    echo: RunningEmulator, corpus_host: str
) -> None:
    names = ["cards-001.wav", "jfk.flac", "cards-002.wav", "missing.wav"] * 4
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda name: submit(echo, body(f"{corpus_host}/{name}")), names))
    assert {a.status_code for a in answers} == {201}
    locations = [a.headers["Location"] for a in answers]
    for location in locations[:4]:  # deleted at once, while NotStarted or Running
        assert httpx.delete(location, headers=headers(echo)).status_code == 204
    with ThreadPoolExecutor(8) as pool:
        finals = list(pool.map(lambda location: wait(echo, location)[0]["status"], locations[4:]))
    expected = ["Failed" if name == "missing.wav" else "Succeeded" for name in names[4:]]
    assert finals == expected
    assert len(echo.batch_jobs()) == 12
    for location in locations[:4]:
        assert httpx.get(location, headers=headers(echo)).status_code == 404


def test_batch_finished_job_is_deleted_when_its_time_to_live_is_over(
    speech_emulator_factory: Any, corpus_host: str
) -> None:
    emulator = speech_emulator_factory(engine="echo", batch_hour_seconds=60.0)  # 6 h last 6 min
    answer = submit(emulator, body(f"{corpus_host}/cards-001.wav") | {"properties": {"timeToLiveHours": 6}})
    status, _ = wait(emulator, answer.headers["Location"])
    link = files(emulator, status)[0]["links"]["contentUrl"]
    assert httpx.get(link).status_code == 200
    (job,) = emulator.batch_jobs()
    assert job.finished_at is not None
    job.finished_at -= 6 * 60.0 + 1  # its time to live is over (no waiting in the test)
    assert httpx.get(answer.headers["Location"], headers=headers(emulator)).status_code == 404
    assert httpx.get(link).status_code == 404
    assert emulator.batch_jobs() == []
