"""The queue-triggered run of one job, through the blob flow.

It keeps the blob trigger's invariant and claims: a job and a blob event make one Speech call.
"""

from __future__ import annotations

import logging

from transcriber.domain.errors import ServiceError, TranscriberError
from transcriber.domain.invocation import Invocation
from transcriber.domain.job_record import FINISHED, RUNNING
from transcriber.domain.names import failure_name
from transcriber.flows.blob import process_blob
from transcriber.flows.failures import read_failure_and_etag
from transcriber.flows.jobs import records
from transcriber.flows.jobs.outcome import end_job
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def run_job(
    service: TranscriptionService, job_id: str, dequeue_count: int, invocation: Invocation
) -> str:
    """One delivery of job `job_id`'s message (`dequeue_count`: its try); returns the job's status."""
    record = await records.read_job(service, job_id)
    if record is None:
        logger.warning("jobs queue: job %s has no record; dropped", job_id)
        return "missing"
    if record.status in FINISHED:  # a redelivery: only what the end left undone
        return await end_job(service, record)
    record.status, record.attempts = RUNNING, max(dequeue_count, record.attempts or 0)
    await records.write_job(service, record)
    name = record.source.name
    retry = Invocation(
        function=invocation.function,
        invocation_id=invocation.invocation_id,
        traceparent=invocation.traceparent,
        retry_count=dequeue_count - 1,
        max_tries=service.settings.queue_max_dequeue_count,
    )
    last_try = dequeue_count >= service.settings.queue_max_dequeue_count
    if record.retry_failed_at:
        await _clear_final_failure(service, name, record.source.etag, record.retry_failed_at)
    try:
        outcome = await process_blob(service, name, retry, records.job_options(service, record), record.id)
    except Exception as exc:  # the queue retries; after its last try the job reads failed, not running
        error = exc if isinstance(exc, TranscriberError) else ServiceError(f"unexpected {type(exc).__name__}")
        await end_job(service, record, last_error=error, last_try=last_try)
        raise
    if outcome.status == "queued":  # batch has it: the job's batch steps end it
        return RUNNING
    return await end_job(service, record, outcome_status=outcome.status)


async def _clear_final_failure(service: TranscriptionService, name: str, etag: str, failed_at: str) -> None:
    """A backfill retry: remove the final record it was queued for, so the version runs again.

    Only that record (same version, same failure time, unchanged since read): a newer outcome stays.
    """
    found = await read_failure_and_etag(service, name)
    if found is None:
        return
    failure, record_etag = found
    if failure.source_etag == etag and str(failure.failed_at) == failed_at:
        await service.store.delete(
            service.settings.failures_container, failure_name(name), if_etag=record_etag
        )
