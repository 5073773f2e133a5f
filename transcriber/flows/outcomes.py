"""A version's outcome written: the transcript set (formats, then the JSON marker) or its
failure record, the erasure check after it, telemetry and completion notices.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from transcriber.domain import formats
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import (
    InvalidBlobNameError,
    ServiceError,
    ServiceThrottledError,
    TranscriberError,
)
from transcriber.domain.failure_record import BlobName, FailureRecord
from transcriber.domain.invocation import Invocation
from transcriber.domain.names import failure_name, invalid_name_record, output_name
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.outcomes import BlobOutcome
from transcriber.domain.privacy import logged_name
from transcriber.domain.redaction import redacted_cause
from transcriber.domain.rendering import render_files
from transcriber.domain.transcript_document import TranscriptDocument
from transcriber.flows import routing
from transcriber.flows.erasure import erase_if_gone
from transcriber.flows.failures import read_failure_and_etag, write_failure
from transcriber.flows.jobs.completions import notify_blob
from transcriber.flows.transcribe import Transcription, track, transcribe_blob
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)
# A claim's holder must end its Speech call within this share of BLOB_CLAIM_TIMEOUT_SECONDS, so
# that a claim older than the timeout has no live holder (docs/ARCHITECTURE.md, "Claims").
HOLDER_SHARE = 0.9


async def write_outcome(
    service: TranscriptionService,
    info: BlobInfo,
    invocation: Invocation,
    options: TranscriptionRequestOptions,
    produce: Callable[[], Awaitable[Transcription]],
) -> BlobOutcome:
    """A transcription made elsewhere (a batch job's), or its error, recorded as the blob flow
    records its own: the same outputs, failure records, notices; nothing when already done."""
    done, record = await version_done(service, info)
    if done:
        return BlobOutcome("skipped", info.name)
    return await transcribe_and_record(
        service, info, invocation, b"", options, record, checked=True, produce=produce
    )


async def transcribe_and_record(
    service: TranscriptionService,
    info: BlobInfo,
    invocation: Invocation,
    head: bytes,
    options: TranscriptionRequestOptions,
    record: FailureRecord | None,
    *,
    checked: bool,
    produce: Callable[[], Awaitable[Transcription]] | None = None,
) -> BlobOutcome:
    """`record`: the name's failure record as read after claiming, when `checked`; unchecked, a
    record can only be an earlier version's (the claim is conclusive). `produce` (a batch job's)
    gives the transcription instead of fast transcription."""
    settings, name = service.settings, info.name
    clock = time.perf_counter()
    try:
        if produce is not None:
            transcription = await produce()
        else:
            # the holder gives up before its claim could go stale (no one takes over a live holder)
            holder_deadline = HOLDER_SHARE * settings.claim_timeout_seconds
            transcription = await transcribe_blob(service, info, options, head=head, timeout=holder_deadline)
        outputs = await _write_outputs(
            service, info, transcription, clear_record=record is not None or not checked
        )
    except ServiceThrottledError:  # not a failure: the blob flow defers the version
        raise
    except Exception as exc:
        if produce is None and routing.rerouted(settings, exc):
            raise routing.UseBatch(getattr(exc, "code", "")) from None
        error = exc if isinstance(exc, TranscriberError) else ServiceError(f"unexpected {type(exc).__name__}")
        if not isinstance(exc, TranscriberError):
            logger.exception("unexpected failure transcribing %s", logged_name(name))
        previous = int(record.attempts or 0) if record is not None and record.source_etag == info.etag else 0
        attempts = max(previous + 1, (invocation.retry_count or 0) + 1)
        final = not error.transient or attempts >= settings.blob_max_attempts or _last_try(invocation)
        try:
            if final:  # first: a final record never stands beside part of a set
                await _remove_outputs(service, name)
            await write_failure(service, info, failure_name(name), error, attempts, final)
        except TranscriberError:  # nothing final is recorded: the host must retry
            if not error.transient:
                raise
            final = False  # the transient error raises below
        if final:
            logger.warning(
                "blob %s failed for good after %d attempt(s): %s: %s",
                logged_name(name),
                attempts,
                error.code,
                error.message,
            )
        _track(service, info, error=error, latency_ms=(time.perf_counter() - clock) * 1000)
        await _erase_if_gone(service, name)
        if final:
            await notify_blob(service, info, "failed", error=error)
        if error.transient:
            if error is exc:
                raise
            raise error from redacted_cause(exc)
        return BlobOutcome("failed", name, [failure_name(name)], error)

    _track(service, info, transcription=transcription, latency_ms=transcription.latency_ms)
    await notify_blob(service, info, "succeeded", outputs=outputs)
    logger.info(
        "transcribed %s: %s phrases, %s s of audio",
        logged_name(name),
        transcription.phrase_count,
        transcription.audio_seconds,
    )
    if await _erase_if_gone(service, name):
        return BlobOutcome("gone", name)
    return BlobOutcome("transcribed", name, outputs)


def _last_try(invocation: Invocation) -> bool:
    """The trigger will not deliver this again (a job's queue poisons it after this try)."""
    tries = invocation.max_tries
    return tries is not None and (invocation.retry_count or 0) + 1 >= tries


async def _erase_if_gone(service: TranscriptionService, name: str) -> bool:
    """The recording may have been deleted (and its erasure run) while it was transcribed."""

    try:
        return await erase_if_gone(service, name)
    except TranscriberError as exc:  # the BlobDeleted event, if any, erases later
        logger.warning("could not check whether %s still exists: %s", logged_name(name), exc.message)
        return False


async def refuse_name(service: TranscriptionService, name: str, error: InvalidBlobNameError) -> BlobOutcome:
    """An event named a blob no client may touch: a permanent record under a name that fits."""
    record_name = invalid_name_record(name)
    source = BlobName(service.settings.audio_container, ascii(name)[1:-1][:512])
    await write_failure(service, source, record_name, error, 1, True)
    logger.warning("blob event refused: %s: %s (%s)", error.code, error.message, logged_name(name))
    return BlobOutcome("failed", name, [record_name], error)


async def _write_outputs(
    service: TranscriptionService, info: BlobInfo, transcription: Transcription, *, clear_record: bool
) -> list[str]:
    """Formats and the removal of the name's failure record (`clear_record`) at once, then the
    JSON: the JSON (with the source etag) marks the set complete, so no crash leaves a complete
    set beside a record. Formats are rendered off the loop when long; a few blobs at a time
    render and write (`transcriber.domain.output_turns`)."""
    settings = service.settings
    document = TranscriptDocument(transcription.result, info, transcription.processing(service)).to_json()
    async with service.output_slots.turn():
        files = await render_files(transcription.result, settings.output_formats, document)
        written = [output_name(info.name, fmt) for fmt in settings.output_formats]
        await _all_or_cancel(
            *(
                service.store.write(
                    settings.transcripts_container, name, files[fmt], formats.CONTENT_TYPES[fmt], info.etag
                )
                for fmt, name in zip(settings.output_formats, written, strict=True)
            ),
            *(
                [service.store.delete(settings.failures_container, failure_name(info.name))]
                if clear_record
                else []
            ),
        )
        name = output_name(info.name, "json")
        await service.store.write(
            settings.transcripts_container, name, files["json"], formats.CONTENT_TYPES["json"], info.etag
        )
    return [name, *written]


async def _all_or_cancel(*calls: Awaitable[object]) -> None:
    """The calls at once; on the first error the others are cancelled and awaited before it is
    raised, so no write of this try lands after the error path has removed the set."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _remove_outputs(service: TranscriptionService, name: str) -> None:
    """An earlier version's transcript must not stand beside this version's final failure.

    The JSON goes first: without it the set is incomplete, and incomplete sets are not outcomes.
    """
    for fmt in ("json", "txt", "srt", "vtt"):
        await service.store.delete(service.settings.transcripts_container, output_name(name, fmt))


def _track(
    service: TranscriptionService,
    info: BlobInfo,
    *,
    transcription: Transcription | None = None,
    error: TranscriberError | None = None,
    latency_ms: float,
) -> None:
    track(
        service,
        trigger="blob",
        subject=info.name,
        content_type=info.content_type,
        size_bytes=info.size,
        options=service.settings.defaults,
        transcription=transcription,
        error=error,
        latency_ms=latency_ms,
    )


async def outcome_written(service: TranscriptionService, info: BlobInfo) -> bool:
    """This version already has its transcript set or its final failure record."""
    return (await version_done(service, info))[0]


async def version_done(service: TranscriptionService, info: BlobInfo) -> tuple[bool, FailureRecord | None]:
    """Whether this version already has its transcript set or its final failure record, and the
    name's failure record (two independent reads, at once).

    The set beside a record of the same version that is not final (the JSON was stored, its
    reply lost): the set is the outcome, so that record is removed, if unchanged since read.
    """
    settings = service.settings
    etag, found = await asyncio.gather(
        service.store.source_etag(settings.transcripts_container, output_name(info.name, "json")),
        read_failure_and_etag(service, info.name),
    )
    record = found[0] if found else None
    if etag == info.etag:
        if found and record is not None and record.source_etag == info.etag and not record.final:
            await service.store.delete(settings.failures_container, failure_name(info.name), if_etag=found[1])
            record = None
        logger.info("%s (etag %s) is already transcribed; nothing to do", logged_name(info.name), info.etag)
        return True, record
    if record is not None and record.is_final_for(info.etag):
        logger.info("%s (etag %s) already failed for good; nothing to do", logged_name(info.name), info.etag)
        return True, record
    return False, record
