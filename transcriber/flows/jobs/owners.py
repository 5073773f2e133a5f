"""Whose jobs are whose: a job's owner checked on every read, and the owner index listed.

The index is empty blobs in the failures container, `owners/<owner key>/<inverted time>-<id>`
and `owners/all/<inverted time>-<id>` (`transcriber.domain.owners`): a prefix listing returns a
caller's jobs newest first, paged by the storage marker, without reading every record.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from transcriber.domain import names
from transcriber.domain.errors import InvalidRequestError, JobNotFoundError
from transcriber.domain.job_record import JobRecord
from transcriber.domain.owners import Caller, owner_prefix
from transcriber.flows.jobs import records
from transcriber.services import TranscriptionService

MISSING_JOB = "no transcription job has this id"
_LATEST_MS = 10**13 - 1  # inverted times are 13 digits until the year 2286


@dataclass(frozen=True)
class JobPage:
    """One page of a caller's jobs, newest first; `next` continues the listing (None: no more)."""

    jobs: list[JobRecord]
    next: str | None


def index_names(record: JobRecord) -> list[str]:
    """The index entries of a job: under its owner's prefix (when it has one) and under all."""
    created = datetime.fromisoformat((record.created_at or records.now()).replace("Z", "+00:00"))
    inverted = _LATEST_MS - int(created.astimezone(UTC).timestamp() * 1000)
    entry = f"{inverted:013d}-{record.id}"
    owners = [None] if record.owner is None else [record.owner, None]
    return [f"{owner_prefix(owner)}{entry}" for owner in owners]


async def index_job(service: TranscriptionService, record: JobRecord) -> None:
    """Add the job to the owner index (before its record: a listed job without one is skipped)."""
    container = service.settings.failures_container
    await asyncio.gather(
        *(
            service.store.write(container, name, b"", "application/octet-stream")
            for name in index_names(record)
        )
    )


async def read_visible_job(service: TranscriptionService, caller: Caller, job_id: str) -> JobRecord:
    """The job, if `caller` may see it; another caller's job is JobNotFoundError, as a missing one."""
    names.check_job_id(job_id)
    record = await records.read_job(service, job_id)
    if record is None or not caller.may_see(record.owner):
        raise JobNotFoundError(MISSING_JOB)
    return record


async def list_jobs(service: TranscriptionService, caller: Caller, limit: int, cursor: str | None) -> JobPage:
    """Up to `limit` of the caller's jobs (all jobs when it sees all), newest first, from `cursor`."""
    prefix = owner_prefix(None if caller.sees_all else caller.owner)
    entries, marker = await service.store.list_names(
        service.settings.failures_container, prefix, limit=limit, marker=cursor
    )
    ids = []
    for entry in entries:
        job_id = entry.rsplit("-", 1)[-1]
        try:
            ids.append(names.check_job_id(job_id))
        except InvalidRequestError:
            continue  # not an index entry of ours
    found = await asyncio.gather(*(records.read_job(service, job_id) for job_id in ids))
    jobs = [record for record in found if record is not None and caller.may_see(record.owner)]
    return JobPage(jobs, marker)
