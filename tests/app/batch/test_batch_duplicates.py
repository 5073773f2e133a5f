"""The invariant through a wait of hours: one transcript set or one failure record per blob version.

The batch job holds the version's claim (its body names the job) until the outcome is written,
so duplicate and concurrent blob deliveries return at once, duplicate step messages are dropped,
and a blob overwritten mid-batch gets its new version's outcome only.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from azure.storage.queue import QueueClient

from tests.app.batch.batch_app import (
    LIMIT,
    has_outputs,
    job_records,
    no_record_and_no_held_claim,
    queue_connection,
    run_until,
    submits,
    upload_file,
    use_emulator,
)
from tests.app.jobs_queue import Jobs, deliver


def queued(jobs: Jobs) -> list[str]:
    with QueueClient.from_connection_string(queue_connection(jobs), jobs.queue) as queue:
        return [m.content for m in queue.peek_messages(max_messages=32)]


def only_outcome(jobs: Jobs, name: str) -> None:
    """The version's transcript set and nothing else: no failure record, no claim left."""
    assert set(jobs.app.transcripts()) == {f"{name}.{ext}" for ext in ("json", "txt", "srt", "vtt")}
    no_record_and_no_held_claim(jobs)


async def test_concurrent_and_repeated_blob_deliveries_make_one_submission_and_one_outcome(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    echo.batch_script(running_polls=3)
    upload_file(jobs, "big.wav", big)
    first = await asyncio.gather(*(jobs.app.blob_event("big.wav") for _ in range(4)))
    assert [d.status for d in first] == ["succeeded"] * 4
    assert len(job_records(jobs)) == 1 and len(queued(jobs)) == 1  # one hand-over
    await jobs.run()  # submitted; the job now holds the claim for the whole wait
    during = await asyncio.gather(*(jobs.app.blob_event("big.wav") for _ in range(3)))
    assert [d.status for d in during] == ["succeeded"] * 3  # at once: none waits for the batch
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    after = await jobs.app.blob_event("big.wav")
    assert after.status == "succeeded" and await jobs.run() == []
    assert len(submits(echo)) == 1 and echo.batch_jobs() == []
    only_outcome(jobs, "big.wav")


async def test_duplicate_and_concurrent_step_messages_make_one_step(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    [text] = queued(jobs)
    results = await asyncio.gather(*(deliver(jobs.app.host, text) for _ in range(3)))  # at once
    assert [r.status for r in results] == ["succeeded"] * 3
    assert len(submits(echo)) == 1
    with QueueClient.from_connection_string(queue_connection(jobs), jobs.queue) as queue:
        queue.send_message(text)  # the same step once more, later: stale, dropped
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    assert len(submits(echo)) == 1 and echo.batch_jobs() == []
    only_outcome(jobs, "big.wav")


async def test_a_blob_overwritten_mid_batch_ends_with_its_new_versions_outcome_only(
    jobs: Jobs, echo: Any, big: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    echo.batch_script(running_polls=2)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    await jobs.run()  # submitted: the service reads the old version
    etag = jobs.app.upload("big.wav", (corpus / "cards-001.wav").read_bytes())  # small: fast
    await jobs.app.blob_event("big.wav")
    assert jobs.app.transcript_json("big.wav.json")["source"]["etag"] == etag

    def batch_ended() -> bool:
        return all(r["status"] in ("succeeded", "failed") for r in job_records(jobs).values())

    await run_until(jobs, batch_ended)
    document = jobs.app.transcript_json("big.wav.json")
    assert document["source"]["etag"] == etag and document["processing"]["route"] == "fast"
    assert echo.batch_jobs() == []  # the old version's transcription is deleted, its result unused
    only_outcome(jobs, "big.wav")
    assert json.loads(jobs.app.failures()[next(iter(job_records(jobs)))])["batch"]["state"] == "done"


async def test_a_batch_job_that_lost_its_message_is_taken_over_by_the_next_delivery(
    jobs: Jobs, echo: Any, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, **LIMIT)
    upload_file(jobs, "big.wav", big)
    await jobs.app.blob_event("big.wav")
    with QueueClient.from_connection_string(queue_connection(jobs), jobs.queue) as queue:
        queue.clear_messages()  # its message poisoned or lost: nobody looks at the job any more
    name, record = next(iter(job_records(jobs).items()))
    record["batch"]["nextLookAt"] = "2026-01-01T00:00:00+00:00"  # long overdue
    jobs.app.storage.get_blob_client(jobs.app.containers.failures, name).upload_blob(
        json.dumps(record), overwrite=True
    )
    again = await jobs.app.blob_event("big.wav")  # the host's redelivery, or a backfill
    assert again.status == "succeeded" and len(queued(jobs)) == 1  # the same job, restarted
    await run_until(jobs, has_outputs(jobs, "big.wav"))
    assert list(job_records(jobs)) == [name] and len(submits(echo)) == 1
    only_outcome(jobs, "big.wav")
