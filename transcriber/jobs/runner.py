"""The queue-triggered run of one job, through the blob pipeline.

`transcriber.pipeline.process_blob` does the work, so a job keeps the blob trigger's invariant
(one transcript set or one failure record per blob version) and its claims: a job and a blob
event for the same version make one Speech call. Transient failures raise, so the queue
redelivers (dequeue count = attempt); after maxDequeueCount the message goes to the poison queue.
That try is the job's last whatever BLOB_MAX_ATTEMPTS says (`Invocation.max_tries`): its failure
record is final, and the job reads failed (with the last error's code when no record was written). Every run ends in
`transcriber.jobs.outcome.end_job` (the outcome recorded, the job's own audio removed once final).
"""

from __future__ import annotations

import json
import logging

from transcriber.batch import steps as batch_steps
from transcriber.errors import ServiceError, TranscriberError
from transcriber.failure_records import failure_name
from transcriber.jobs import records
from transcriber.jobs.outcome import end_job
from transcriber.pipeline import process_blob
from transcriber.service import Invocation, TranscriptionService, get_service

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 1024


async def handle_job_message(text: str, dequeue_count: int, invocation: Invocation) -> str:
    """The queue trigger's entry: correlated telemetry around one job run; returns its status."""
    service = get_service()
    async with service.telemetry.invocation(
        name=invocation.function, traceparent=invocation.traceparent, invocation_id=invocation.invocation_id
    ):
        return await run_job(service, text, dequeue_count, invocation)


def parse_message(text: str) -> str | None:
    """The job id a message names, or None for a message no client of ours sends."""
    if len(text) > MAX_MESSAGE_CHARS:
        return None
    try:
        document = json.loads(text)
        return records.check_job_id(document.get("id") if isinstance(document, dict) else None)
    except (ValueError, TranscriberError):
        return None


async def run_job(
    service: TranscriptionService, text: str, dequeue_count: int, invocation: Invocation
) -> str:
    if batch_steps.parse_step(text) is not None:  # a batch job's step (transcriber.batch)
        return await batch_steps.run_step(service, text, dequeue_count, invocation)
    job_id = parse_message(text)
    if job_id is None:  # retrying cannot help, and a poison entry would only repeat it
        logger.warning("jobs queue: dropped a message that names no job")
        return "refused"
    record = await records.read_job(service, job_id)
    if record is None:
        logger.warning("jobs queue: job %s has no record; dropped", job_id)
        return "missing"
    if record["status"] in records.FINISHED:  # a redelivery: only what the end left undone
        return await end_job(service, record)
    record.update(status=records.RUNNING, attempts=max(dequeue_count, int(record.get("attempts", 0))))
    await records.write_job(service, record)
    name = record["source"]["name"]
    retry = Invocation(
        function=invocation.function,
        invocation_id=invocation.invocation_id,
        traceparent=invocation.traceparent,
        retry_count=dequeue_count - 1,
        max_tries=service.settings.queue_max_dequeue_count,
    )
    last_try = dequeue_count >= service.settings.queue_max_dequeue_count
    if record.get("retryFailedAt"):
        await _clear_final_failure(service, name, record["source"]["etag"], record["retryFailedAt"])
    try:
        outcome = await process_blob(service, name, retry, records.job_options(service, record), record["id"])
    except Exception as exc:  # the queue retries; after its last try the job reads failed, not running
        error = exc if isinstance(exc, TranscriberError) else ServiceError(f"unexpected {type(exc).__name__}")
        await end_job(service, record, last_error=error, last_try=last_try)
        raise
    if outcome.status == "queued":  # batch has it: the job's batch steps end it
        return records.RUNNING
    return await end_job(service, record, outcome_status=outcome.status)


async def _clear_final_failure(service: TranscriptionService, name: str, etag: str, failed_at: str) -> None:
    """A backfill retry: remove the final record it was queued for, so the version runs again.

    Only that record (same version, same failure time, unchanged since read): a newer outcome stays.
    """
    container = service.settings.failures_container
    found = await service.store.read_record(container, failure_name(name))
    if found is None:
        return
    failure, record_etag, _ = found
    if failure.get("source", {}).get("etag") == etag and str(failure.get("failedAt")) == failed_at:
        await service.store.delete(container, failure_name(name), if_etag=record_etag)
