"""A job's end: its outcome read into the record, its own audio removed, downstream told.

`end_job` is the one way a job ends, whichever route ran it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from transcriber.adapters.callbacks import send_callback
from transcriber.domain import names
from transcriber.domain.errors import ConditionNotMetError, InvalidCallbackError, TranscriberError
from transcriber.domain.names import job_audio_name, output_name
from transcriber.flows.failures import read_failure
from transcriber.flows.jobs import records
from transcriber.flows.jobs.completions import notify
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


def owns_audio(record: dict[str, Any]) -> bool:
    """The job's source is audio it was sent (stored for it), not a blob the caller named."""
    return record["source"]["name"] == job_audio_name(record["id"])


async def end_job(
    service: TranscriptionService,
    record: dict[str, Any],
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
    name = record["source"]["name"]
    if record["status"] not in records.FINISHED:
        stored = await records.read_job(service, record["id"])
        if stored is not None and stored["status"] in records.FINISHED:  # ended meanwhile
            record.clear()
            record.update(stored)
    if record["status"] not in records.FINISHED:
        await _read_outcome(service, record, outcome_status, last_error, last_try)
        await records.write_job(service, record)
        logger.info("job %s: %s", record["id"], record["status"])
        if record["status"] not in records.FINISHED:
            return str(record["status"])
        message = {"kind": "job", "id": record["id"], "blob": name, "status": record["status"]}
        await notify(service, message)
    await _remove_audio(service, record)
    if record.get("callbackUrl") and await _claim_callback(service, record):
        try:
            record["callback"] = await send_callback(service.settings, record)
        except InvalidCallbackError as exc:
            record["callback"] = {"delivered": False, "refused": exc.message}
        await records.write_job(service, record)
    return str(record["status"])


async def _claim_callback(service: TranscriptionService, record: dict[str, Any]) -> bool:
    """Whether this delivery sends the callback: it marked the stored record first, If-Match.

    Two deliveries of one job ending at once both reach here; only the one whose conditional
    write lands sends, the other sees the mark. A mark left by a sender that died (older than
    the claim timeout, the function timeout) is taken over, so a callback is never lost for good.
    """
    for _ in range(5):  # each lost race is another delivery's write: read again and decide
        found = await service.store.read_record(
            service.settings.failures_container, names.job_record_name(record["id"])
        )
        if found is None:
            return False
        stored, etag, _ = found
        mark = stored.get("callback")
        if mark is not None and not _stale(service, mark):
            record.clear()
            record.update(stored)
            return False
        stored["callback"] = {"sending": True, "since": records.now()}
        try:
            await records.write_job(service, stored, if_etag=etag)
        except ConditionNotMetError:
            continue
        record.clear()
        record.update(stored)
        return True
    return False


def _stale(service: TranscriptionService, mark: dict[str, Any]) -> bool:
    if not mark.get("sending"):
        return False
    try:
        since = datetime.fromisoformat(str(mark.get("since")).replace("Z", "+00:00"))
    except ValueError:  # not a mark this app wrote
        return True
    return datetime.now(UTC) - since > timedelta(seconds=service.settings.claim_timeout_seconds)


async def _read_outcome(
    service: TranscriptionService,
    record: dict[str, Any],
    outcome_status: str | None,
    last_error: TranscriberError | None,
    last_try: bool = False,
) -> None:
    """The version's outcome, whoever wrote it: its transcript set, or its final failure record.

    `gone` (the blob vanished before this run could read it) is a failure only when no outcome
    of the version the job was made for exists: a concurrent delivery of the same job may have
    finished it and removed its audio meanwhile, leaving the outputs behind.
    """
    settings, store, name = service.settings, service.store, record["source"]["name"]
    found = await read_failure(service, name)
    etag = await store.source_etag(settings.transcripts_container, output_name(name, "json"))
    if outcome_status == "gone":
        version = record["source"].get("etag")
        etag = etag if etag == version else None
        found = found if found is not None and found.source_etag == version else None
    if etag is not None and (found is None or found.source_etag != etag):
        record.update(status=records.SUCCEEDED, outputs=_outputs(service, name), error=None)
        record["source"]["etag"] = etag
    elif found is not None and found.final:
        record.update(status=records.FAILED, error=found.error.to_json() if found.error is not None else None)
    elif outcome_status == "gone":
        record.update(status=records.FAILED, error={"code": "BlobNotFound", "message": "the blob is gone"})
    elif last_error is not None and last_try:  # no outcome was recorded, and the queue gives up
        record.update(status=records.FAILED, error={"code": last_error.code, "message": last_error.message})
    elif last_error is not None:
        record["error"] = {"code": last_error.code, "message": last_error.message, "retrying": True}


async def _remove_audio(service: TranscriptionService, record: dict[str, Any]) -> None:
    """Delete the job's own audio; the record says so before the BlobDeleted event can arrive."""
    if not owns_audio(record) or record.get("audioRemovedAt"):
        return
    record["audioRemovedAt"] = records.now()
    await records.write_job(service, record)
    try:
        await service.store.delete(service.settings.audio_container, record["source"]["name"])
    except TranscriberError as exc:  # the outcome stands; the lifecycle rule removes it later
        logger.warning("job %s: its audio could not be removed: %s", record["id"], exc.message)


def _outputs(service: TranscriptionService, name: str) -> list[str]:
    return [output_name(name, "json"), *(output_name(name, fmt) for fmt in service.settings.output_formats)]
