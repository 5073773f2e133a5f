"""A submit that fails after the service may have created the transcription (a 5xx, a timeout):
the job never pays for two. The service's submit has no idempotency key, so the client never
retries such a submit itself, and the job's next look lists transcriptions by the attempt's
display name (`GET /speechtotext/transcriptions?filter=displayName eq '...'`) and adopts it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.app.batch.batch_app import (
    LIMIT,
    has_final_failure,
    has_outputs,
    job_records,
    run_until,
    submits,
    upload_file,
    use_emulator,
)
from tests.app.jobs_queue import Jobs
from transcriber.adapters.batch.client import BatchClient
from transcriber.domain.errors import ServiceError


def made_then_failed(monkeypatch: pytest.MonkeyPatch, count: int = 1) -> list[str]:
    """The next `count` submits reach the service (it creates the transcription), then answer 500."""
    real, made = BatchClient.submit, []

    async def submit(self: BatchClient, *args: Any, **kwargs: Any) -> Any:
        status = await real(self, *args, **kwargs)
        if len(made) < count:
            made.append(status.id)
            raise ServiceError("Azure AI Speech answered 500", code="InternalServerError")
        return status

    monkeypatch.setattr(BatchClient, "submit", submit)
    return made


async def test_a_submit_that_created_a_transcription_then_failed_is_adopted_not_repeated(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    made = made_then_failed(monkeypatch)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    assert len(submits(echo)) == 1  # the next look found it by its display name
    assert any(e.operation == "list" for e in echo.requests())
    [record] = job_records(jobs).values()
    assert record["batch"]["transcription"] == made[0] and "submitAttempt" not in record["batch"]
    assert echo.batch_jobs() == []  # and deleted it when done: nothing left to pay for


async def test_a_submit_that_made_nothing_is_submitted_again(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    echo.fail(500, count=1, on=("submit",))  # refused before the service made anything
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    created = [e for e in submits(echo) if e.status == 201]
    assert len(submits(echo)) == 2 and len(created) == 1
    assert echo.batch_jobs() == []


async def test_a_job_that_gives_up_after_ambiguous_submits_deletes_what_they_made(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT, BLOB_MAX_ATTEMPTS="1")
    made_then_failed(monkeypatch, count=1)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await run_until(jobs, has_final_failure(jobs, "big.wav"))
    assert echo.batch_jobs() == []  # the transcription the failed submit made is gone too
