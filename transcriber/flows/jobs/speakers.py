"""A job's speaker names (`transcriber.domain.speakers`): read for its renderings, changed by PUT.

The record is written only if nobody changed it since it was read (its etag), so two people naming
different speakers at once both keep their names.
"""

from __future__ import annotations

import json

from transcriber.domain import formats, speakers
from transcriber.domain.errors import ConditionNotMetError, JobNotSucceededError
from transcriber.domain.job_record import JobRecord
from transcriber.domain.statuses import SUCCEEDED
from transcriber.flows.jobs.records import now
from transcriber.services import TranscriptionService

WRITE_TRIES = 5


async def read_speakers(service: TranscriptionService, record: JobRecord) -> dict[int, str]:
    """The names given for the job's recording (that version), or none."""
    name = speakers.speakers_name(record.source.name)
    document = await service.store.read_json(service.settings.failures_container, name)
    return speakers.from_record(document, record.source.etag)


async def name_speakers(
    service: TranscriptionService, record: JobRecord, changes: dict[int, str]
) -> dict[int, str]:
    """Apply `changes` ("" removes a name) to the job's names; the names now stored."""
    if record.status != SUCCEEDED:
        raise JobNotSucceededError(
            f"the job is {record.status}: speakers are named once it has succeeded", job_status=record.status
        )
    for _ in range(WRITE_TRIES - 1):
        try:
            return await _apply(service, record, changes)
        except ConditionNotMetError:
            continue  # changed meanwhile: apply the changes to what is there now
    return await _apply(service, record, changes)


async def _apply(service: TranscriptionService, record: JobRecord, changes: dict[int, str]) -> dict[int, str]:
    container, name = service.settings.failures_container, speakers.speakers_name(record.source.name)
    found = await service.store.read_record(container, name)
    names = speakers.merged(speakers.from_record(found[0] if found else None, record.source.etag), changes)
    document = {
        "name": record.source.name,
        "etag": record.source.etag,
        "updatedAt": now(),
        "speakers": speakers.to_json(names),
    }
    await service.store.write(
        container,
        name,
        json.dumps(document, ensure_ascii=False),
        formats.CONTENT_TYPES["json"],
        if_absent=found is None,
        if_etag=found[1] if found else None,
    )
    return names
