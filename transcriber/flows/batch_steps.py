"""A batch job's steps, one queue message each: submit, look at the status, finish.

Above `transcriber.flows.blob`, since a step may run the blob flow again (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from transcriber.domain.errors import (
    BatchTimedOutError,
    ServiceError,
    ServiceThrottledError,
    TranscriberError,
)
from transcriber.domain.failure_record import RecordedError
from transcriber.domain.invocation import Invocation
from transcriber.domain.job_record import BATCH_DONE, BATCH_FOLLOW, BATCH_RUNNING, BATCH_SUBMIT, SubmitAttempt
from transcriber.domain.pacing import jittered
from transcriber.domain.privacy import job_label
from transcriber.domain.statuses import FAILED, FINISHED, RUNNING
from transcriber.flows.batch import claim_handover, completion, schedule
from transcriber.flows.batch.claim_handover import parse_time
from transcriber.flows.batch.step import Step, parse_step
from transcriber.flows.blob import process_blob
from transcriber.flows.jobs import records
from transcriber.flows.jobs.outcome import end_job
from transcriber.flows.outcomes import outcome_written
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def run_step(
    service: TranscriptionService, text: str, dequeue_count: int, invocation: Invocation
) -> str:
    """The jobs queue's entry for batch steps; returns the job's status."""
    parsed = parse_step(text)
    if parsed is None:
        logger.warning("jobs queue: dropped a batch message that names no job")
        return "refused"
    job_id, look = parsed
    found = await records.read_job_and_etag(service, job_id)
    if found is None or found[0].batch is None:
        logger.warning("jobs queue: batch %s has no record; dropped", job_label(job_id))
        return "missing"
    record, etag = found
    step = Step(service, record, etag, invocation)
    current = step.batch.look or 0
    if record.status in FINISHED or step.batch.state == BATCH_DONE:
        return record.status
    if look != current:
        if (
            look == current - 1 and dequeue_count > 1
        ):  # our own earlier try saved the look, then lost its send
            await step.send_current()
        return record.status
    try:
        return await _step(step, job_id)
    except Exception as exc:  # the queue retries it; its last try ends the job, never leaves it running
        if dequeue_count < service.settings.queue_max_dequeue_count:
            raise
        error = exc if isinstance(exc, TranscriberError) else ServiceError(f"unexpected {type(exc).__name__}")
        logger.warning(
            "%s: batch step failed on the queue's last try (%s); the job fails", job_label(job_id), error.code
        )
        return await completion.failed(step, error)


async def _step(step: Step, job_id: str) -> str:
    """One step of the job's state machine: submit, look, or follow another job's outcome."""
    service, record = step.service, step.record
    state = step.batch.state
    try:
        if state == BATCH_SUBMIT:
            return await _submit(step)
        if state == BATCH_RUNNING:
            return await _look(step)
        if state == BATCH_FOLLOW:
            return await _follow(step)
    except ServiceThrottledError as exc:
        logger.info("%s: batch throttled (429); looking again after %s s", job_label(job_id), exc.retry_after)
        delay = schedule.throttled_delay(step.settings, step.batch.polls or 0, exc.retry_after)
        return await step.look_again(jittered(delay))  # never sooner than Retry-After, spread
    except TranscriberError as exc:
        if exc.code == "QueueError":  # the next look was saved but not sent: the retried delivery sends it
            raise
        if not exc.transient:
            return await completion.failed(step, exc)
        errors = step.batch.errors = (step.batch.errors or 0) + 1
        step.batch.last_error = RecordedError.of(exc)
        if errors >= service.settings.blob_max_attempts:
            return await completion.failed(step, exc)
        logger.warning("%s: batch step failed (%s); looking again", job_label(job_id), exc.code)
        return await step.look_again(schedule.poll_delay(step.settings, errors))
    logger.warning("%s: unknown batch state; dropped", job_label(job_id))
    return record.status


async def _submit(step: Step, *, replacing: str | None = None) -> str:
    service, info = step.service, step.info
    if not await completion.still_there(step):
        return await completion.superseded(step)
    started, look = step.batch.submitting, step.batch.look
    timeout = timedelta(seconds=service.settings.claim_timeout_seconds)
    if started and step.batch.submitting_look == look and parse_time(started) > datetime.now(UTC) - timeout:
        return RUNNING  # another delivery of this look is submitting (within a function's time)
    adopted = await _adopt_attempt(step)
    if adopted is not None:
        return await _submitted(step, *adopted, replacing=replacing)
    lifetime = schedule.sas_lifetime(step.settings, step.batch.sas_renewals or 0)
    expires = datetime.now(UTC) + lifetime
    # the job's label, not its id (the id opens the transcript; Speech's readers need not see it);
    # the name is kept in the record, so a later look finds the submit by it whatever the key is
    name = f"transcriber {job_label(step.record.id)} look {look}"
    step.batch.submitting, step.batch.submitting_look = records.now(), look
    step.batch.submit_attempt = SubmitAttempt(name, expires.isoformat())
    if not await step.save():  # one of two concurrent deliveries submits
        return RUNNING
    url = await service.store.read_sas_url(info, lifetime)
    status = await service.batch.submit(url, step.options, display_name=name)
    return await _submitted(step, status.id, expires.isoformat(), replacing=replacing)


async def _adopt_attempt(step: Step) -> tuple[str, str] | None:
    """After a submit that failed where the service may have made the transcription anyway (a
    5xx, a timeout: the API has no idempotency key), look for it by the attempt's display name.

    Returns (id, SAS expiry) of the one to keep; any others of that name are deleted, so the job
    never leaves a transcription it pays for. None when the attempt made nothing.
    """
    attempt = step.batch.submit_attempt
    if attempt is None:
        return None
    found = await step.service.batch.find(attempt.display_name)
    if not found:
        step.batch.submit_attempt = None
        return None
    for extra in found[1:]:
        await completion.delete_transcription(step, extra.id)
    logger.info("%s: adopted the transcription an earlier failed submit made", job_label(step.record.id))
    return found[0].id, attempt.sas_expires_at


async def _submitted(step: Step, transcription: str, sas_expires_at: str, *, replacing: str | None) -> str:
    if replacing is not None and replacing != transcription:
        await completion.delete_transcription(step, replacing)
    batch = step.batch
    batch.submit_attempt = None
    batch.state, batch.transcription = BATCH_RUNNING, transcription
    batch.submitted_at = batch.submitted_at or records.now()
    batch.sas_expires_at, batch.polls, batch.errors = sas_expires_at, 0, 0
    logger.info("%s: batch transcription submitted", job_label(step.record.id))
    return await step.look_again(schedule.poll_delay(step.settings, 0))


async def _look(step: Step) -> str:
    service, now = step.service, datetime.now(UTC)
    if step.batch.submit_attempt:  # a replacement submit failed: did it make one anyway?
        adopted = await _adopt_attempt(step)
        if adopted is not None:
            return await _submitted(step, *adopted, replacing=step.transcription)
    status = await service.batch.status(step.transcription)
    step.batch.errors, step.batch.service_status = 0, status.status
    if status.status == "Succeeded":
        return await completion.succeeded(step)
    if status.status == "Failed" and _renewed(step, now, status.error_code):
        return await _submit(step, replacing=step.transcription)
    if status.status == "Failed":
        error = TranscriberError(
            status.error_message or "batch transcription failed", code=status.error_code or "BatchFailed"
        )
        return await completion.failed(step, error)
    if now >= schedule.deadline(step.settings, parse_time(step.batch.queued_at)):
        hours = step.settings.max_wait_hours
        return await completion.failed(
            step, BatchTimedOutError(f"batch transcription did not finish within {hours} h")
        )
    polls = (step.batch.polls or 0) + 1
    delay = schedule.look_delay(step.settings, polls, status.retry_after)
    if schedule.needs_fresh_sas(status.status, parse_time(step.batch.sas_expires_at), now, delay):
        logger.info(
            "%s: not started before its SAS ends: submitting again with a new one", job_label(step.record.id)
        )
        return await _submit(step, replacing=step.transcription)
    step.batch.polls = polls
    return await step.look_again(delay)


def _renewed(step: Step, now: datetime, error_code: str | None) -> bool:
    """A failure past the SAS's end, within the wait: count a renewal, so the next submit's SAS is
    twice as long (`schedule.renew_after_failure`)."""
    renewals = step.batch.sas_renewals or 0
    if now >= schedule.deadline(step.settings, parse_time(step.batch.queued_at)):
        return False
    if not schedule.renew_after_failure(parse_time(step.batch.sas_expires_at), now, renewals):
        return False
    step.batch.sas_renewals = renewals + 1
    hours = schedule.sas_lifetime(step.settings, renewals + 1).total_seconds() / 3600
    logger.warning(
        "%s: batch transcription failed (%s) after its SAS ended: submitting again with a SAS of %g h",
        job_label(step.record.id),
        error_code or "no code",
        hours,
    )
    return True


async def _follow(step: Step) -> str:
    """An HTTP job whose version another batch job transcribes: done when that outcome is written."""

    service = step.service
    if await _outcome_written(step):
        step.batch.state = BATCH_DONE
        return await end_job(service, step.record, outcome_status="transcribed")
    if datetime.now(UTC) >= schedule.deadline(step.settings, parse_time(step.batch.queued_at)):
        step.batch.state = BATCH_DONE
        step.record.status, step.record.error = FAILED, RecordedError(BatchTimedOutError.code, "no outcome")
        await step.save()
        return FAILED
    if await claim_handover.held_by_batch(service, step.info) is None:  # the job it followed is gone
        return await _take_over(step)
    polls = step.batch.polls = (step.batch.polls or 0) + 1
    return await step.look_again(schedule.poll_delay(step.settings, polls))


async def _take_over(step: Step) -> str:
    """The followed batch job ended without an outcome or lost its claim: run this job's blob
    through the blob flow again (it claims the version, and hands it to this job if need be)."""

    step.batch.state = BATCH_DONE
    if not await step.save():
        return RUNNING
    record_id, name = step.record.id, step.info.name
    outcome = await process_blob(
        step.service, name, step.invocation, step.options, record_id, payer=step.record.owner
    )
    if outcome.status == "queued":
        return RUNNING
    record = await records.read_job(step.service, record_id) or step.record
    return await end_job(step.service, record, outcome_status=outcome.status)


async def _outcome_written(step: Step) -> bool:

    return await outcome_written(step.service, step.info)
