"""The end of a batch job: the version's outcome through the blob flow's own code, then clean-up."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from transcriber.domain.errors import BlobNotFoundError, TranscriberError
from transcriber.domain.failure_record import RecordedError
from transcriber.domain.invocation import Invocation
from transcriber.domain.job_record import BATCH_DONE
from transcriber.domain.privacy import job_label
from transcriber.domain.statuses import FAILED, SUCCEEDED
from transcriber.flows import claims
from transcriber.flows.batch.claim_handover import parse_time
from transcriber.flows.batch.step import Step
from transcriber.flows.jobs.outcome import end_job
from transcriber.flows.outcomes import write_outcome
from transcriber.flows.transcribe import Transcription

logger = logging.getLogger(__name__)


async def succeeded(step: Step) -> str:

    service, info = step.service, step.info
    if not await still_there(step):
        return await superseded(step)
    transcription_id = step.transcription
    submitted = parse_time(step.batch.submitted_at)

    async def produce() -> Transcription:
        result = await service.batch.result(transcription_id)
        latency = (datetime.now(UTC) - submitted) / timedelta(milliseconds=1)
        return Transcription(
            result,
            step.options,
            "url",
            submitted,
            latency,
            route="batch",
            api_version=service.batch.api_version,
        )

    outcome = await write_outcome(service, info, _attempt(step), step.options, produce)
    return await _end(step, outcome.status)


async def failed(step: Step, error: TranscriberError) -> str:
    """A final failure record for the version (unless it is gone or replaced), then the end."""

    service, info = step.service, step.info
    if not await still_there(step):
        return await superseded(step)
    final = error if not error.transient else _permanent(error)

    async def produce() -> Transcription:
        raise final

    await write_outcome(service, info, _attempt(step), step.options, produce)
    logger.warning("%s: batch transcription failed: %s", job_label(step.record.id), error.code)
    return await _end(step, "failed")


def _permanent(error: TranscriberError) -> TranscriberError:
    """The last of BLOB_MAX_ATTEMPTS transient errors, as a final record's error (same code)."""
    return TranscriberError(f"{error.message} (after {error.code} on every try)", code=error.code)


async def _end(step: Step, outcome_status: str) -> str:
    """Delete the service's transcription, release the claim, end the job record."""

    service = step.service
    batch = step.batch
    if batch.transcription:
        await delete_transcription(step, batch.transcription)
    await _delete_attempt(step)
    if batch.claim and batch.claim_etag:
        await claims.release(service, claims.Claim(batch.claim, batch.claim_etag))
    batch.state = BATCH_DONE
    if step.record.origin == "blob":  # a blob event's job: the outputs are its only result
        step.record.status = FAILED if outcome_status in ("failed", "gone") else SUCCEEDED
        await step.save()
        return step.record.status
    return await end_job(service, step.record, outcome_status=outcome_status)


async def superseded(step: Step) -> str:
    """The blob was overwritten or deleted mid-batch: nothing is written for the old version."""
    logger.warning(
        "%s: the blob changed or was deleted during batch transcription", job_label(step.record.id)
    )
    if step.record.origin != "blob":
        step.record.error = RecordedError("AudioChanged", "the blob was replaced or deleted meanwhile")
    return await _end(step, "gone")


async def still_there(step: Step) -> bool:
    info = step.info
    try:
        current = await step.service.store.properties(info.container, info.name)
    except BlobNotFoundError:
        return False
    return current.etag == info.etag


async def delete_transcription(step: Step, transcription_id: str) -> None:
    try:
        await step.service.batch.delete(transcription_id)
    except TranscriberError as exc:  # the service deletes it after its time to live anyway
        logger.warning(
            "%s: could not delete the batch transcription: %s", job_label(step.record.id), exc.code
        )


async def _delete_attempt(step: Step) -> None:
    """A job ending after a submit that failed ambiguously: delete what that submit may have made."""
    attempt, step.batch.submit_attempt = step.batch.submit_attempt, None
    if attempt is None:
        return
    try:
        found = await step.service.batch.find(attempt.display_name)
    except TranscriberError as exc:  # the service deletes it after its time to live anyway
        logger.warning("%s: could not list batch transcriptions: %s", job_label(step.record.id), exc.code)
        return
    for status in found:
        if status.id != step.batch.transcription:
            await delete_transcription(step, status.id)


def _attempt(step: Step) -> Invocation:
    """Attempts as the blob flow counts them: the step's consecutive errors so far."""
    invocation = step.invocation
    return Invocation(
        function=invocation.function,
        invocation_id=invocation.invocation_id,
        traceparent=invocation.traceparent,
        retry_count=step.batch.errors or 0,
    )
