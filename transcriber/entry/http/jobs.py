"""POST /api/transcriptions and GET /api/transcriptions/{id}: transcription jobs over HTTP.

The POST parses like /api/transcribe and answers 202 once the job is accepted
(`transcriber.flows.jobs.intake`); the GET reads its record, or with `?format=` its result.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from transcriber.domain import formats, names
from transcriber.domain.errors import (
    BlobNotFoundError,
    InvalidRequestError,
    JobNotFinishedError,
    JobNotFoundError,
    SettingError,
    TranscriberError,
)
from transcriber.domain.formats import RESPONSE_FORMATS
from transcriber.domain.job_record import DEFERRED, FAILED, SUCCEEDED, JobRecord
from transcriber.domain.names import output_name
from transcriber.domain.transcript_document import TranscriptDocument
from transcriber.entry.http.edge import HttpReply, serve
from transcriber.entry.http.request import MAX_JSON_BYTES, parse_request
from transcriber.flows.jobs import records
from transcriber.flows.jobs.intake import accept_job
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def create_job(url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
    """Accept a transcription for later: 202 with Location, or the error /api/transcribe would give."""

    async def handle(service: TranscriptionService) -> HttpReply:
        settings = service.settings
        try:
            callback, job_url, job_body = _callback_url(url, headers, body)
            blob_base = f"{settings.storage.blob_url}/{settings.audio_container}"
            request = await asyncio.to_thread(
                parse_request,
                job_url,
                headers,
                job_body,
                max_bytes=settings.max_audio_bytes,
                blob_base_url=blob_base,
            )
            record = await accept_job(service, request, callback)
        except TranscriberError as exc:
            if not isinstance(exc, InvalidRequestError | SettingError):
                logger.warning("transcription job not accepted: %s: %s", exc.code, exc.message)
            raise
        location = _job_url(url, record.id)
        reply = {"id": record.id, "status": record.status, "location": location}
        return HttpReply(202, json.dumps(reply), headers={"Location": location, "Retry-After": "5"})

    return await serve(headers, handle)


def _callback_url(url: str, headers: Mapping[str, str], body: bytes) -> tuple[str | None, str, bytes]:
    """`callbackUrl` from the query or a JSON body, and the URL and body without it (for parse_request).

    Bodies over parse_request's JSON bound, or that do not parse, are left for it to refuse.
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    values: list[object] = [value for key, value in pairs if key == "callbackUrl"]
    if values:
        url = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in pairs if k != "callbackUrl"])))
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type.split(";", 1)[0].lower() and len(body) <= MAX_JSON_BYTES:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict) and "callbackUrl" in document:
            values.append(document.pop("callbackUrl"))
            body = json.dumps(document).encode()
    if len(values) > 1:
        raise InvalidRequestError("callbackUrl was given more than once")
    callback = (str(values[0]) if isinstance(values[0], str) else "") if values else None
    return callback, url, body


async def job_status(url: str, headers: Mapping[str, str], job_id: str) -> HttpReply:
    """The job's status, its outputs once it succeeded, or with `?format=` the result itself."""

    async def handle(service: TranscriptionService) -> HttpReply:
        names.check_job_id(job_id)
        query = parse_qs(urlsplit(url).query)
        fmt = (query.get("format") or [None])[-1]
        if fmt is not None:
            fmt = "text" if fmt.lower() == "txt" else fmt.lower()
            if fmt not in RESPONSE_FORMATS:
                raise InvalidRequestError(f"format must be one of {', '.join(RESPONSE_FORMATS)}")
        record = await records.read_job(service, job_id)
        if record is None:
            raise JobNotFoundError("no transcription job has this id")
        if fmt is not None:
            return await _result(service, record, fmt)
        return HttpReply(200, json.dumps(describe(service, record, _job_url(url, job_id))))

    return await serve(headers, handle)


def describe(service: TranscriptionService, record: JobRecord, location: str) -> dict[str, Any]:
    """What a caller sees of a job: never the transcript text (that is `?format=`)."""
    body: dict[str, Any] = {
        "id": record.id,
        "status": record.status,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "blob": record.source.name,
        "attempts": record.attempts or 0,
    }
    if record.status == SUCCEEDED:
        container = service.settings.transcripts_container
        blob_url = service.settings.storage.blob_url
        body["outputs"] = [
            {"container": container, "name": name, "url": f"{blob_url}/{container}/{name}"}
            for name in record.outputs or []
        ]
        body["links"] = {fmt: f"{location}?format={fmt}" for fmt in RESPONSE_FORMATS}
    if record.status == DEFERRED and record.deferred_until:  # Speech was busy: back at this time
        body["deferredUntil"] = record.deferred_until
    if record.audio_removed_at:  # the audio sent with the job, removed once it ended
        body["audioRemovedAt"] = record.audio_removed_at
    if record.callback is not None:
        body["callback"] = record.callback.to_json()
    if record.status == FAILED or record.error:
        body["error"] = record.error.to_json() if record.error else None
    return body


async def _result(service: TranscriptionService, record: JobRecord, fmt: str) -> HttpReply:
    if record.status != SUCCEEDED:
        raise JobNotFinishedError(f"the job is {record.status}: results exist once it has succeeded")
    name = output_name(record.source.name, "json")
    document = await service.store.read_json(service.settings.transcripts_container, name)
    if document is None:
        raise BlobNotFoundError("the job's transcript is gone (replaced or erased)")
    result = TranscriptDocument.result_of(document)
    if fmt == "json":
        return HttpReply(200, json.dumps(result, ensure_ascii=False), formats.CONTENT_TYPES["json"])
    return HttpReply(200, formats.render(result, fmt), formats.CONTENT_TYPES[fmt])


def _job_url(url: str, job_id: str) -> str:
    """The job's own URL, beside the collection the caller posted to (or below it)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.rsplit("/", 1)[-1] == job_id:
        path = path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/{job_id}", "", ""))
