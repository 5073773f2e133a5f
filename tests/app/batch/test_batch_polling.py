"""A batch job's looks: growing intervals through queue visibility, Retry-After, the wait's end.

The service stays Running for a while, answers 429, or never finishes; every look is a queue
message the app sent with a visibility timeout, delivered only once it is visible.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
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
from transcriber.flows.batch.schedule import MAX_SAS_RENEWALS


def batch_record(jobs: Jobs) -> dict[str, Any]:
    [record] = job_records(jobs).values()
    return record


async def test_a_transcription_that_stays_running_is_looked_at_later_and_later(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT, BATCH_POLL_INITIAL_SECONDS="1", BATCH_POLL_MAX_SECONDS="4")
    echo.batch_script(not_started_polls=1, running_polls=4)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    delays: dict[int, int] = {}  # look -> the interval it was scheduled after

    def done() -> bool:
        for record in job_records(jobs).values():
            if "nextDelaySeconds" in record["batch"]:
                delays.setdefault(record["batch"]["look"], record["batch"]["nextDelaySeconds"])
        return has_outputs(jobs, "big.wav")()

    await run_until(jobs, done)
    statuses = [e for e in echo.requests() if e.operation == "status"]
    assert len(statuses) >= 6 and len(submits(echo)) == 1
    assert [delays[look] for look in sorted(delays)][:4] == [1, 2, 4, 4], delays  # doubling, capped
    assert batch_record(jobs)["status"] == "succeeded"


async def test_the_next_look_is_invisible_until_its_interval_has_passed(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(
        jobs, echo, monkeypatch, **LIMIT, BATCH_POLL_INITIAL_SECONDS="30", BATCH_POLL_MAX_SECONDS="60"
    )
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    [submitted] = await jobs.run()  # the first step submits and schedules the first look in 30 s
    assert submitted.status == "succeeded" and len(submits(echo)) == 1
    assert await jobs.run() == []  # no function waits, and nothing is visible yet
    assert batch_record(jobs)["batch"]["nextDelaySeconds"] == 30


async def test_429_from_the_service_waits_for_its_retry_after_and_does_not_count_as_a_failure(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT, BLOB_MAX_ATTEMPTS="2")
    echo.fail(429, count=12, retry_after=1, on=("status",))  # more than the client retries itself
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    throttled = [e for e in echo.requests() if e.operation == "status" and e.status == 429]
    assert len(throttled) == 12
    assert "failed/big.wav.json" not in jobs.app.failures()  # throttling is not an attempt
    assert batch_record(jobs)["status"] == "succeeded"


async def test_a_service_that_keeps_failing_ends_with_a_final_failure_record(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT, BLOB_MAX_ATTEMPTS="2")
    echo.fail(500, count=1000, on=("status",))
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await run_until(jobs, has_final_failure(jobs, "big.wav"))
    assert jobs.app.transcripts() == {} and echo.batch_jobs() == []  # deleted at the service too


async def test_a_wait_past_the_maximum_ends_with_a_batch_timed_out_record(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT, BATCH_MAX_WAIT_HOURS="1")
    echo.batch_script(running_polls=1000)  # never finishes
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await jobs.run()  # submitted
    name, record = next(iter(job_records(jobs).items()))
    record["batch"]["queuedAt"] = (datetime.now(UTC) - timedelta(hours=2)).isoformat()  # two hours ago
    jobs.app.storage.get_blob_client(jobs.app.containers.failures, name).upload_blob(
        json.dumps(record), overwrite=True
    )
    await run_until(jobs, has_final_failure(jobs, "big.wav"))
    assert jobs.app.failure_json("big.wav")["error"]["code"] == "BatchTimedOut"
    assert echo.batch_jobs() == [] and jobs.app.transcripts() == {}


def expire_sas(jobs: Jobs, **batch: Any) -> None:
    """The job's SAS ended a minute ago (and any other batch fields given), as if hours had passed."""
    name, record = next(iter(job_records(jobs).items()))
    record["batch"].update(sasExpiresAt=(datetime.now(UTC) - timedelta(minutes=1)).isoformat(), **batch)
    jobs.app.storage.get_blob_client(jobs.app.containers.failures, name).upload_blob(
        json.dumps(record), overwrite=True
    )


async def test_a_transcription_failed_after_its_sas_ended_is_submitted_again_with_a_sas_twice_as_long(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)  # BATCH_SAS_LIFETIME_HOURS: 1 by default
    echo.batch_script(running_polls=1, fail_code="InvalidData", fail_message="The audio could not be read.")
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await jobs.run()  # submitted with a SAS for one hour
    expire_sas(jobs)  # the service came to read the audio after its SAS ended
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    assert len(submits(echo)) == 2 and echo.batch_jobs() == []  # the failed one deleted
    batch = batch_record(jobs)["batch"]
    left = datetime.fromisoformat(batch["sasExpiresAt"]) - datetime.now(UTC)
    assert batch["sasRenewals"] == 1 and timedelta(hours=1, minutes=50) < left <= timedelta(hours=2)
    assert "failed/big.wav.json" not in jobs.app.failures()


async def test_a_failure_after_the_last_renewal_is_final(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    echo.batch_script(running_polls=1, fail_code="InvalidData", fail_message="The audio could not be read.")
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await jobs.run()
    expire_sas(jobs, sasRenewals=MAX_SAS_RENEWALS)
    await run_until(jobs, has_final_failure(jobs, "big.wav"))
    assert len(submits(echo)) == 1 and jobs.app.failure_json("big.wav")["error"]["code"] == "InvalidData"


async def test_a_transcription_not_started_before_its_sas_ends_is_submitted_again_with_a_new_one(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT, BATCH_SAS_LIFETIME_HOURS="1")
    echo.batch_script(not_started_polls=1)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await jobs.run()  # submitted with a SAS for one hour
    name, record = next(iter(job_records(jobs).items()))
    record["batch"]["sasExpiresAt"] = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()  # nearly over
    jobs.app.storage.get_blob_client(jobs.app.containers.failures, name).upload_blob(
        json.dumps(record), overwrite=True
    )
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    assert len(submits(echo)) == 2 and echo.batch_jobs() == []  # the first one deleted


async def test_a_status_answers_retry_after_delays_the_next_look(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 status answer with Retry-After: the next look waits at least that long."""
    from dataclasses import replace

    from transcriber.adapters.batch.client import BatchClient

    use_emulator(jobs, echo, monkeypatch, **LIMIT, BATCH_POLL_INITIAL_SECONDS="1", BATCH_POLL_MAX_SECONDS="4")
    echo.batch_script(running_polls=1000)
    real = BatchClient.status

    async def status(self: BatchClient, transcription_id: str) -> Any:
        return replace(await real(self, transcription_id), retry_after=90)

    monkeypatch.setattr(BatchClient, "status", status)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await jobs.run()  # submitted; the first look in 1 s
    await run_until(jobs, lambda: batch_record(jobs)["batch"].get("polls", 0) >= 1)
    assert batch_record(jobs)["batch"]["nextDelaySeconds"] == 90


async def test_a_step_that_raises_on_every_try_fails_the_job_on_the_queues_last_try(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poisoned step message would end the chain of looks: the job must not stay `running`."""
    from transcriber.flows import batch_steps as steps

    use_emulator(jobs, echo, monkeypatch, **LIMIT, BATCH_POLL_INITIAL_SECONDS="1")
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    [submitted] = await jobs.run()
    assert submitted.status == "succeeded"

    async def broken_look(step: Any) -> str:
        raise RuntimeError("a bug in the look step")

    monkeypatch.setattr(steps, "_look", broken_look)
    deliveries = []
    for _ in range(60):  # the look is visible a second after the submit
        deliveries += await jobs.run()
        if has_final_failure(jobs, "big.wav")():
            break
        await asyncio.sleep(0.5)
    [looked] = [d for d in deliveries if len(d.invocations) > 1]
    assert looked.status == "succeeded" and len(looked.invocations) == 5  # host.json's maxDequeueCount
    assert jobs.poisoned() == []
    assert batch_record(jobs)["status"] == "failed"
    assert jobs.app.failure_json("big.wav")["error"]["code"] == "ServiceError"
    assert echo.batch_jobs() == [] and jobs.app.transcripts() == {}
