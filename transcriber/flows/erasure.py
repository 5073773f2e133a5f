"""Erasure: a recording deleted from the audio container takes its transcript set, failure record
and speaker names with it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from transcriber.config import FORMATS
from transcriber.domain.errors import BlobNotFoundError
from transcriber.domain.names import failure_name, job_of_audio, output_name
from transcriber.domain.privacy import blob_label
from transcriber.domain.speakers import speakers_name
from transcriber.flows.jobs import records
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureOutcome:
    """What happened: erased (the names deleted, maybe none), kept (re-uploaded) or ignored."""

    status: str
    name: str | None
    deleted: list[str] = field(default_factory=list)


async def erase_transcripts(service: TranscriptionService, name: str) -> ErasureOutcome:
    """Delete the transcript set and failure record of audio blob `name`, unless it exists again."""
    settings = service.settings
    if await _audio_exists(service, name):
        logger.info("%s exists again; its transcripts stay", blob_label(name))
        return ErasureOutcome("kept", name)
    if await _removed_by_its_job(service, name):
        logger.info("%s was removed by its job once it ended; the job's outputs stay", blob_label(name))
        return ErasureOutcome("kept", name)
    deleted = []
    outputs = [(settings.transcripts_container, output_name(name, fmt)) for fmt in ("json", *FORMATS)]
    records_of_name = [
        (settings.failures_container, failure_name(name)),
        (settings.failures_container, speakers_name(name)),
    ]
    for container, output in [*outputs, *records_of_name]:
        if await service.store.delete(container, output):
            deleted.append(output)
    logger.info("erased %s: %d transcript files and records deleted", blob_label(name), len(deleted))
    return ErasureOutcome("erased", name, deleted)


async def erase_if_gone(service: TranscriptionService, name: str) -> bool:
    """After the blob flow writes outputs: if the recording was deleted meanwhile, erase them now.

    Its BlobDeleted event may have been handled before the outputs existed; a deletion after
    this check raises an event that finds them. True when something was erased.
    """
    if await _audio_exists(service, name):
        return False
    return bool((await erase_transcripts(service, name)).deleted)


async def _removed_by_its_job(service: TranscriptionService, name: str) -> bool:
    """`jobs/<id>/<file>`, deleted by job <id> itself when it ended (its record says so)."""

    job_id = job_of_audio(name)
    if job_id is None:  # not job audio
        return False
    record = await records.read_job(service, job_id)
    return bool(record and record.audio_removed_at and record.source.name == name)


async def _audio_exists(service: TranscriptionService, name: str) -> bool:
    try:
        await service.store.properties(service.settings.audio_container, name)
    except BlobNotFoundError:
        return False
    return True
