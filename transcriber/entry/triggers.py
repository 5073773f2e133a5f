"""The queue and blob triggers' entries: what the trigger hands over in, one flow called.

The blob and job entries open the invocation's telemetry scope (correlated with the host's)
around their flow.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any
from urllib.parse import unquote, urlsplit

from transcriber.domain import names
from transcriber.domain.deferred_version import DeferredVersion
from transcriber.domain.errors import InvalidRequestError, TranscriberError
from transcriber.domain.invocation import Invocation
from transcriber.domain.names import JOB_AUDIO_PREFIX
from transcriber.domain.outcomes import BlobOutcome
from transcriber.domain.privacy import job_label, logged_name
from transcriber.flows import batch_steps
from transcriber.flows.blob import process_blob
from transcriber.flows.erasure import ErasureOutcome, erase_transcripts
from transcriber.flows.job_run import run_deferred, run_job
from transcriber.services import get_service

logger = logging.getLogger(__name__)
BLOB_DELETED = "Microsoft.Storage.BlobDeleted"
MAX_MESSAGE_CHARS = 1024


async def handle_blob(name: str, invocation: Invocation) -> BlobOutcome:
    """A blob landed in the audio container: correlated telemetry around its flow."""
    service = get_service()
    async with service.scope(invocation):
        if name.startswith(JOB_AUDIO_PREFIX):
            logger.info("%s belongs to a transcription job; its job transcribes it", logged_name(name))
            outcome = BlobOutcome("skipped", name)
        else:
            outcome = await process_blob(service, name, invocation)
        detail = (
            outcome.error.code
            if outcome.error
            else outcome.deferred_until and f"until {outcome.deferred_until}"
        )
        log_outcome(f"blob {logged_name(name)}", outcome.status, detail)
        return outcome


def log_outcome(what: str, status: str, detail: str | None = None) -> None:
    """One line per delivery saying what came of it (`blob <id> outcome: failed (InvalidAudioFormat)`,
    `job-<label> outcome: succeeded`):
    the host logs every invocation that returns as Succeeded, a failure recorded for good or a
    deferral included, and `make dev` shows this word instead."""
    logger.info("%s outcome: %s%s", what, status, f" ({detail})" if detail else "")


async def handle_job_message(text: str, dequeue_count: int, invocation: Invocation) -> str:
    """A jobs-queue message: a batch job's step, a deferred version, or a job to run; returns the
    job's (or the version's) status."""
    service = get_service()
    async with service.scope(invocation):
        if batch_steps.parse_step(text) is not None:  # a batch job's step (transcriber.flows.batch)
            what, status = "batch step", await batch_steps.run_step(service, text, dequeue_count, invocation)
        elif (deferred := DeferredVersion.parse(text)) is not None:  # back from a deferral (flows.deferral)
            what = job_label(deferred.job) if deferred.job else f"blob {logged_name(deferred.blob)}"
            status = await run_deferred(service, deferred, dequeue_count, invocation)
        elif (job_id := parse_message(text)) is not None:
            what, status = job_label(job_id), await run_job(service, job_id, dequeue_count, invocation)
        else:  # retrying cannot help, and a poison entry would only repeat it
            logger.warning("jobs queue: dropped a message that names no job")
            what, status = "jobs queue message", "refused"
        log_outcome(what, status)
        return status


def parse_message(text: str) -> str | None:
    """The job id a message names, or None for a message no client of ours sends."""
    if len(text) > MAX_MESSAGE_CHARS:
        return None
    try:
        document = json.loads(text)
        return names.check_job_id(document.get("id") if isinstance(document, dict) else None)
    except (ValueError, TranscriberError):
        return None


async def handle_deleted_event(message: bytes | str) -> ErasureOutcome:
    """A BlobDeleted event (queued by Event Grid); a malformed message raises (retried, then poisoned)."""
    service = get_service()
    name = deleted_blob_name(message, service.settings.audio_container)
    if name is None:
        logger.warning("ignoring a queue message that is not a BlobDeleted event for the audio container")
        return ErasureOutcome("ignored", None)
    return await erase_transcripts(service, name)


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
