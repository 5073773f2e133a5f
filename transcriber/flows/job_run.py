"""The queue-triggered run of one job, or of a deferred blob version, through the blob flow.

It keeps the blob trigger's invariant and claims: a job and a blob event make one Speech call.
"""

from __future__ import annotations

import logging

from transcriber.domain.deferred_version import DeferredVersion
from transcriber.domain.errors import ServiceError, TranscriberError
from transcriber.domain.invocation import Invocation
from transcriber.domain.names import failure_name
from transcriber.domain.privacy import job_label
from transcriber.domain.statuses import DEFERRED, FINISHED, RUNNING
from transcriber.flows.blob import process_blob
from transcriber.flows.failures import read_failure_and_etag
from transcriber.flows.jobs import records
from transcriber.flows.jobs.outcome import end_job
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def run_deferred(
    service: TranscriptionService, deferred: DeferredVersion, dequeue_count: int, invocation: Invocation
) -> str:
    """A deferred version back from the queue: its job's run, or the blob flow as a blob event
    runs it (the queue's tries are its tries); returns the job's or the outcome's status."""
    if deferred.job is not None:
        return await run_job(service, deferred.job, dequeue_count, invocation, deferred.owner)
    outcome = await process_blob(
        service, deferred.blob, _queue_try(service, invocation, dequeue_count), owner=deferred.owner
    )
    return outcome.status


def _queue_try(service: TranscriptionService, invocation: Invocation, dequeue_count: int) -> Invocation:
    """The invocation as one of the queue's tries (the last one records a final failure)."""
    return Invocation(
        function=invocation.function,
        invocation_id=invocation.invocation_id,
        traceparent=invocation.traceparent,
        retry_count=dequeue_count - 1,
        max_tries=service.settings.queue_max_dequeue_count,
    )


async def run_job(
    service: TranscriptionService,
    job_id: str,
    dequeue_count: int,
    invocation: Invocation,
    owner: str | None = None,
) -> str:
    """One delivery of job `job_id`'s message (`dequeue_count`: its try); returns the job's status.

    `owner`: the claim a deferred job's message comes back to (`transcriber.flows.deferral`)."""
    record = await records.read_job(service, job_id)
    if record is None:
        logger.warning("jobs queue: %s has no record; dropped", job_label(job_id))
        return "missing"
    if record.status in FINISHED:  # a redelivery: only what the end left undone
        return await end_job(service, record)
    record.status, record.attempts = RUNNING, max(dequeue_count, record.attempts or 0)
    record.deferred_until = None
    await records.write_job(service, record)
    name = record.source.name
    retry = _queue_try(service, invocation, dequeue_count)
    last_try = dequeue_count >= service.settings.queue_max_dequeue_count
    if record.retry_failed_at:
        await _clear_final_failure(service, name, record.source.etag, record.retry_failed_at)
    try:
        options = records.job_options(service, record)
        # a job without an owner (a backfill's) is charged as a blob event is: grant, or the app
        outcome = await process_blob(service, name, retry, options, record.id, owner, record.owner)
    except Exception as exc:  # the queue retries; after its last try the job reads failed, not running
        error = exc if isinstance(exc, TranscriberError) else ServiceError(f"unexpected {type(exc).__name__}")
        await end_job(service, record, last_error=error, last_try=last_try)
        raise
    if outcome.status == "queued":  # batch has it: the job's batch steps end it
        return RUNNING
    if outcome.status == "deferred":  # its message brings the job back (transcriber.flows.deferral)
        record.status, record.deferred_until = DEFERRED, outcome.deferred_until
        await records.write_job(service, record)
        return DEFERRED
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
