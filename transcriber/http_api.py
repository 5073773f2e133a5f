"""The HTTP endpoints' core: transcribe on demand, and health. No azure.functions here.

This module is the one place where errors become HTTP statuses. Every error body is
`{"error": {"code", "message"}}`, with no secret and no stack trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from transcriber import formats
from transcriber.audio_header import HEAD_BYTES
from transcriber.batch import routing as batch_routing
from transcriber.caller_auth import check_caller
from transcriber.config import Settings
from transcriber.errors import (
    AudioRejectedError,
    AudioTooLargeError,
    AuthenticationError,
    BlobNotFoundError,
    CallerForbiddenError,
    CallerUnauthorizedError,
    ConflictError,
    InvalidRequestError,
    ServiceError,
    ServiceThrottledError,
    SettingError,
    TranscriberError,
    UnsupportedMediaError,
)
from transcriber.http_input import TranscribeRequest, effective_options, parse_request
from transcriber.options import TranscriptionRequestOptions
from transcriber.rendering import encode_json, render_files
from transcriber.service import Invocation, TranscriptionService, get_service
from transcriber.transcription import Transcription, track, transcribe_blob, transcribe_bytes

logger = logging.getLogger(__name__)
HTTP_TIMEOUT_SECONDS = 220.0  # the Functions front end gives up on an HTTP response after 230 s

STATUS_BY_ERROR: list[tuple[type[TranscriberError], int]] = [
    (SettingError, 500),
    (InvalidRequestError, 400),
    (CallerUnauthorizedError, 401),
    (CallerForbiddenError, 403),
    (BlobNotFoundError, 404),
    (ConflictError, 409),
    (AudioTooLargeError, 413),
    (UnsupportedMediaError, 415),
    (AudioRejectedError, 422),
    (ServiceThrottledError, 429),
    (AuthenticationError, 502),
    (ServiceError, 502),
]


@dataclass(frozen=True)
class HttpReply:
    """What the function returns, independent of azure.functions."""

    status: int
    body: str
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(error: TranscriberError) -> HttpReply:
    """The one mapping from error to status."""
    status = next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 500)
    headers: dict[str, str] = {}
    if isinstance(error, ServiceThrottledError):
        status = error.status if error.status in (429, 503) else 429
        headers["Retry-After"] = str(error.retry_after if error.retry_after is not None else 10)
    body = json.dumps({"error": {"code": error.code, "message": error.message}})
    return HttpReply(status, body, "application/json", headers)


async def handle_transcribe(
    url: str, headers: Mapping[str, str], body: bytes, invocation: Invocation
) -> HttpReply:
    """Parse, transcribe, render; every failure becomes an error reply."""
    try:
        service = get_service()
    except SettingError as exc:
        logger.error("configuration error: %s", exc.message)
        return error_reply(exc)
    async with service.telemetry.invocation(
        name=invocation.function, traceparent=invocation.traceparent, invocation_id=invocation.invocation_id
    ):
        return await _transcribe(service, url, headers, body, invocation)


async def _transcribe(
    service: TranscriptionService, url: str, headers: Mapping[str, str], body: bytes, invocation: Invocation
) -> HttpReply:
    settings = service.settings
    subject = invocation.invocation_id or "request"
    request: TranscribeRequest | None = None
    options = settings.defaults
    clock = time.perf_counter()
    try:
        check_caller(headers, settings.caller_auth, os.environ)
        blob_base = f"{settings.storage.blob_url}/{settings.audio_container}"
        request = await asyncio.to_thread(  # CPU-bound for big bodies: off the event loop
            parse_request, url, headers, body, max_bytes=settings.max_audio_bytes, blob_base_url=blob_base
        )
        options = effective_options(request.options, settings.defaults)
        transcription = await _run(service, request, options)
    except TranscriberError as exc:
        if not isinstance(exc, InvalidRequestError | UnsupportedMediaError | AudioTooLargeError):
            logger.warning("transcription request %s failed: %s: %s", subject, exc.code, exc.message)
        track(
            service,
            trigger="http",
            subject=subject,
            content_type=request.content_type if request else None,
            size_bytes=len(body),
            options=options,
            error=exc,
            latency_ms=(time.perf_counter() - clock) * 1000,
        )
        return error_reply(exc)
    track(
        service,
        trigger="http",
        subject=subject,
        content_type=request.content_type,
        size_bytes=len(body),
        options=options,
        transcription=transcription,
        latency_ms=transcription.latency_ms,
    )
    return await _render(transcription, request.response_format)


async def _run(
    service: TranscriptionService, request: TranscribeRequest, options: TranscriptionRequestOptions
) -> Transcription:
    if request.blob is not None:
        info, head = await service.store.read_start(
            service.settings.audio_container, request.blob, HEAD_BYTES
        )
        batch_routing.refuse_for_http(service.settings, info, head)  # 413 naming /api/transcriptions
        try:
            return await transcribe_blob(service, info, options, timeout=HTTP_TIMEOUT_SECONDS, head=head)
        except AudioRejectedError as exc:
            if batch_routing.rerouted(service.settings, exc):
                raise batch_routing.BatchOnlyError(
                    f"{exc.message}; POST it to {batch_routing.JOBS_ROUTE}, which transcribes it by batch",
                    code="UseTranscriptionsJob",
                ) from None
            raise
    assert request.audio is not None
    return await transcribe_bytes(service, request.audio, options, timeout=HTTP_TIMEOUT_SECONDS)


async def _render(transcription: Transcription, response_format: str) -> HttpReply:
    """The body in the asked format, made off the event loop when the transcript is long."""
    if response_format == "json":
        body = await encode_json(transcription.result)
    else:
        body = (await render_files(transcription.result, [response_format]))[response_format]
    return HttpReply(200, body, formats.CONTENT_TYPES[response_format])


HEALTH_QUERY = ("deep", "code")  # `code` carries a function key


def health(url: str = "", environ: Mapping[str, str] | None = None) -> HttpReply:
    """Anonymous and cheap: only whether the configuration is valid. Details need a key (deep)."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    unknown = sorted(set(query) - set(HEALTH_QUERY))
    if unknown:
        return error_reply(InvalidRequestError(f"unknown query parameter(s): {', '.join(unknown)}"))
    if "deep" in query:
        body = {
            "error": {
                "code": "KeyRequired",
                "message": "deep checks need a function key: GET /api/health/deep "
                "with the x-functions-key header (or ?code=<key>)",
            }
        }
        return HttpReply(403, json.dumps(body))
    try:
        Settings.from_environ(os.environ if environ is None else environ)
    except SettingError:
        return HttpReply(503, json.dumps({"status": "misconfigured"}))
    return HttpReply(200, json.dumps({"status": "ok"}))


async def health_deep(environ: Mapping[str, str] | None = None) -> HttpReply:
    """With a key: the configuration, and Speech and storage probed with the app's own credentials."""
    from transcriber.health import deep_health

    try:
        settings = Settings.from_environ(os.environ if environ is None else environ)
        service = get_service(environ)
    except SettingError as exc:
        problems = getattr(exc, "problems", [exc])
        body = {
            "status": "misconfigured",
            "error": {"code": exc.code, "setting": exc.setting, "message": exc.message},
            "invalidSettings": [{"setting": p.setting, "problem": p.message} for p in problems],
        }
        return HttpReply(503, json.dumps(body))
    healthy, report = await deep_health(service)
    return HttpReply(200 if healthy else 503, json.dumps({**report, "configuration": _describe(settings)}))


def _describe(settings: Settings) -> dict[str, object]:
    """The configuration, naming settings and hosts but never a secret."""
    return {
        "speech": {
            "endpointHost": settings.speech.host,
            "apiVersion": settings.speech.api_version,
            "authentication": "key" if settings.speech.api_key else "token",
        },
        "storage": settings.storage.describe(),
        "audioContainer": settings.audio_container,
        "transcriptsContainer": settings.transcripts_container,
        "failuresContainer": settings.failures_container,
        "triggerSource": settings.trigger_source,
        "outputFormats": list(settings.output_formats),
        "defaults": settings.defaults.describe(),
        "telemetry": {
            "enabled": bool(settings.telemetry.connection_string),
            "backend": settings.telemetry.backend,
            "entraAuthentication": settings.telemetry.entra_auth,
        },
    }
