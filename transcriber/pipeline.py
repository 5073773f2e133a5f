"""The blob job: one uploaded recording in, one transcript set or one failure record out.

- Idempotent: `<name>.json` carries the source etag in its metadata, so a repeated event for the
  same blob version calls the service zero times and writes nothing; a new version replaces it.
- Permanent failures (not audio, empty, a service 4xx other than 429) write `failed/<name>.json`
  and return normally: retrying cannot help and must not storm.
- Transient failures (429, 5xx, timeouts, credentials) update the failure record with the attempt
  count and raise, so the host retries; the last try's record says `final: true`. A later success
  removes the record; a final failure removes an earlier version's transcript, so every blob ends
  with one transcript set or one failure record.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from transcriber import formats
from transcriber.errors import BlobNotFoundError, ServiceError, TranscriberError
from transcriber.service import Invocation, TranscriptionService, get_service
from transcriber.storage import FAILED_PREFIX, BlobInfo
from transcriber.transcription import Transcription, track, transcribe_blob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlobOutcome:
    """What happened: transcribed, skipped (already done), failed (record written) or gone."""

    status: str
    name: str
    outputs: list[str] = field(default_factory=list)
    error: TranscriberError | None = None


def output_name(name: str, fmt: str) -> str:
    return f"{name}.{fmt}"


def failure_name(name: str) -> str:
    return f"{FAILED_PREFIX}{name}.json"


async def handle_blob(name: str, invocation: Invocation) -> BlobOutcome:
    """The blob trigger's entry: correlated telemetry around one job, flushed when it ends."""
    service = get_service()
    async with service.telemetry.invocation(
        name=invocation.function, traceparent=invocation.traceparent, invocation_id=invocation.invocation_id
    ):
        return await process_blob(service, name, invocation)


async def process_blob(service: TranscriptionService, name: str, invocation: Invocation) -> BlobOutcome:
    """Transcribe one blob of the audio container, exactly once per blob version."""
    settings = service.settings
    store = service.store
    try:
        info = await store.properties(settings.audio_container, name)
    except BlobNotFoundError:
        logger.warning("blob %s/%s is gone before it could be transcribed", settings.audio_container, name)
        return BlobOutcome("gone", name)
    transcripts = settings.transcripts_container
    if await store.source_etag(transcripts, output_name(name, "json")) == info.etag:
        logger.info("%s (etag %s) is already transcribed; nothing to do", name, info.etag)
        return BlobOutcome("skipped", name)
    record = await store.read_json(transcripts, failure_name(name))
    same_version = bool(record) and record.get("source", {}).get("etag") == info.etag
    if same_version and record.get("final"):
        logger.info("%s (etag %s) already failed for good; nothing to do", name, info.etag)
        return BlobOutcome("skipped", name)

    clock = time.perf_counter()
    try:
        transcription = await transcribe_blob(service, info, settings.defaults)
        outputs = await _write_outputs(service, info, transcription)
    except Exception as exc:
        error = exc if isinstance(exc, TranscriberError) else ServiceError(f"unexpected {type(exc).__name__}")
        if not isinstance(exc, TranscriberError):
            logger.exception("unexpected failure transcribing %s", name)
        previous = int(record.get("attempts", 0)) if same_version and record else 0
        attempts = max(previous + 1, (invocation.retry_count or 0) + 1)
        final = not error.transient or attempts >= settings.blob_max_attempts
        await _write_failure(service, info, error, attempts, final)
        if final:
            await _remove_outputs(service, info.name)
        _track(service, info, error=error, latency_ms=(time.perf_counter() - clock) * 1000)
        if error.transient:
            if error is exc:
                raise
            raise error from exc
        return BlobOutcome("failed", name, [failure_name(name)], error)

    if record:
        await store.delete(transcripts, failure_name(name))
    _track(service, info, transcription=transcription, latency_ms=transcription.latency_ms)
    logger.info(
        "transcribed %s: %s phrases, %s s of audio",
        name,
        transcription.phrase_count,
        transcription.audio_seconds,
    )
    return BlobOutcome("transcribed", name, outputs)


async def _write_outputs(
    service: TranscriptionService, info: BlobInfo, transcription: Transcription
) -> list[str]:
    """Formats first, then the JSON: the JSON (with the source etag) marks the set complete."""
    settings = service.settings
    written = []
    for fmt in settings.output_formats:
        body = formats.render(transcription.result, fmt)
        name = output_name(info.name, fmt)
        await service.store.write(
            settings.transcripts_container, name, body, formats.CONTENT_TYPES[fmt], info.etag
        )
        written.append(name)
    document: dict[str, Any] = {
        **transcription.result,
        "source": info.as_record(),
        "processing": transcription.processing_record(service),
    }
    name = output_name(info.name, "json")
    await service.store.write(
        settings.transcripts_container,
        name,
        json.dumps(document, ensure_ascii=False, indent=2),
        formats.CONTENT_TYPES["json"],
        info.etag,
    )
    return [name, *written]


async def _remove_outputs(service: TranscriptionService, name: str) -> None:
    """An earlier version's transcript must not stand beside this version's final failure."""
    for fmt in ("json", *service.settings.output_formats):
        await service.store.delete(service.settings.transcripts_container, output_name(name, fmt))


async def _write_failure(
    service: TranscriptionService, info: BlobInfo, error: TranscriberError, attempts: int, final: bool
) -> None:
    """A readable record of why; failing to write it must not hide the original error."""
    record = {
        "error": {"code": error.code, "message": error.message},
        "transient": error.transient,
        "attempts": attempts,
        "final": final,
        "source": info.as_record(),
        "failedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    try:
        await service.store.write(
            service.settings.transcripts_container,
            failure_name(info.name),
            json.dumps(record, ensure_ascii=False, indent=2),
            formats.CONTENT_TYPES["json"],
        )
    except TranscriberError as exc:
        logger.error("could not write the failure record for %s: %s", info.name, exc.message)


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
