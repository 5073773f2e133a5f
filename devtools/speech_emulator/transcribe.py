"""`POST /speechtotext/transcriptions:transcribe`: the emulated fast transcription call.

Order of checks: the quota (429 with Retry-After, before the body is parsed; see `admission`),
read the body (413/415/400 kept for later), consume an armed fault, then authenticate (401),
api-version (400), multipart and definition (400), audio (422/400), and transcribe. The body is
read before the fault so the journal knows the audio size even for refused requests.
Every request is journaled before its answer leaves, so a test that has its response sees it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from devtools.speech_emulator.admission import admit
from devtools.speech_emulator.auth import presented_auth
from devtools.speech_emulator.config import API_VERSIONS
from devtools.speech_emulator.definition import parse_definition
from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.faults import fault_error
from devtools.speech_emulator.fetch import fetch_audio
from devtools.speech_emulator.journal import JournalEntry, redact_url
from devtools.speech_emulator.multipart import TranscribeForm, read_form
from devtools.speech_emulator.responses import DropConnection, error_response, service_headers
from devtools.speech_emulator.results import render_result
from devtools.speech_emulator.state import EmulatorState

logger = logging.getLogger(__name__)

__all__ = ["transcribe"]


async def transcribe(request: Request) -> Response:
    """Handle one transcription request and journal it."""
    state: EmulatorState = request.app.state.emulator
    request_id = str(uuid.uuid4())
    entry = JournalEntry(
        method=request.method,
        path=request.url.path,
        api_version=request.query_params.get("api-version"),
        auth=presented_auth(request.headers),
        request_id=request_id,
    )
    try:
        response = await _handle(request, state, entry)
    except ServiceError as exc:
        entry.status, entry.error_code = exc.status, exc.inner_code or exc.code
        response = error_response(exc, request_id, state.config.region)
    except Exception:
        logger.exception("transcription request %s failed", request_id)
        error = ServiceError(500, "InternalServerError", "The emulator failed to process the request.")
        entry.status, entry.error_code = 500, error.code
        response = error_response(error, request_id, state.config.region)
    state.journal.record(entry)
    request.scope.setdefault("emulator", {})["audio_seconds"] = entry.audio_seconds
    return response


async def _handle(request: Request, state: EmulatorState, entry: JournalEntry) -> Response:
    config = state.config
    await admit(request, state, "transcribe", entry)
    form: TranscribeForm | None = None
    form_error: ServiceError | None = None
    try:
        form = await read_form(request.headers.get("content-type", ""), request.stream(), config.max_bytes)
        entry.audio_bytes = len(form.audio) if form.audio is not None else None
    except ServiceError as exc:
        form_error = exc

    fault = state.faults.take()
    if fault is not None:
        entry.fault = fault.describe()
        if fault.kind == "drop":
            entry.status = None
            return DropConnection()
        if fault.kind == "status":
            raise fault_error(fault)
        await asyncio.sleep(fault.delay_seconds)

    state.authenticate(request.headers)
    api_version = _api_version(entry.api_version)
    if form_error is not None or form is None:
        raise form_error or ServiceError.invalid_request("The request body could not be read.")
    spec, document = parse_definition(form.definition, api_version)
    entry.definition = _redacted(document) if form.definition is not None else None

    audio = form.audio
    if audio is None:
        if spec.audio_url is None:
            raise ServiceError.invalid_request(
                "Send the audio as the 'audio' part or give 'audioUrl' in the definition."
            )
        entry.audio_url = redact_url(spec.audio_url)
        audio = await fetch_audio(
            spec.audio_url,
            max_bytes=config.max_bytes,
            timeout_seconds=config.audio_url_timeout_seconds,
            ca_file=config.ca_file,
        )
    if not audio:
        raise ServiceError.unprocessable("EmptyAudioFile", "The audio is empty.")

    transcript = await state.engine.transcribe(audio, spec, config.max_seconds)
    entry.audio_seconds = transcript.duration_ms / 1000
    entry.status = 200
    headers = service_headers(entry.request_id, config.region)
    billed = math.ceil(transcript.duration_ms / 1000)
    meter = spec.enhanced.billing_meter if spec.enhanced is not None else "BatchSpeechtoTextSync"
    headers["CSP-Billing-Usage"] = f"CognitiveServices.SpeechServices.{meter}={billed}"
    return JSONResponse(
        render_result(transcript, spec, api_version),
        headers=headers,
        media_type="application/json; charset=utf-8",
    )


def _api_version(value: str | None) -> str:
    if value in API_VERSIONS:
        return str(value)
    shown = f"'{value}'" if value else "missing"
    raise ServiceError.invalid_request(
        f"The api-version query parameter is {shown}; supported versions are {', '.join(API_VERSIONS)}.",
        "InvalidApiVersion",
    )


def _redacted(document: dict[str, Any]) -> dict[str, Any]:
    if isinstance(document.get("audioUrl"), str):
        return {**document, "audioUrl": redact_url(document["audioUrl"])}
    return dict(document)
