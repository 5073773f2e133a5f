"""POST /api/transcriptions and GET /api/transcriptions/{id}: the jobs' HTTP core.

The POST parses like /api/transcribe (same bounds, options and blob-name checks), stores body
audio under `jobs/<id>/audio` in the audio container (a name only its job owns, removed when the
job ends: `outcome`), writes the job record, queues the job and answers 202 at once. Errors map to statuses in `http_api`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from transcriber import formats
from transcriber.audio_header import HEAD_BYTES
from transcriber.batch import routing as batch_routing
from transcriber.caller_auth import check_caller
from transcriber.errors import BlobNotFoundError, InvalidRequestError, SettingError, TranscriberError
from transcriber.http_api import HttpReply, error_reply
from transcriber.http_input import MAX_JSON_BYTES, RESPONSE_FORMATS, effective_options, parse_request
from transcriber.jobs import records
from transcriber.jobs.callbacks import check_callback_url
from transcriber.jobs.outcome import job_audio_name
from transcriber.pipeline import JOB_AUDIO_PREFIX, output_name
from transcriber.service import TranscriptionService, get_service
from transcriber.storage import BlobInfo

logger = logging.getLogger(__name__)


class JobNotFoundError(BlobNotFoundError):
    """No job has this id."""

    code = "JobNotFound"


class JobNotFinishedError(InvalidRequestError):
    """A result was asked for before the job succeeded."""

    code = "JobNotSucceeded"


async def create_job(url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
    """Accept a transcription for later: 202 with Location, or the error /api/transcribe would give."""
    try:
        service = get_service()
        record = await _create(service, url, headers, body)
    except TranscriberError as exc:
        if not isinstance(exc, InvalidRequestError | SettingError):
            logger.warning("transcription job not accepted: %s: %s", exc.code, exc.message)
        return error_reply(exc)
    location = _job_url(url, record["id"])
    reply = {"id": record["id"], "status": record["status"], "location": location}
    return HttpReply(202, json.dumps(reply), headers={"Location": location, "Retry-After": "5"})


async def _create(
    service: TranscriptionService, url: str, headers: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    settings, store = service.settings, service.store
    check_caller(headers, settings.caller_auth, os.environ)  # the same callers as /api/transcribe
    blob_base = f"{settings.storage.blob_url}/{settings.audio_container}"
    callback, url, body = _callback_url(url, headers, body)
    request = await asyncio.to_thread(
        parse_request, url, headers, body, max_bytes=settings.max_audio_bytes, blob_base_url=blob_base
    )
    if callback is not None:
        check_callback_url(settings, callback)
    effective_options(request.options, settings.defaults)  # a clash is a 400 now, as /api/transcribe's
    job_id = records.new_job_id()
    if request.blob is not None:
        if request.blob.startswith(JOB_AUDIO_PREFIX):
            raise InvalidRequestError(
                f"blobs under {JOB_AUDIO_PREFIX} belong to jobs", code="InvalidBlobName"
            )
        if settings.batch.enabled:  # the version and its header: the limits check reads both
            info, head = await store.read_start(settings.audio_container, request.blob, HEAD_BYTES)
            batch_routing.refuse_batch_options(settings, info, head, request.options)
        else:
            info = await store.properties(settings.audio_container, request.blob)
    else:
        assert request.audio is not None
        if settings.batch.enabled:
            probe = BlobInfo(settings.audio_container, job_audio_name(job_id), "", len(request.audio), None)
            batch_routing.refuse_batch_options(settings, probe, request.audio[:HEAD_BYTES], request.options)
        await store.ensure_containers(settings.containers, create=settings.create_containers)
        name = job_audio_name(job_id)
        content_type = request.content_type or "application/octet-stream"
        await store.write(settings.audio_container, name, request.audio, content_type, if_absent=True)
        info = await store.properties(settings.audio_container, name)
    await store.ensure_containers(
        (settings.transcripts_container, settings.failures_container), create=settings.create_containers
    )
    record: dict[str, Any] = {
        "id": job_id,
        "status": records.QUEUED,
        "createdAt": records.now(),
        "source": info.as_record(),
        "options": records.options_to_json(request.options),
        "attempts": 0,
    }
    if callback is not None:
        record["callbackUrl"] = callback
    await records.write_job(service, record, create=True)
    await service.jobs.send(job_id)
    return record


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
    try:
        check_caller(headers, get_service().settings.caller_auth, os.environ)
        records.check_job_id(job_id)
        query = parse_qs(urlsplit(url).query)
        fmt = (query.get("format") or [None])[-1]
        if fmt is not None:
            fmt = "text" if fmt.lower() == "txt" else fmt.lower()
            if fmt not in RESPONSE_FORMATS:
                raise InvalidRequestError(f"format must be one of {', '.join(RESPONSE_FORMATS)}")
        service = get_service()
        record = await records.read_job(service, job_id)
        if record is None:
            raise JobNotFoundError("no transcription job has this id")
        if fmt is not None:
            return await _result(service, record, fmt)
    except TranscriberError as exc:
        return error_reply(exc)
    return HttpReply(200, json.dumps(describe(service, record, _job_url(url, job_id))))


def describe(service: TranscriptionService, record: dict[str, Any], location: str) -> dict[str, Any]:
    """What a caller sees of a job: never the transcript text (that is `?format=`)."""
    body: dict[str, Any] = {
        "id": record["id"],
        "status": record["status"],
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
        "blob": record["source"]["name"],
        "attempts": record.get("attempts", 0),
    }
    if record["status"] == records.SUCCEEDED:
        container = service.settings.transcripts_container
        blob_url = service.settings.storage.blob_url
        body["outputs"] = [
            {"container": container, "name": name, "url": f"{blob_url}/{container}/{name}"}
            for name in record.get("outputs", [])
        ]
        body["links"] = {fmt: f"{location}?format={fmt}" for fmt in RESPONSE_FORMATS}
    if record.get("audioRemovedAt"):  # the audio sent with the job, removed once it ended
        body["audioRemovedAt"] = record["audioRemovedAt"]
    if "callback" in record:
        body["callback"] = record["callback"]
    if record["status"] == records.FAILED or record.get("error"):
        body["error"] = record.get("error")
    return body


async def _result(service: TranscriptionService, record: dict[str, Any], fmt: str) -> HttpReply:
    if record["status"] != records.SUCCEEDED:
        raise JobNotFinishedError(f"the job is {record['status']}: results exist once it has succeeded")
    name = output_name(record["source"]["name"], "json")
    document = await service.store.read_json(service.settings.transcripts_container, name)
    if document is None:
        raise BlobNotFoundError("the job's transcript is gone (replaced or erased)")
    result = {k: v for k, v in document.items() if k not in ("source", "processing")}
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
