"""Backfill: queue a job for every blob version without an outcome (and, asked, final failures).

Event Grid reports only new uploads; job ids derive from the version, so a second run queues nothing new.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import ConditionNotMetError, InvalidBlobNameError
from transcriber.domain.job_record import JobRecord
from transcriber.domain.names import JOB_AUDIO_PREFIX, check_blob_name, name_key, output_name
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.flows.failures import read_failure
from transcriber.flows.jobs import owners, records
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)
# Summary keys, in the order they are reported
QUEUED, WOULD_QUEUE, RETRIED, WOULD_RETRY = "queued", "would queue", "retried", "would retry"
TRANSCRIBED, FAILED, ALREADY_QUEUED, SKIPPED = (
    "already transcribed",
    "failed (final)",
    "already queued",
    "skipped",
)


async def backfill(
    service: TranscriptionService,
    *,
    prefix: str | None = None,
    retry_failed: bool = False,
    dry_run: bool = False,
    rate: float = 10.0,
    on_total: Callable[[int], None] = lambda total: None,
    on_blob: Callable[[str], None] = lambda outcome: None,
) -> Counter[str]:
    """Decide and queue per blob version; returns how many blobs ended in each summary key."""
    settings = service.settings
    if prefix is not None:
        check_blob_name(prefix.rstrip("/") or "x")  # a prefix obeys the name rules too
    await service.store.ensure_containers(
        (settings.transcripts_container, settings.failures_container), create=settings.create_containers
    )
    blobs = await service.store.list_blobs(settings.audio_container, prefix)
    on_total(len(blobs))
    summary: Counter[str] = Counter()
    started, sent = time.monotonic(), 0
    for info in blobs:
        outcome, job = await _decide(service, info, retry_failed)
        if job is not None and dry_run:
            outcome = WOULD_RETRY if job.retry_failed_at else WOULD_QUEUE
        elif job is not None:
            await _pace(started, sent, rate)
            outcome = await _queue(service, job)
            sent += 1
        summary[outcome] += 1
        on_blob(outcome)
    return summary


async def _decide(
    service: TranscriptionService, info: BlobInfo, retry_failed: bool
) -> tuple[str, JobRecord | None]:
    settings, store = service.settings, service.store
    try:
        check_blob_name(info.name)
    except InvalidBlobNameError:
        return SKIPPED, None  # the blob trigger leaves it a record under invalid/
    if info.name.startswith(JOB_AUDIO_PREFIX):
        return SKIPPED, None
    if await store.source_etag(settings.transcripts_container, output_name(info.name, "json")) == info.etag:
        return TRANSCRIBED, None
    failure = await read_failure(service, info.name)
    failed_at = None
    if failure is not None and failure.is_final_for(info.etag):
        if not retry_failed:
            return FAILED, None
        failed_at = str(failure.failed_at)
    key = name_key(f"{info.name}\n{info.etag}\n{failed_at or ''}")[:32]
    job = JobRecord(
        key,
        QUEUED,
        info,
        TranscriptionRequestOptions(),
        0,
        records.now(),
        origin="backfill",
        retry_failed_at=failed_at,
    )
    return ALREADY_QUEUED, job


async def _queue(service: TranscriptionService, job: JobRecord) -> str:
    try:
        await records.write_job(service, job, create=True)
    except ConditionNotMetError:
        return ALREADY_QUEUED
    await owners.index_job(service, job)  # no owner: listed for key holders and admins
    await service.jobs.send(job.id)
    return RETRIED if job.retry_failed_at else QUEUED


async def _pace(started: float, sent: int, rate: float) -> None:
    if rate > 0:
        await asyncio.sleep(max(0.0, started + sent / rate - time.monotonic()))
