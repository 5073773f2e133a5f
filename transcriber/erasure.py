"""Erasure: a recording deleted from the audio container takes its transcript set and failure record with it.

Event Grid delivers `Microsoft.Storage.BlobDeleted` for the audio container to a storage queue
(infra/app/eventgrid.bicep); the `erase_transcripts` queue trigger hands each message here.
- Idempotent: deleting what is already gone is a no-op, so duplicate and retried deliveries are
  harmless.
- A recording uploaded again under the same name before the event is handled keeps its new
  transcripts: nothing is erased while a blob of that name exists.
- Every format is removed, not only those OUTPUT_FORMATS names now, since that setting may have
  changed since the transcripts were written. Lifecycle (retention) deletions arrive the same way.
- Audio a job removed itself once it ended (`transcriber.jobs.outcome`, `audioRemovedAt` in its
  record) keeps the job's outputs: the caller asked for those, and they expire with the job's
  other blobs (`jobRetentionDays`). Job audio deleted by anyone else is erased like any recording.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from transcriber.config import FORMATS
from transcriber.errors import BlobNotFoundError, InvalidRequestError
from transcriber.failure_records import failure_name
from transcriber.pipeline import output_name
from transcriber.privacy import blob_label
from transcriber.service import TranscriptionService, get_service

logger = logging.getLogger(__name__)

BLOB_DELETED = "Microsoft.Storage.BlobDeleted"


@dataclass(frozen=True)
class ErasureOutcome:
    """What happened: erased (the names deleted, maybe none), kept (re-uploaded) or ignored."""

    status: str
    name: str | None
    deleted: list[str] = field(default_factory=list)


def deleted_blob_name(message: bytes | str, audio_container: str) -> str | None:
    """The audio blob a BlobDeleted event names; None for any other event.

    The queue message is the event as JSON (Event Grid schema), base64-encoded or not; its
    subject is `/blobServices/default/containers/<container>/blobs/<name>`.
    """
    event = _event(message)
    if event.get("eventType") != BLOB_DELETED:
        return None
    subject = event.get("subject")
    prefix = f"/blobServices/default/containers/{audio_container}/blobs/"
    if not isinstance(subject, str) or not subject.startswith(prefix) or len(subject) == len(prefix):
        url = (event.get("data") or {}).get("url") if isinstance(event.get("data"), dict) else None
        return _checked(_name_from_url(url, audio_container))
    return _checked(subject[len(prefix) :])


def _checked(name: str | None) -> str | None:
    """Refuse names no Azure blob can have (dot segments, control characters, over 1024 chars)."""
    if name is None:
        return None
    segments = name.split("/")
    if len(name) > 1024 or any(s in (".", "..") for s in segments) or any(ord(c) < 32 for c in name):
        raise InvalidRequestError("the BlobDeleted event names an impossible blob")
    return name


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
    for container, output in [*outputs, (settings.failures_container, failure_name(name))]:
        if await service.store.delete(container, output):
            deleted.append(output)
    logger.info("erased %s: %d transcript files and records deleted", blob_label(name), len(deleted))
    return ErasureOutcome("erased", name, deleted)


async def erase_if_gone(service: TranscriptionService, name: str) -> bool:
    """After the pipeline writes outputs: if the recording was deleted meanwhile, erase them now.

    Its BlobDeleted event may have been handled before the outputs existed; a deletion after
    this check raises an event that finds them. True when something was erased.
    """
    if await _audio_exists(service, name):
        return False
    return bool((await erase_transcripts(service, name)).deleted)


async def _removed_by_its_job(service: TranscriptionService, name: str) -> bool:
    """`jobs/<id>/audio`, deleted by job <id> itself when it ended (its record says so)."""
    from transcriber.jobs import records
    from transcriber.jobs.outcome import job_audio_name

    job_id = name.split("/")[1] if name.count("/") == 2 else ""
    try:
        if name != job_audio_name(job_id):
            return False
    except InvalidRequestError:  # not a job id: not job audio
        return False
    record = await records.read_job(service, job_id)
    return bool(record and record.get("audioRemovedAt") and record["source"]["name"] == name)


async def _audio_exists(service: TranscriptionService, name: str) -> bool:
    try:
        await service.store.properties(service.settings.audio_container, name)
    except BlobNotFoundError:
        return False
    return True


async def handle_deleted_event(message: bytes | str) -> ErasureOutcome:
    """The queue trigger's entry; a malformed message raises (the host retries, then poisons it)."""
    service = get_service()
    name = deleted_blob_name(message, service.settings.audio_container)
    if name is None:
        logger.warning("ignoring a queue message that is not a BlobDeleted event for the audio container")
        return ErasureOutcome("ignored", None)
    return await erase_transcripts(service, name)


def _event(message: bytes | str) -> dict[str, Any]:
    try:
        text = message.decode("utf-8") if isinstance(message, bytes) else message
    except UnicodeDecodeError as exc:
        raise InvalidRequestError("the erasure queue message is not UTF-8 text") from exc
    text = text.strip()
    if not text.startswith(("{", "[")):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, ValueError) as exc:  # ValueError: non-ASCII text; UnicodeDecodeError is one
            raise InvalidRequestError("the erasure queue message is neither JSON nor base64 JSON") from exc
    try:
        event = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRequestError("the erasure queue message is not JSON") from exc
    if isinstance(event, list) and len(event) == 1:
        event = event[0]
    if not isinstance(event, dict):
        raise InvalidRequestError("the erasure queue message is not one event")
    return event


def _name_from_url(url: object, audio_container: str) -> str | None:
    if not isinstance(url, str):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    container, _, name = path.partition("/")
    return name if container == audio_container and name else None
