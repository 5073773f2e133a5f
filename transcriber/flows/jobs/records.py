"""Job records: one small JSON per job, under `jobs/` in the failures container.

Failure records are `failed/...`, `invalid/...`, claims `claims/...`: every name derived from a
blob name has one of those prefixes, so no blob name can reach (read, forge or overwrite) a job.
Ids are 32 lower-case hex digits (a random UUID); anything else is refused before storage.
The record's JSON is `transcriber.domain.job_record`; this module reads and writes it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from transcriber.domain import formats
from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.job_record import JobRecord
from transcriber.domain.names import job_record_name
from transcriber.domain.options import TranscriptionRequestOptions, effective_options
from transcriber.domain.privacy import job_label
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def job_options(service: TranscriptionService, record: JobRecord) -> TranscriptionRequestOptions:
    """What a job transcribes with, on every route: its caller's options over the app's defaults.

    A record keeps only what its caller gave (backfill: nothing), merged as /api/transcribe merges
    (`transcriber.domain.options.effective_options`, checked when the job was accepted). Should the defaults have
    changed since into a clash, the caller's options run as given rather than fail the job.
    """
    options = record.options or TranscriptionRequestOptions()
    try:
        return effective_options(options, service.settings.defaults)
    except InvalidRequestError as exc:
        logger.warning(
            "%s: its options clash with the app's defaults (%s); its own apply",
            job_label(record.id),
            exc.message,
        )
        return options


async def read_job(service: TranscriptionService, job_id: str) -> JobRecord | None:
    document = await service.store.read_json(service.settings.failures_container, job_record_name(job_id))
    return JobRecord.from_json(document) if document is not None else None


async def read_job_and_etag(service: TranscriptionService, job_id: str) -> tuple[JobRecord, str] | None:
    """The record with its etag, to write it again only if nobody changed it meanwhile (`if_etag`)."""
    found = await service.store.read_record(service.settings.failures_container, job_record_name(job_id))
    return (JobRecord.from_json(found[0]), found[1]) if found is not None else None


async def write_job(
    service: TranscriptionService, record: JobRecord, *, create: bool = False, if_etag: str | None = None
) -> str:
    """Write the record, returning its etag; `create` refuses to replace an existing job (ids never
    collide in practice), `if_etag` a record changed since it was read (ConditionNotMetError)."""
    record.updated_at = now()
    return await service.store.write(
        service.settings.failures_container,
        job_record_name(record.id),
        json.dumps(record.to_json(), ensure_ascii=False, indent=2),
        formats.CONTENT_TYPES["json"],
        if_absent=create,
        if_etag=if_etag,
    )
