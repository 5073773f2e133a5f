"""The batch transcription routes: submit, list, get, delete, list files, get one file, file content.

Every Speech route checks, in order: the batch quota (429 with Retry-After, see `admission`;
result-file content is storage, outside it), an armed fault aimed at it (status, delay, drop), then the
credential (the fast route's rules: key header, or a bearer token for the Cognitive Services
audience over https), then `api-version` (2024-11-15 or 2025-10-15), then its own input. Each
request is journaled with its `operation`. Result-file content (`/_results/...`) needs no
credential: its link is signed, as a SAS is.

Not found: an unknown or malformed id answers 404 `{"code": "NotFound", "message": ...}` (the
spec's ErrorCode `NotFound`; the live body is not recorded). DELETE answers 204 whether or not
the transcription existed (the spec: "successfully deleted or did not exist").
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.speech_emulator.admission import admit
from devtools.speech_emulator.auth import presented_auth
from devtools.speech_emulator.batch.content import (
    CONTENT_PREFIX,
    DEFAULT_SAS_MINUTES,
    content_url,
    serve_content,
)
from devtools.speech_emulator.batch.entities import (
    file_json,
    files_json,
    transcription_json,
    transcription_url,
)
from devtools.speech_emulator.batch.jobs import BatchJob
from devtools.speech_emulator.batch.listing import page_bounds, parse_filter
from devtools.speech_emulator.batch.process import run_job
from devtools.speech_emulator.batch.spec import BATCH_API_VERSIONS, parse_submit
from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.faults import fault_error
from devtools.speech_emulator.journal import JournalEntry, redact_url
from devtools.speech_emulator.responses import JSON_UTF8, DropConnection, error_response, service_headers
from devtools.speech_emulator.state import EmulatorState

logger = logging.getLogger(__name__)

__all__ = ["batch_routes"]

Handler = Callable[[Request, EmulatorState, JournalEntry], Awaitable[Response]]


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _endpoint(operation: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap `handler` with the quota, fault, auth and api-version checks and the journal."""

    async def endpoint(request: Request) -> Response:
        state = _state(request)
        entry = JournalEntry(
            method=request.method,
            path=request.url.path,
            api_version=request.query_params.get("api-version"),
            auth=presented_auth(request.headers),
            request_id=str(uuid.uuid4()),
            operation=operation,
        )
        try:
            await admit(request, state, "batch", entry)
            fault = state.faults.take(operation)
            if fault is not None:
                entry.fault = fault.describe()
                if fault.kind == "drop":
                    state.journal.record(entry)
                    return DropConnection()
                if fault.kind == "status":
                    raise fault_error(fault)
                await asyncio.sleep(fault.delay_seconds)
            state.authenticate(request.headers)
            if entry.api_version not in BATCH_API_VERSIONS:
                shown = f"'{entry.api_version}'" if entry.api_version else "missing"
                raise ServiceError.invalid_request(
                    f"The api-version query parameter is {shown}; batch transcription supports "
                    f"{', '.join(BATCH_API_VERSIONS)}.",
                    "InvalidApiVersion",
                )
            response = await handler(request, state, entry)
            entry.status = response.status_code
        except ServiceError as exc:
            entry.status, entry.error_code = exc.status, exc.inner_code or exc.code
            response = error_response(exc, entry.request_id, state.config.region)
        except Exception:
            logger.exception("batch request %s failed", entry.request_id)
            error = ServiceError(500, "InternalServerError", "The emulator failed to process the request.")
            entry.status, entry.error_code = 500, error.code
            response = error_response(error, entry.request_id, state.config.region)
        state.journal.record(entry)
        return response

    return endpoint


def _json(
    body: object, entry: JournalEntry, region: str, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(
        body,
        status_code=status,
        headers={**service_headers(entry.request_id, region), **(headers or {})},
        media_type=JSON_UTF8,
    )


def _job(request: Request, state: EmulatorState) -> BatchJob:
    job_id = request.path_params["id"]
    try:
        uuid.UUID(job_id)
    except ValueError:
        job = None
    else:
        job = state.batch.get(job_id)
    if job is None:
        raise ServiceError(404, "NotFound", "The specified entity cannot be found.")
    return job


async def _submit(request: Request, state: EmulatorState, entry: JournalEntry) -> Response:
    if "json" not in request.headers.get("content-type", "").lower():
        raise ServiceError(415, "UnsupportedMediaType", "The request body must be application/json.")
    spec = parse_submit(await request.body())
    entry.audio_url = redact_url(spec.content_urls[0] if spec.content_urls else spec.container_url or "")
    job = state.batch.create(spec, str(entry.api_version))
    job.status = "Running"  # picked up at once (the answer still shows NotStarted, as the docs do)
    job.task = asyncio.create_task(run_job(job, state.engine, state.config), name=f"batch-{job.id}")
    base = _base(request)
    body = transcription_json(base, job, "NotStarted")
    return _json(body, entry, state.config.region, 201, {"Location": transcription_url(base, job)})


async def _get(request: Request, state: EmulatorState, entry: JournalEntry) -> Response:
    job = _job(request, state)
    return _json(transcription_json(_base(request), job, job.poll()), entry, state.config.region)


async def _list(request: Request, state: EmulatorState, entry: JournalEntry) -> Response:
    """The reference's list: `values` and `@nextLink` (with skip/top/filter), newest first.

    Each entity shows the status its own GET last showed: listing does not move a job on.
    """
    query = request.query_params
    matches = parse_filter(query.get("filter"))
    first, count = page_bounds(query.get("skip"), query.get("top"))
    base = _base(request)
    jobs = sorted(state.batch.all(), key=lambda job: job.created, reverse=True)
    found = [body for body in (transcription_json(base, job, job.shown) for job in jobs) if matches(body)]
    body: dict[str, object] = {"values": found[first : first + count]}
    if first + count < len(found):
        params = {"skip": str(first + count), "top": str(count), "api-version": str(entry.api_version)}
        if query.get("filter"):
            params["filter"] = query["filter"]
        body["@nextLink"] = f"{base}/speechtotext/transcriptions?{urlencode(params, quote_via=quote)}"
    return _json(body, entry, state.config.region)


async def _delete(request: Request, state: EmulatorState, entry: JournalEntry) -> Response:
    try:
        uuid.UUID(request.path_params["id"])
    except ValueError as exc:
        raise ServiceError(404, "NotFound", "The specified entity cannot be found.") from exc
    job = state.batch.remove(request.path_params["id"])
    if job is not None and job.task is not None:
        job.task.cancel()
    return Response(status_code=204, headers=service_headers(entry.request_id, state.config.region))


def _sas_minutes(request: Request) -> int:
    raw = request.query_params.get("sasLifetimeMinutes")
    if raw is None:
        return DEFAULT_SAS_MINUTES
    if not raw.isdigit() or not 0 < int(raw) <= 7 * 24 * 60:
        raise ServiceError(
            400, "InvalidRequest", "sasLifetimeMinutes is not valid.", "InvalidSasValidityDuration"
        )
    return int(raw)


def _file_entry(
    request: Request, state: EmulatorState, job: BatchJob, file_index: int, minutes: int
) -> dict[str, object]:
    base, file = _base(request), job.visible_files()[file_index]
    # A file written to a destinationContainerUrl is linked without a SAS (the spec's text).
    url = file.external_url or content_url(base, state.content_secret, job.id, file.id, file.name, minutes)
    return file_json(base, job, file, url)


async def _files(request: Request, state: EmulatorState, entry: JournalEntry) -> Response:
    job, minutes = _job(request, state), _sas_minutes(request)
    entries = [_file_entry(request, state, job, i, minutes) for i in range(len(job.visible_files()))]
    return _json(files_json(entries), entry, state.config.region)


async def _file(request: Request, state: EmulatorState, entry: JournalEntry) -> Response:
    job, minutes = _job(request, state), _sas_minutes(request)
    for index, file in enumerate(job.visible_files()):
        if file.id == request.path_params["file_id"].lower():
            return _json(_file_entry(request, state, job, index, minutes), entry, state.config.region)
    raise ServiceError(404, "NotFound", "The specified entity cannot be found.")


async def _content(request: Request) -> Response:
    state = _state(request)
    fault = state.faults.take("content")
    if fault is not None:
        if fault.kind == "drop":
            return DropConnection()
        if fault.kind == "status":
            return Response(status_code=fault.status or 500)
        await asyncio.sleep(fault.delay_seconds)

    def lookup(job_id: str, file_id: str) -> bytes | None:
        job = state.batch.get(job_id)
        found = [f for f in job.visible_files() if f.id == file_id] if job is not None else []
        return found[0].content if found else None

    return serve_content(request, state.content_secret, lookup)


def batch_routes() -> list[Route]:
    prefix = "/speechtotext/transcriptions"
    return [
        Route(f"{prefix}:submit", _endpoint("submit", _submit), methods=["POST"]),
        Route(prefix, _endpoint("list", _list), methods=["GET"]),
        Route(f"{prefix}/{{id}}", _endpoint("status", _get), methods=["GET"]),
        Route(f"{prefix}/{{id}}", _endpoint("delete", _delete), methods=["DELETE"]),
        Route(f"{prefix}/{{id}}/files", _endpoint("files", _files), methods=["GET"]),
        Route(f"{prefix}/{{id}}/files/{{file_id}}", _endpoint("files", _file), methods=["GET"]),
        Route(f"{CONTENT_PREFIX}/{{job_id}}/{{file_id}}/{{name}}", _content, methods=["GET"]),
    ]
