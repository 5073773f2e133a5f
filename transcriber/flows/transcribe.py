"""One transcription, from bytes or from a blob, timed and described the same way for both triggers.

A blob goes by URL (a read-only SAS) when it can, so its audio never passes through this process.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from transcriber.adapters.speech_gate import TRIGGER_PATIENCE_SECONDS
from transcriber.adapters.telemetry import TranscriptionEvent
from transcriber.domain.audio_check import SNIFF_BYTES, check_audio, check_duration, check_size
from transcriber.domain.audio_header import HEAD_BYTES
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import AudioRejectedError, BlobNotFoundError, ServiceError, TranscriberError
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.privacy import blob_id, blob_label, names_included
from transcriber.domain.subtitles import has_speech
from transcriber.domain.transcript_document import Processing
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transcription:
    """The service's result and how it was obtained."""

    result: dict[str, Any]
    options: TranscriptionRequestOptions
    delivery: str
    started_at: datetime
    latency_ms: float
    route: str = "fast"  # or "batch" (transcriber.flows.batch): audio over fast transcription's limits
    api_version: str | None = None  # the batch API's, when it is not the fast API's

    @property
    def audio_seconds(self) -> float | None:
        duration = self.result.get("durationMilliseconds")
        return duration / 1000 if isinstance(duration, int | float) else None

    @property
    def phrase_count(self) -> int:
        return len(self.result.get("phrases") or [])

    @property
    def locale_detected(self) -> str | None:
        locales = Counter(p["locale"] for p in self.result.get("phrases") or [] if p.get("locale"))
        return locales.most_common(1)[0][0] if locales else None

    def processing(self, service: TranscriptionService) -> Processing:
        """How this transcript was made, stored beside a blob's result."""
        completed = self.started_at + timedelta(milliseconds=self.latency_ms)
        return Processing(
            endpoint_host=service.settings.speech.host,
            api_version=self.api_version or service.settings.speech.api_version,
            route=self.route,
            audio_delivery=self.delivery,
            started_at=_iso(self.started_at),
            completed_at=_iso(completed),
            latency_ms=round(self.latency_ms),
            audio_duration_ms=self.result.get("durationMilliseconds"),
            speech_detected=has_speech(self.result),
            options=self.options.describe(),
        )


async def transcribe_bytes(
    service: TranscriptionService,
    audio: bytes | bytearray | memoryview,
    options: TranscriptionRequestOptions,
    *,
    timeout: float | None = None,
    patience: float = TRIGGER_PATIENCE_SECONDS,
) -> Transcription:
    """Check the bytes look like audio within the limits, then send them (never copied).

    `patience`: the longest wait for a slot of the instance's Speech pace (`speech_gate`)."""
    settings = service.settings
    check_size(len(audio), settings.max_audio_bytes)
    head = bytes(memoryview(audio)[:HEAD_BYTES])
    check_audio(head[:SNIFF_BYTES])
    check_duration(head, len(audio), settings.max_audio_seconds)
    started, clock = datetime.now(UTC), time.perf_counter()
    result = await service.speech.transcribe(audio, options, timeout=timeout, patience=patience)
    return Transcription(result, options, "bytes", started, (time.perf_counter() - clock) * 1000)


async def transcribe_blob(
    service: TranscriptionService,
    info: BlobInfo,
    options: TranscriptionRequestOptions,
    *,
    timeout: float | None = None,
    head: bytes | None = None,
    patience: float = TRIGGER_PATIENCE_SECONDS,
) -> Transcription:
    """By SAS URL when it pays and is possible, else by bytes of exactly this blob version.

    `head`: the blob's first bytes when already read with its properties (`read_start`).
    """
    if info.size == 0:
        raise AudioRejectedError("the blob is empty", code="EmptyAudioFile")
    settings = service.settings
    check_size(info.size, settings.max_audio_bytes)
    if head is None:
        head = await service.store.read_head(info, HEAD_BYTES)
    check_audio(head[:SNIFF_BYTES])
    check_duration(head, info.size, settings.max_audio_seconds)
    url = await _sas_url(service, info)
    if url is None:
        async with service.audio_memory.hold(info.size):
            audio = await service.store.download(info, head)
            return await transcribe_bytes(service, audio, options, timeout=timeout, patience=patience)
    started, clock = datetime.now(UTC), time.perf_counter()
    result = await service.speech.transcribe_url(url, options, timeout=timeout, patience=patience)
    await _check_unchanged(service, info)
    return Transcription(result, options, "url", started, (time.perf_counter() - clock) * 1000)


async def _check_unchanged(service: TranscriptionService, info: BlobInfo) -> None:
    """Speech fetched the SAS URL itself: if the blob was written since, it may have read another version.

    Raised as transient, so the job runs again for the blob as it now is.
    """
    try:
        current = await service.store.properties(info.container, info.name)
    except BlobNotFoundError:
        current = None
    if current is None or current.etag != info.etag:
        raise ServiceError("the blob changed while Speech was reading it", code="AudioChanged")


async def _sas_url(service: TranscriptionService, info: BlobInfo) -> str | None:
    settings = service.settings
    if not settings.url_enabled or not service.store.connection.uses_token:
        return None
    if info.size < settings.url_threshold_bytes:
        return None
    try:
        return await service.store.read_sas_url(info, timedelta(minutes=settings.sas_lifetime_minutes))
    except TranscriberError as exc:
        logger.warning(
            "could not make a SAS for %s (%s: %s); sending its bytes",
            blob_label(info.name),
            exc.code,
            exc.message,
        )
        return None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def track(
    service: TranscriptionService,
    *,
    trigger: str,
    subject: str,
    content_type: str | None,
    size_bytes: int | None,
    options: TranscriptionRequestOptions,
    transcription: Transcription | None = None,
    error: TranscriberError | None = None,
    latency_ms: float,
) -> None:
    """Send the TranscriptionCompleted/Failed event and its metrics; never raises.

    A blob's name goes out as its keyed id (transcriber.domain.privacy), and by name only when allowed.
    """
    blob_name = blob_label(subject) if trigger == "blob" and names_included() else None
    if trigger == "blob":
        subject = blob_id(subject)
    try:
        service.telemetry.track_transcription(
            TranscriptionEvent(
                trigger=trigger,
                subject=subject,
                blob_name=blob_name,
                content_type=content_type,
                size_bytes=size_bytes,
                audio_seconds=transcription.audio_seconds if transcription else None,
                locales_requested=tuple(options.locales or ()),
                locale_detected=transcription.locale_detected if transcription else None,
                options=options.describe(),
                phrase_count=transcription.phrase_count if transcription else None,
                latency_ms=transcription.latency_ms if transcription else latency_ms,
                outcome="failed" if error else "completed",
                error_code=error.code if error else None,
            )
        )
    except Exception:  # telemetry must never fail a transcription
        logger.exception("could not record telemetry for %s", subject)
