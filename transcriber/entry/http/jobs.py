"""POST /api/transcriptions, GET /api/transcriptions[/{id}]: transcription jobs over HTTP.

The POST parses like /api/transcribe and answers 202 once the job is accepted
(`transcriber.flows.jobs.intake`); the GET of a job reads its record, or with `?format=` its
result; the GET of the collection lists the caller's jobs (`transcriber.flows.jobs.owners`).
A caller sees only its own jobs unless it sees all (`transcriber.domain.owners`).
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
    JobNotSucceededError,
    SettingError,
    TranscriberError,
)
from transcriber.domain.formats import RESPONSE_FORMATS
from transcriber.domain.job_fields import (
    CALLBACK_URL,
    FILE_NAME,
    JOB_FIELDS,
    KEEP_AUDIO,
    check_file_name,
    parse_keep_audio,
    uploaded_file_name,
)
from transcriber.domain.job_record import JobRecord
from transcriber.domain.names import output_name
from transcriber.domain.owners import Caller
from transcriber.domain.speakers import to_json
from transcriber.domain.statuses import DEFERRED, FAILED, SUCCEEDED
from transcriber.domain.subtitles import SpeakerNames
from transcriber.domain.transcribe_request import TranscribeRequest
from transcriber.domain.transcript_document import TranscriptDocument
from transcriber.entry.http.edge import HttpReply, serve
from transcriber.entry.http.request import MAX_JSON_BYTES, parse_request
from transcriber.flows.jobs import owners
from transcriber.flows.jobs.intake import accept_job
from transcriber.flows.jobs.speakers import read_speakers
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}  # transcripts and what is known of them stay out of caches
DEFAULT_PAGE, MAX_PAGE = 20, 100
MAX_CURSOR_CHARS = 2048


async def create_job(url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
    """Accept a transcription for later: 202 with Location, or the error /api/transcribe would give."""

    async def handle(service: TranscriptionService, caller: Caller) -> HttpReply:
        async with service.audio_memory.charge(len(body)):  # in memory already: downloads wait for it
            return await _accept(service, caller, url, headers, body)

    return await serve(headers, handle)


async def _accept(
    service: TranscriptionService, caller: Caller, url: str, headers: Mapping[str, str], body: bytes
) -> HttpReply:
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
            route_fields=(*JOB_FIELDS, CALLBACK_URL),  # callbackUrl: taken out above, named in errors
        )
        file_name, keep_audio = _job_fields(request)
        record = await accept_job(
            service, request, callback, caller, file_name=file_name, keep_audio=keep_audio
        )
    except TranscriberError as exc:
        if not isinstance(exc, InvalidRequestError | SettingError):
            logger.warning("transcription job not accepted: %s: %s", exc.code, exc.message)
        raise
    location = _job_url(url, record.id)
    reply = {"id": record.id, "status": record.status, "location": location}
    return HttpReply(202, json.dumps(reply), headers={"Location": location, "Retry-After": "5"})


def _job_fields(request: TranscribeRequest) -> tuple[str | None, bool]:
    """`fileName` (else the multipart file's name) and `keepAudio`, checked."""
    name = request.extra.get(FILE_NAME)
    if name is not None:
        file_name: str | None = check_file_name(name)
    else:
        file_name = uploaded_file_name(request.file_name) if request.file_name else None
    keep = request.extra.get(KEEP_AUDIO)
    return file_name, parse_keep_audio(keep) if keep is not None else False


def _callback_url(url: str, headers: Mapping[str, str], body: bytes) -> tuple[str | None, str, bytes]:
    """`callbackUrl` from the query or a JSON body, and the URL and body without it (for parse_request).

    Bodies over parse_request's JSON bound, or that do not parse, are left for it to refuse.
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    values: list[object] = [value for key, value in pairs if key == CALLBACK_URL]
    if values:
        url = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in pairs if k != CALLBACK_URL])))
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type.split(";", 1)[0].lower() and len(body) <= MAX_JSON_BYTES:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict) and CALLBACK_URL in document:
            values.append(document.pop(CALLBACK_URL))
            body = json.dumps(document).encode()
    if len(values) > 1:
        raise InvalidRequestError("callbackUrl was given more than once")
    callback = (str(values[0]) if isinstance(values[0], str) else "") if values else None
    return callback, url, body


async def job_status(url: str, headers: Mapping[str, str], job_id: str) -> HttpReply:
    """The job's status, its outputs once it succeeded, or with `?format=` the result itself."""

    async def handle(service: TranscriptionService, caller: Caller) -> HttpReply:
        names.check_job_id(job_id)
        query = parse_qs(urlsplit(url).query)
        fmt = (query.get("format") or [None])[-1]
        if fmt is not None:
            fmt = "text" if fmt.lower() == "txt" else fmt.lower()
            if fmt not in RESPONSE_FORMATS:
                raise InvalidRequestError(f"format must be one of {', '.join(RESPONSE_FORMATS)}")
        record = await owners.read_visible_job(service, caller, job_id)
        given = await read_speakers(service, record) if record.status == SUCCEEDED else {}
        if fmt is not None:
            return await _result(service, record, fmt, given)
        body = describe(service, record, _job_url(url, job_id), given)
        return HttpReply(200, json.dumps(body, ensure_ascii=False), headers=dict(NO_STORE))

    return await serve(headers, handle)


async def list_jobs(url: str, headers: Mapping[str, str]) -> HttpReply:
    """The caller's jobs, newest first: `{"items": [...], "next": <cursor> | null}`."""

    async def handle(service: TranscriptionService, caller: Caller) -> HttpReply:
        query = parse_qs(urlsplit(url).query)
        limit = _limit((query.get("limit") or [None])[-1])
        cursor = (query.get("cursor") or [None])[-1] or None
        if cursor is not None and len(cursor) > MAX_CURSOR_CHARS:
            raise InvalidRequestError(f"cursor is at most {MAX_CURSOR_CHARS} characters")
        page = await owners.list_jobs(service, caller, limit, cursor)
        base = urlunsplit(urlsplit(url)._replace(query="", fragment=""))
        items = [describe(service, record, _job_url(base, record.id, below=True)) for record in page.jobs]
        body = {"items": items, "next": page.next}
        return HttpReply(200, json.dumps(body, ensure_ascii=False), headers=dict(NO_STORE))

    return await serve(headers, handle)


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_PAGE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise InvalidRequestError(f"limit must be a whole number from 1 to {MAX_PAGE}")
    return int(value)


def describe(
    service: TranscriptionService, record: JobRecord, location: str, speakers: SpeakerNames | None = None
) -> dict[str, Any]:
    """What a caller sees of a job: never the transcript text (that is `?format=`), never its owner."""
    body: dict[str, Any] = {
        "id": record.id,
        "status": record.status,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "blob": record.source.name,
        "attempts": record.attempts or 0,
    }
    if record.file_name:
        body["fileName"] = record.file_name
    if record.status == SUCCEEDED:
        container = service.settings.transcripts_container
        blob_url = service.settings.storage.blob_url
        body["outputs"] = [
            {"container": container, "name": name, "url": f"{blob_url}/{container}/{name}"}
            for name in record.outputs or []
        ]
        body["links"] = {fmt: f"{location}?format={fmt}" for fmt in RESPONSE_FORMATS}
        if speakers:
            body["speakers"] = to_json(speakers)
    if record.status == DEFERRED and record.deferred_until:  # Speech was busy: back at this time
        body["deferredUntil"] = record.deferred_until
    if record.audio_removed_at:  # the audio sent with the job, removed once it ended
        body["audioRemovedAt"] = record.audio_removed_at
    if record.callback is not None:
        body["callback"] = record.callback.to_json()
    if record.status == FAILED or record.error:
        body["error"] = record.error.to_json() if record.error else None
    return body


async def _result(
    service: TranscriptionService, record: JobRecord, fmt: str, speakers: SpeakerNames
) -> HttpReply:
    if record.status == FAILED:
        error = record.error
        cause = (error.code, error.message) if error is not None else None
        reason = f": {error.code}: {error.message}" if error is not None else ""
        raise JobNotSucceededError(
            f"the job failed{reason}; it has no result", job_status=record.status, cause=cause
        )
    if record.status != SUCCEEDED:
        raise JobNotSucceededError(
            f"the job is {record.status}: results exist once it has succeeded", job_status=record.status
        )
    name = output_name(record.source.name, "json")
    document = await service.store.read_json(service.settings.transcripts_container, name)
    if document is None:
        raise BlobNotFoundError("the job's transcript is gone (replaced or erased)")
    result = TranscriptDocument.result_of(document)
    if fmt == "json":
        body = json.dumps(result, ensure_ascii=False)
        return HttpReply(200, body, formats.CONTENT_TYPES["json"], headers=dict(NO_STORE))
    text = formats.render(result, fmt, speakers)
    return HttpReply(200, text, formats.CONTENT_TYPES[fmt], headers=dict(NO_STORE))


def _job_url(url: str, job_id: str, *, below: bool = False) -> str:
    """The job's own URL, beside the collection the caller posted to (or below it, or `below`
    the collection the caller listed)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not below and path.rsplit("/", 1)[-1] == job_id:
        path = path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/{job_id}", "", ""))
