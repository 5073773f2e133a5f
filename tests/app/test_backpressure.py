"""Backpressure through Microsoft's runtime and the host's triggers: a busy Speech never fails a
recording, and no invocation waits for another's claim (docs/ARCHITECTURE.md, "Backpressure")."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.app.jobs_queue import Jobs
from tests.fixtures.functions import AppUnderTest
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.names import claim_name

FORMATS = {"json", "txt", "srt", "vtt"}


async def test_a_throttled_blob_is_deferred_through_the_jobs_queue_then_transcribed(
    deployed: AppUnderTest, corpus: Path, jobs: Jobs
) -> None:
    deployed.upload("busy.wav", (corpus / "cards-001.wav").read_bytes())
    deployed.speech.fail(429, count=1, retry_after=1)

    started = time.monotonic()
    delivery = await deployed.blob_event("busy.wav")

    assert delivery.status == "succeeded" and delivery.attempts == 1  # no retry spent, no failure
    assert time.monotonic() - started < 5  # handed to the queue, not slept through
    assert deployed.failures() == {}
    [claim] = deployed.claims().values()
    assert claim["state"] == "held" and claim["deferrals"] == 1
    assert datetime.fromisoformat(claim["deferredUntil"]) > datetime.now(UTC)
    deliveries = await jobs.run_until_empty(timeout=20)
    assert [d.status for d in deliveries] == ["succeeded"]
    assert {name.rsplit(".", 1)[1] for name in deployed.transcripts()} == FORMATS
    assert [r.status for r in deployed.speech.requests()] == [429, 200]
    assert deployed.failures() == {}


async def test_a_throttled_job_reads_deferred_until_its_message_comes_back(
    deployed: AppUnderTest, corpus: Path, jobs: Jobs
) -> None:
    deployed.speech.fail(429, count=1, retry_after=1)
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    await jobs.run()  # the job's first run meets the 429
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "deferred" and status["deferredUntil"]
    await jobs.run_until_empty(timeout=20)
    assert (await jobs.status_json(accepted["id"]))["status"] == "succeeded"


async def test_a_retry_finding_a_live_claim_looks_again_later_instead_of_waiting(
    deployed: AppUnderTest, corpus: Path, jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOB_CLAIM_TIMEOUT_SECONDS", "3")  # scaled: a worker killed mid-call
    etag = deployed.upload("orphan.wav", (corpus / "cards-001.wav").read_bytes())
    claims = deployed.storage.get_container_client(deployed.containers.failures)
    info = BlobInfo(deployed.containers.audio, "orphan.wav", etag, 0, None)
    held = {"owner": "f" * 32, "state": "held", "invocationId": "killed", "claimedAt": "now"}
    claims.upload_blob(claim_name(info), json.dumps(held))  # its holder died without a word

    started = time.monotonic()
    delivery = await deployed.blob_event("orphan.wav")
    assert delivery.status == "succeeded" and time.monotonic() - started < 2  # no wait for the claim
    assert deployed.transcripts() == {}
    runs = await jobs.run_until_empty(timeout=30)  # looks again until the claim is stale, then takes over
    assert {name.rsplit(".", 1)[1] for name in deployed.transcripts()} == FORMATS
    assert [r.status for r in deployed.speech.requests()] == [200]
    logs = [m for run in runs for invocation in run.invocations for m in invocation.log_messages()]
    assert any("took over a stale claim" in message for message in logs)


async def test_http_transcribe_answers_a_throttle_at_once_with_retry_after(
    deployed: AppUnderTest, corpus: Path
) -> None:
    deployed.speech.fail(429, count=1, retry_after=7)
    started = time.monotonic()
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 429 and time.monotonic() - started < 3
    assert response.headers["Retry-After"] == "7"
    assert len(deployed.speech.requests()) == 1  # never retried inside the request
