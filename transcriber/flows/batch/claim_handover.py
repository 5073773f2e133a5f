"""The blob flow hands a blob version to batch: a job record, its claim, its first message.

No function waits for batch: the job holds the version's claim for the whole wait.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.claim_record import HELD, ClaimRecord
from transcriber.domain.errors import ConditionNotMetError, TranscriberError
from transcriber.domain.job_record import BATCH_FOLLOW, BATCH_SUBMIT, BatchState, JobRecord
from transcriber.domain.names import claim_name
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.privacy import job_label
from transcriber.domain.statuses import FINISHED, QUEUED, RUNNING
from transcriber.flows.batch import schedule
from transcriber.flows.claims import Claim, read_claim, release, write_claim
from transcriber.flows.jobs import records
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


def version_job_id(info: BlobInfo) -> str:
    """The batch job of one blob version (32 hex digits, like every job id; no name data)."""
    return hashlib.sha256(
        f"{info.container}\n{info.name}\n{info.etag}".encode("utf-8", "surrogatepass")
    ).hexdigest()[:32]


def message(job_id: str, look: int) -> dict[str, Any]:
    """A batch step's queue message: the job and which look of it this is (older ones are dropped)."""
    return {"id": job_id, "batch": look}


async def held_by_batch(service: TranscriptionService, info: BlobInfo) -> str | None:
    """The id of the live batch job holding this version's claim, if one holds it.

    The job record is the holder: a job whose next look is overdue by more than two function
    timeouts has lost its message (poisoned, or the queue lost it), so its claim is marked
    released (If-Match) and the delivery asking takes the version over, restarting the same job.
    """
    settings = service.settings
    found = await read_claim(service, claim_name(info))
    job = found[0].job if found else None
    if found is None or job is None:
        return None
    record = await records.read_job(service, job)
    batch = record.batch if record is not None else None
    due = (batch.next_look_at or batch.queued_at) if batch is not None else None
    overdue = datetime.now(UTC) - timedelta(seconds=2 * settings.claim_timeout_seconds)
    if record is None or record.status in FINISHED or (due and parse_time(due) < overdue):
        logger.warning("%s holds a claim but looks at it no more: taking the version over", job_label(job))
        await release(service, Claim(claim_name(info), found[1]))  # marked released: taken at once
        return None
    return job


async def hand_over(
    service: TranscriptionService,
    info: BlobInfo,
    claim: Claim,
    options: TranscriptionRequestOptions,
    reason: str,
    job_id: str | None = None,
) -> str:
    """Queue the version's batch job and give it the claim; returns the job id.

    On any failure the claim is marked released (whatever its etag by then) and the error raised, so
    the delivery is retried and nothing is left claimed by a job that was never queued.
    """
    settings = service.settings
    current = claim
    try:
        record = await _job_record(service, info, options, job_id)
        look = _next_look(record)  # a restarted job's old messages go stale
        if record.batch and record.batch.transcription:  # a restarted job's submission: nobody looks at it
            await _forget(service, record.batch.transcription)
        held = ClaimRecord(
            HELD,
            owner=uuid.uuid4().hex,
            job=record.id,
            claimed_at=records.now(),
            stale_after_seconds=schedule.claim_hold_seconds(settings.batch, settings.claim_timeout_seconds),
            source_container=info.container,
            source_etag=info.etag,
        )
        etag = await write_claim(service, claim.name, held, if_etag=claim.etag)
        current = Claim(claim.name, etag)
        record.status = RUNNING
        record.batch = BatchState(
            BATCH_SUBMIT,
            look,
            reason,
            queued_at=records.now(),
            claim=claim.name,
            claim_etag=etag,
            errors=0,
            next_look_at=records.now(),
        )
        await records.write_job(service, record)
        await service.jobs.send_json(message(record.id, look))
    except BaseException:
        await release(service, current)
        raise
    logger.info(
        "%s: over fast transcription's limits (%s): batch transcription queued", job_label(record.id), reason
    )
    return record.id


async def follow(service: TranscriptionService, job_id: str, batch_job: str) -> None:
    """An HTTP job whose blob version another batch job holds: look at the outcome on a schedule."""
    record = await records.read_job(service, job_id)
    if record is None:
        return
    look = _next_look(record)
    record.status = RUNNING
    record.batch = BatchState(BATCH_FOLLOW, look, queued_at=records.now(), holder=batch_job, errors=0)
    await records.write_job(service, record)
    await service.jobs.send_json(
        message(job_id, look), delay_seconds=schedule.poll_delay(service.settings.batch, 0)
    )


async def _job_record(
    service: TranscriptionService, info: BlobInfo, options: TranscriptionRequestOptions, job_id: str | None
) -> JobRecord:
    """The HTTP job's own record, or the blob version's job record (created, or the earlier one)."""
    if job_id is not None:
        record = await records.read_job(service, job_id)
        if record is not None:
            return record
    origin = "blob" if job_id is None else "http"
    record = JobRecord(job_id or version_job_id(info), QUEUED, info, options, 0, records.now(), origin=origin)
    if job_id is None:
        try:
            await records.write_job(service, record, create=True)
        except ConditionNotMetError:  # a holder that died after creating it: the same job, restarted
            earlier = await records.read_job(service, record.id)
            if earlier is not None:
                return earlier
    return record


async def _forget(service: TranscriptionService, transcription_id: str) -> None:
    try:
        await service.batch.delete(transcription_id)
    except TranscriberError as exc:  # the service deletes it after its time to live anyway
        logger.warning("could not delete an abandoned batch transcription: %s", exc.code)


def _next_look(record: JobRecord) -> int:
    """The look a (re)started batch job begins at: after any its record had."""
    earlier = record.batch.look if record.batch is not None else None
    return (earlier if earlier is not None else -1) + 1


def parse_time(value: str | None) -> datetime:
    """A time the record keeps (ValueError when it has none)."""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
