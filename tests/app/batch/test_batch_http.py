"""HTTP: POST /api/transcriptions takes the batch route for a blob over the fast limits;
POST /api/transcribe answers such a blob with 413 naming /api/transcriptions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure.storage.queue import QueueClient

from tests.app.batch.batch_app import (
    LIMIT,
    job_records,
    queue_connection,
    run_until,
    submits,
    upload_file,
    use_emulator,
)
from tests.app.jobs_queue import Jobs


def job_ended(jobs: Jobs, job_id: str) -> Callable[[], bool]:
    return lambda: job_records(jobs)[f"jobs/{job_id}.json"]["status"] in ("succeeded", "failed")


async def test_a_job_for_a_blob_over_the_limits_runs_through_batch_to_success(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    echo.batch_script(running_polls=2)
    upload_file(jobs, "board/2026-11.wav", big)
    accepted = await jobs.submit(json.dumps({"blob": "board/2026-11.wav"}).encode(), "application/json")
    await jobs.run()  # the job hands the blob to batch
    await jobs.run()  # and submits it
    assert (await jobs.status_json(accepted["id"]))["status"] == "running"
    await run_until(jobs, job_ended(jobs, accepted["id"]))
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded"
    assert {o["name"] for o in status["outputs"]} == {
        f"board/2026-11.wav.{ext}" for ext in ("json", "txt", "srt", "vtt")
    }
    text = await jobs.status(accepted["id"], "format=text")
    assert text.status_code == 200 and text.get_body().strip()
    result = json.loads((await jobs.status(accepted["id"], "format=json")).get_body())
    assert result["phrases"] and len(submits(echo)) == 1


async def test_a_job_and_the_blob_event_for_the_same_version_make_one_batch_transcription(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")  # the blob event hands the version to its batch job first
    accepted = await jobs.submit(json.dumps({"blob": "big.wav"}).encode(), "application/json")
    await run_until(jobs, job_ended(jobs, accepted["id"]))
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and len(submits(echo)) == 1
    assert jobs.app.transcript_json("big.wav.json")["processing"]["route"] == "batch"


async def test_transcribe_answers_a_blob_over_the_limits_with_413_naming_the_jobs_route(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    upload_file(jobs, "big.wav", big)
    response = await jobs.app.post(json.dumps({"blob": "big.wav"}).encode(), "application/json")
    assert response.status_code == 413
    error = json.loads(response.get_body())["error"]
    assert error["code"] == "UseTranscriptionsJob" and "/api/transcriptions" in error["message"]
    assert echo.requests() == []


async def test_a_job_following_a_batch_job_that_died_takes_the_version_over(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")  # the blob event's batch job holds the version
    [(holder, record)] = job_records(jobs).items()
    accepted = await jobs.submit(json.dumps({"blob": "big.wav"}).encode(), "application/json")
    with QueueClient.from_connection_string(queue_connection(jobs), jobs.queue) as queue:
        for message in queue.receive_messages(max_messages=32, visibility_timeout=1):  # lose the holder's
            if json.loads(message.content)["id"] == record["id"]:
                queue.delete_message(message)
    record["batch"]["nextLookAt"] = "2026-01-01T00:00:00+00:00"  # and nobody looks at it any more
    jobs.app.storage.get_blob_client(jobs.app.containers.failures, holder).upload_blob(
        json.dumps(record), overwrite=True
    )
    await run_until(jobs, job_ended(jobs, accepted["id"]))
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and len(submits(echo)) == 1
    assert jobs.app.transcript_json("big.wav.json")["processing"]["route"] == "batch"


async def test_a_job_asking_batch_for_a_phrase_list_is_refused_at_once_naming_it(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch has no phrase list: a 400 naming the option, before any job, SAS or submission."""
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    upload_file(jobs, "big.wav", big)
    body = json.dumps({"blob": "big.wav", "phrases": ["Contoso"]}).encode()
    response = await jobs.app.call("POST", "/api/transcriptions", body, {"Content-Type": "application/json"})
    assert response.status_code == 400, response.get_body()
    error = json.loads(response.get_body())["error"]
    assert error["code"] == "OptionNotAvailableInBatch" and "phrases" in error["message"]
    assert job_records(jobs) == {} and echo.requests() == []


async def test_a_blob_event_whose_defaults_batch_lacks_ends_with_a_failure_naming_the_option(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT, TRANSCRIPTION_PHRASE_LIST="Contoso,Fabrikam")
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    failure = jobs.app.failure_json("big.wav")
    assert failure["final"] is True and failure["error"]["code"] == "OptionNotAvailableInBatch"
    assert "phrases" in failure["error"]["message"]
    assert job_records(jobs) == {} and echo.requests() == [] and jobs.app.transcripts() == {}
