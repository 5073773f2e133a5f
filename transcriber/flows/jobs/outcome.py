"""A job's end: its outcome read into the record, its own audio removed, downstream told.

`end_job` is the one way a job ends, whichever route ran it.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta

from transcriber.adapters.callbacks import send_callback
from transcriber.domain.errors import ConditionNotMetError, InvalidCallbackError, TranscriberError
from transcriber.domain.failure_record import RecordedError
from transcriber.domain.job_record import CallbackState, JobRecord
from transcriber.domain.names import job_of_audio, output_name
from transcriber.domain.privacy import job_label
from transcriber.domain.statuses import FAILED, FINISHED, SUCCEEDED
from transcriber.flows.failures import read_failure
from transcriber.flows.jobs import records
from transcriber.flows.jobs.completions import notify
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


def owns_audio(record: JobRecord) -> bool:
    """The job's source is audio it was sent (stored for it), not a blob the caller named."""
    return job_of_audio(record.source.name) == record.id


async def end_job(
    service: TranscriptionService,
    record: JobRecord,
    *,
    outcome_status: str | None = None,
    last_error: TranscriberError | None = None,
    last_try: bool = False,
) -> str:
    """Read the blob version's outcome into the job record; when final, clean up and tell.

    `record` is the job as read (queued or running); `outcome_status` the blob flow's (`gone`:
    the audio vanished before it could be read); `last_error` a transient error the queue will
    retry, unless this was the queue's `last_try` (the message is poisoned next: the job fails
    with that error when no final record says more). A record already finished (a redelivery) only gets what its end left undone (the
    audio's removal, the callback). Returns the job's status.
    """
    name = record.source.name
    if record.status not in FINISHED:
        stored = await records.read_job(service, record.id)
        if stored is not None and stored.status in FINISHED:  # ended meanwhile
            record = stored
    if record.status not in FINISHED:
        await _read_outcome(service, record, outcome_status, last_error, last_try)
        await records.write_job(service, record)
        logger.info("%s: %s", job_label(record.id), record.status)
        if record.status not in FINISHED:
            return record.status
        message = {"kind": "job", "id": record.id, "blob": name, "status": record.status}
        await notify(service, message)
    await _remove_audio(service, record)
    if record.callback_url:
        record, sending = await _claim_callback(service, record)
        if sending:
            try:
                record.callback = await send_callback(service.settings, record)
            except InvalidCallbackError as exc:
                record.callback = CallbackState(delivered=False, refused=exc.message)
            await records.write_job(service, record)
    return record.status


async def _claim_callback(service: TranscriptionService, record: JobRecord) -> tuple[JobRecord, bool]:
    """The record as stored now, and whether this delivery sends the callback: it marked the
    stored record first, If-Match.

    Two deliveries of one job ending at once both reach here; only the one whose conditional
    write lands sends, the other sees the mark. A mark left by a sender that died (older than
    the claim timeout, the function timeout) is taken over, so a callback is never lost for good.
    """
    for _ in range(5):  # each lost race is another delivery's write: read again and decide
        found = await records.read_job_and_etag(service, record.id)
        if found is None:
            return record, False
        stored, etag = found
        if stored.callback is not None and not _stale(service, stored.callback):
            return stored, False
        stored.callback = CallbackState(sending=True, since=records.now())
        try:
            await records.write_job(service, stored, if_etag=etag)
        except ConditionNotMetError:
            continue
        return stored, True
    return record, False


def _stale(service: TranscriptionService, mark: CallbackState) -> bool:
    if not mark.sending:
        return False
    try:
        since = datetime.fromisoformat(str(mark.since).replace("Z", "+00:00"))
    except ValueError:  # not a mark this app wrote
        return True
    return datetime.now(UTC) - since > timedelta(seconds=service.settings.claim_timeout_seconds)


async def _read_outcome(
    service: TranscriptionService,
    record: JobRecord,
    outcome_status: str | None,
    last_error: TranscriberError | None,
    last_try: bool = False,
) -> None:
    """The version's outcome, whoever wrote it: its transcript set, or its final failure record.

    `gone` (the blob vanished before this run could read it) is a failure only when no outcome
    of the version the job was made for exists: a concurrent delivery of the same job may have
    finished it and removed its audio meanwhile, leaving the outputs behind.
    """
    settings, name = service.settings, record.source.name
    found = await read_failure(service, name)
    etag = await service.store.source_etag(settings.transcripts_container, output_name(name, "json"))
    if outcome_status == "gone":
        version = record.source.etag
        etag = etag if etag == version else None
        found = found if found is not None and found.source_etag == version else None
    if etag is not None and (found is None or found.source_etag != etag):
        record.status, record.outputs, record.error = SUCCEEDED, _outputs(service, name), None
        record.source = dataclasses.replace(record.source, etag=etag)
    elif found is not None and found.final:
        record.status, record.error = FAILED, found.error
    elif outcome_status == "gone":
        record.status, record.error = FAILED, RecordedError("BlobNotFound", "the blob is gone")
    elif last_error is not None and last_try:  # no outcome was recorded, and the queue gives up
        record.status, record.error = FAILED, RecordedError.of(last_error)
    elif last_error is not None:
        record.error = RecordedError.of(last_error, retrying=True)


async def _remove_audio(service: TranscriptionService, record: JobRecord) -> None:
    """Delete the job's own audio; the record says so before the BlobDeleted event can arrive."""
    if not owns_audio(record) or record.audio_removed_at or record.keep_audio:
        return  # kept audio (`keepAudio`) goes with the job's other blobs (the `jobs/` lifecycle rule)
    record.audio_removed_at = records.now()
    await records.write_job(service, record)
    try:
        await service.store.delete(service.settings.audio_container, record.source.name)
    except TranscriberError as exc:  # the outcome stands; the lifecycle rule removes it later
        logger.warning("%s: its audio could not be removed: %s", job_label(record.id), exc.message)


def _outputs(service: TranscriptionService, name: str) -> list[str]:
    return [output_name(name, "json"), *(output_name(name, fmt) for fmt in service.settings.output_formats)]
