"""POST /api/transcribe: parse, transcribe, answer in the response (JSON, text, SRT or VTT)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Mapping

from transcriber.domain import formats
from transcriber.domain.audio_check import check_size
from transcriber.domain.audio_header import HEAD_BYTES
from transcriber.domain.errors import (
    AudioRejectedError,
    AudioTooLargeError,
    BatchOnlyError,
    InvalidRequestError,
    ServiceThrottledError,
    TranscriberError,
    UnsupportedMediaError,
)
from transcriber.domain.invocation import Invocation
from transcriber.domain.options import TranscriptionRequestOptions, effective_options
from transcriber.domain.owners import Caller
from transcriber.domain.rendering import encode_json, render_files
from transcriber.domain.transcribe_request import TranscribeRequest
from transcriber.entry.http.edge import HttpReply, serve
from transcriber.entry.http.request import parse_request
from transcriber.flows import budget, routing
from transcriber.flows.grants import check_blob_allowed
from transcriber.flows.transcribe import Transcription, track, transcribe_blob, transcribe_bytes
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)
HTTP_TIMEOUT_SECONDS = 220.0  # the Functions front end gives up on an HTTP response after 230 s
# A caller waits this long at most for a slot of the instance's Speech pace, then gets 429 with
# Retry-After (no connection held through a quota).
HTTP_PATIENCE_SECONDS = 1.0
# Answers after which Speech transcribed nothing: the request's charge is refunded.
REFUNDED = (ServiceThrottledError, AudioRejectedError, UnsupportedMediaError)


async def handle_transcribe(
    url: str, headers: Mapping[str, str], body: bytes, invocation: Invocation
) -> HttpReply:
    """Parse, transcribe, render; every failure becomes an error reply (`edge`)."""

    async def handle(service: TranscriptionService, caller: Caller) -> HttpReply:
        async with service.audio_memory.charge(len(body)):  # in memory already: downloads wait for it
            return await _transcribe(service, caller, url, headers, body, invocation)

    return await serve(headers, handle, invocation=invocation)


async def _transcribe(
    service: TranscriptionService,
    caller: Caller,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    invocation: Invocation,
) -> HttpReply:
    settings = service.settings
    subject = invocation.invocation_id or "request"
    request: TranscribeRequest | None = None
    options = settings.defaults
    clock = time.perf_counter()
    try:
        blob_base = f"{settings.storage.blob_url}/{settings.audio_container}"
        request = await asyncio.to_thread(  # CPU-bound for big bodies: off the event loop
            parse_request, url, headers, body, max_bytes=settings.max_audio_bytes, blob_base_url=blob_base
        )
        options = effective_options(request.options, settings.defaults)
        transcription = await _run(service, caller, request, options)
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
        raise
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
    service: TranscriptionService,
    caller: Caller,
    request: TranscribeRequest,
    options: TranscriptionRequestOptions,
) -> Transcription:
    if request.blob is not None:
        await check_blob_allowed(service, caller, request.blob, "GetBlob")
        info, head = await service.store.read_start(
            service.settings.audio_container, request.blob, HEAD_BYTES
        )
        routing.refuse_for_http(service.settings, info, head)  # 413 naming /api/transcriptions
        charge = await budget.charge_audio(
            service, caller.owner, _request_charge(), head, info.size
        )  # or 429
        try:
            return await transcribe_blob(
                service,
                info,
                options,
                timeout=HTTP_TIMEOUT_SECONDS,
                head=head,
                patience=HTTP_PATIENCE_SECONDS,
            )
        except REFUNDED as exc:  # never transcribed: its seconds go back to the caller's day
            await budget.refund(service, charge)
            if not isinstance(exc, AudioRejectedError):
                raise
            if routing.rerouted(service.settings, exc):
                raise BatchOnlyError(
                    f"{exc.message}; POST it to {routing.JOBS_ROUTE}, which transcribes it by batch",
                    code="UseTranscriptionsJob",
                ) from None
            raise
    assert request.audio is not None
    check_size(len(request.audio), service.settings.max_audio_bytes)  # a 413 before a 429
    head = bytes(memoryview(request.audio)[:HEAD_BYTES])
    charge = await budget.charge_audio(service, caller.owner, _request_charge(), head, len(request.audio))
    try:
        return await transcribe_bytes(
            service, request.audio, options, timeout=HTTP_TIMEOUT_SECONDS, patience=HTTP_PATIENCE_SECONDS
        )
    except REFUNDED:
        await budget.refund(service, charge)
        raise


def _request_charge() -> str:
    """A request's own charge key: every request to /api/transcribe is a Speech call of its own."""
    return f"request-{uuid.uuid4().hex}"


async def _render(transcription: Transcription, response_format: str) -> HttpReply:
    """The body in the asked format, made off the event loop when the transcript is long."""
    if response_format == "json":
        body = await encode_json(transcription.result)
    else:
        body = (await render_files(transcription.result, [response_format]))[response_format]
    return HttpReply(200, body, formats.CONTENT_TYPES[response_format])
